import type { ConnectionManager } from '../connection-manager';
import { registerHealthView, type HealthTreeProvider } from '../health-tree';
import type { FeatureHost } from './host';

/** The Indexes & Health view's data and commands, loaded when the view first asks for nodes or a command runs. */
export function activateHealth(host: FeatureHost, manager: ConnectionManager): HealthTreeProvider {
  const health = registerHealthView(host.context, manager, host.healthView);
  host.context.subscriptions.push(health);
  return health.provider;
}
