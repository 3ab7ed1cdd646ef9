import { quoteIdent } from '../../sql/quote-ident';
import { conditionColumns, predicateColumns } from '../condition-columns';
import { formatCount, nodeTitle, round1, stoppedEarly } from '../format';
import type { PlanFindingDraft, PlanRule, PlanRuleContext } from '../plan-rule';
import type { PlanNode } from '../types';
import { ownNames, tableName } from './support/relation';

type Direction = NonNullable<PlanNode['estimateDirection']>;

/**
 * The nodes of a run whose misestimate was counted, with its direction, per `planFindings` run (its
 * context): a node whose child is misestimated the same way inherits the error, and only the node
 * where it starts is reported. Children are seen before their parents.
 */
const misestimatedByRun = new WeakMap<PlanRuleContext, Map<number, Direction>>();

function misestimatedIn(ctx: PlanRuleContext): Map<number, Direction> {
  let seen = misestimatedByRun.get(ctx);
  if (!seen) {
    seen = new Map();
    misestimatedByRun.set(ctx, seen);
  }
  return seen;
}

/** A node whose row count was off by a large factor from the estimate, reported where the error starts. */
export const rule: PlanRule = {
  id: 'misestimate',
  defaultSeverity: 'warning',
  detect(node, ctx) {
    const t = ctx.thresholds;
    const direction = node.estimateDirection;
    if (node.estimateFactor === undefined || direction === undefined) return undefined;
    const actual = node.totalRows ?? 0;
    // 0 rows returned against 14,061 estimated is as wrong as the other way round: the larger side counts.
    const estimated = node.planRows * Math.max(node.loops ?? 1, 1);
    if (node.estimateFactor < t.misestimateMinFactor || Math.max(actual, estimated) < t.misestimateMinRows) return undefined;
    if (stoppedEarly(node)) return undefined;
    // Report where a misestimate starts, not every node it propagates to.
    const seen = misestimatedIn(ctx);
    const inherited = node.children.some((c) => seen.get(c.id) === direction);
    seen.set(node.id, direction);
    return inherited ? undefined : finding(node, node.estimateFactor, direction);
  },
};

function finding(node: PlanNode, factor: number, direction: Direction): PlanFindingDraft {
  const table = tableName(node);
  const stats = statisticsProposal(node);
  let fix: string;
  let cause = '';
  if (stats) {
    cause = `; its conditions test ${stats.columns.length} columns of ${table} together (${stats.columns.join(', ')}) and the planner multiplies their selectivities as if they were independent: the columns are correlated`;
    fix = `${stats.createStatistics} ${stats.analyze}`;
  } else if (table) {
    fix = `ANALYZE ${table};`;
  } else {
    const tables = relationsBelow(node);
    fix = tables.length
      ? `ANALYZE ${tables.join(', ')}; if the estimate stays off, the join or filter columns are correlated: CREATE STATISTICS on them`
      : 'ANALYZE the tables below this node so the planner sees current row counts';
  }
  return {
    ruleId: 'misestimate',
    message: `${nodeTitle(node)} was estimated at ${formatCount(node.planRows)} rows per loop but returned ${formatCount(node.actualRows ?? 0)} (${factor >= 100 ? formatCount(factor) : factor.toFixed(1)}× ${direction === 'under' ? 'more' : 'fewer'}): plans above it were chosen for the wrong row count${cause}`,
    nodeId: node.id,
    evidence: {
      planRows: node.planRows,
      actualRows: node.actualRows ?? 0,
      loops: node.loops ?? 0,
      factor: round1(factor),
      direction,
      ...(stats ? { cause: 'correlated columns', columns: stats.columns.join(', ') } : {}),
    },
    fix,
  };
}

/** Relations read below `node` (for ANALYZE advice on joins). */
function relationsBelow(node: PlanNode, limit = 4): string[] {
  const out: string[] = [];
  const stack = [node];
  while (stack.length > 0 && out.length < limit) {
    const n = stack.pop() as PlanNode;
    const name = tableName(n);
    if (name && !out.includes(name)) out.push(name);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return out;
}

/**
 * Extended statistics for a scan whose conditions test several of its table's columns together:
 * the planner multiplies their selectivities as if the columns were independent.
 */
export interface StatisticsProposal {
  /** The table as SQL (schema-qualified when the plan names the schema). */
  table: string;
  columns: string[];
  /** The statistics object's name as SQL. */
  name: string;
  /** The kinds proposed: `dependencies` when every condition is = or IN, else `dependencies, mcv`. */
  kinds: StatisticsKind[];
  /** `CREATE STATISTICS … (kinds) ON a, b FROM t;` */
  createStatistics: string;
  /** `ANALYZE t;` */
  analyze: string;
}

export type StatisticsKind = 'dependencies' | 'mcv';

/** The CREATE STATISTICS of a proposal with other kinds (the sandbox tries several). */
export function createStatisticsSql(p: Pick<StatisticsProposal, 'name' | 'columns' | 'table'>, kinds: StatisticsKind[]): string {
  return `CREATE STATISTICS ${p.name} (${kinds.join(', ')}) ON ${p.columns.join(', ')} FROM ${p.table};`;
}

export function statisticsProposal(node: PlanNode): StatisticsProposal | undefined {
  const table = tableName(node);
  if (!table || !node.relation) return undefined;
  const names = ownNames(node);
  const conditions = [node.indexCond, node.recheckCond, node.filter];
  const columns: string[] = [];
  for (const cond of conditions) {
    for (const c of predicateColumns(cond, names)) if (!columns.includes(c)) columns.push(c);
  }
  if (columns.length < 2) return undefined;
  const equality = new Set(conditions.flatMap((c) => conditionColumns(c, names).equality));
  // Functional dependencies serve = and IN, and do so for any spread of values; an MCV list only
  // for the combinations common enough to be in it, but for other conditions too. With both, the
  // MCV list answers first, and an evenly spread combination then gets the independent estimate.
  const kinds: StatisticsKind[] = columns.every((c) => equality.has(c)) ? ['dependencies'] : ['dependencies', 'mcv'];
  const base = quoteIdent(`${node.relation}_${columns.map((c) => c.replace(/"/g, '')).join('_')}_stats`.slice(0, 63));
  const name = node.schema ? `${quoteIdent(node.schema)}.${base}` : base;
  return { table, columns, name, kinds, createStatistics: createStatisticsSql({ name, columns, table }, kinds), analyze: `ANALYZE ${table};` };
}
