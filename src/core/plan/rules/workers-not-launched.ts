import { nodeTitle } from '../format';
import type { PlanRule } from '../plan-rule';

/** A Gather that launched fewer parallel workers than planned: the worker pool was exhausted. */
export const rule: PlanRule = {
  id: 'workers-not-launched',
  defaultSeverity: 'info',
  detect(node) {
    if (node.workersPlanned === undefined || node.workersLaunched === undefined || node.workersLaunched >= node.workersPlanned) return undefined;
    return {
      ruleId: 'workers-not-launched',
      message: `${nodeTitle(node)} planned ${node.workersPlanned} parallel workers but launched ${node.workersLaunched}: the worker pool was exhausted, so the query ran with less parallelism than planned`,
      nodeId: node.id,
      evidence: { workersPlanned: node.workersPlanned, workersLaunched: node.workersLaunched },
      fix: 'raise max_parallel_workers (and max_worker_processes, which needs a restart), or run fewer parallel queries at once',
    };
  },
};
