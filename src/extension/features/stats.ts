import type { ConnectionManager } from '../connection-manager';
import { registerStatsCommand } from '../stats-command';
import type { FeatureHost } from './host';

/** Export Statistics for the Sandbox…, loaded when the command first runs. */
export function activateStats(host: FeatureHost, manager: ConnectionManager): void {
  const version = String((host.context.extension.packageJSON as { version?: string }).version ?? 'unknown');
  host.context.subscriptions.push(registerStatsCommand(manager, host.output, version));
}
