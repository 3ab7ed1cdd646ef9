import type { ConnectionManager } from '../connection-manager';
import { registerPrismaLenses } from '../prisma-code-lens';
import type { FeatureHost } from './host';

/** Lenses in schema.prisma (table statistics, Explain lookup), loaded when a .prisma file is first open. */
export function activatePrisma(host: FeatureHost, manager: ConnectionManager): void {
  host.context.subscriptions.push(registerPrismaLenses(manager));
}
