import { registerSchemaDiagram } from '../erd-panel';
import type { FeatureHost } from './host';

/** Show Schema Diagram (the ER diagram webview), loaded when the command first runs. */
export function activateDiagram(host: FeatureHost): void {
  host.context.subscriptions.push(registerSchemaDiagram(host.context, () => host.connections()));
}
