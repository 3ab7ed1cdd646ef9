import type { Rule } from '../rule';
import { ruleOption, type RuleOptionSpecs } from '../option-specs';
import { nodeOf } from '../../sql/nodes';
import { forEachNode, isLiteral } from './support/query-walk';

/** large-in-list: `IN (…)` / `NOT IN (…)` with more than `threshold` (default 50) literals. */
export const DEFAULT_IN_LIST_THRESHOLD = 50;

const OPTIONS = {
  /** An IN list of more literals than this is flagged. */
  threshold: { type: 'number', minimum: 0, integer: true, default: DEFAULT_IN_LIST_THRESHOLD },
} as const satisfies RuleOptionSpecs;

export const rule: Rule = {
  id: 'large-in-list',
  kind: 'statement',
  defaultSeverity: 'info',
  options: OPTIONS,
  docs: {
    description: 'A long IN list of literals makes every list size a new query to parse and plan; pass an array instead.',
  },
  check(context) {
    const threshold = ruleOption(context.options, 'threshold', OPTIONS.threshold);
    forEachNode(context.statement.ast, 'A_Expr', (expr) => {
      if (expr.kind !== 'AEXPR_IN') return;
      const items = nodeOf(expr.rexpr, 'List')?.items ?? [];
      const literals = items.filter(isLiteral).length;
      if (literals <= threshold) return;
      const start = expr.rexpr_list_start;
      const end = expr.rexpr_list_end;
      context.report({
        message:
          `IN list of ${literals} literals (more than ${threshold}): each different list is a different query text, so it is parsed and ` +
          'planned every time (no plan reuse, a new pg_stat_statements entry per length); pass one array, = ANY($1), or join a VALUES list',
        range:
          start !== undefined && end !== undefined && end > start
            ? context.statement.locate(start, end - start + 1)
            : context.statement.locate(expr.location),
      });
    });
  },
};
