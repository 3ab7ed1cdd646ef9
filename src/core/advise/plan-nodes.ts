/**
 * What the advisor reads from an EXPLAIN (FORMAT JSON) plan besides its total cost: which
 * index each scan used, on which table, and which node was the slow one — the node with the
 * largest cost of its own (its total minus its inputs'), and the tables under it. An index is
 * only worth proposing when the plan uses it where the time went.
 */
/** One node of EXPLAIN (FORMAT JSON) output, read by key ("Index Name", "Plans") with runtime type checks. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the server's JSON, whose keys vary by node type and version
export type ExplainJsonNode = Record<string, any>;
type Raw = ExplainJsonNode;

export interface IndexUse {
  /** As the plan names it (HypoPG: `<13556>btree_users_email`). */
  index: string;
  /** The table the scan reads (a Bitmap Index Scan's is its Bitmap Heap Scan's); undefined when the plan does not say. */
  relation?: string;
  /** The planner's estimate of the rows the scan returns (per loop). */
  planRows?: number;
}

export interface SlowNode {
  /** `Seq Scan on users`, `Sort`, `Hash Join`. */
  label: string;
  /** Its own cost as a share of the plan's total (0…1). */
  share: number;
  /** The tables read under it (itself included): an index on one of them can make it faster. */
  relations: string[];
}

export interface PlanFacts {
  indexUses: IndexUse[];
  slowNode?: SlowNode;
}

function children(node: Raw): Raw[] {
  return (node.Plans as Raw[] | undefined) ?? [];
}

function label(node: Raw): string {
  const type = String(node['Node Type'] ?? 'node');
  const rel = node['Relation Name'];
  return typeof rel === 'string' ? `${type} on ${rel}${node.Alias && node.Alias !== rel ? ` ${node.Alias}` : ''}` : type;
}

/** The tables a node reads: its own and its inputs', not those of the subqueries it runs (InitPlan, SubPlan: nodes of their own). */
function relationsUnder(node: Raw, out: Set<string> = new Set()): Set<string> {
  if (typeof node['Relation Name'] === 'string') out.add(node['Relation Name']);
  for (const c of children(node)) if (c['Parent Relationship'] !== 'InitPlan' && c['Parent Relationship'] !== 'SubPlan') relationsUnder(c, out);
  return out;
}

/** Index uses and the slow node of one plan (the `Plan` object of EXPLAIN's JSON). */
export function planFacts(plan: Raw): PlanFacts {
  const indexUses: IndexUse[] = [];
  const total = typeof plan['Total Cost'] === 'number' ? plan['Total Cost'] : 0;
  let slow: { node: Raw; own: number } | undefined;
  const walk = (node: Raw, heap: string | undefined): void => {
    const relation = typeof node['Relation Name'] === 'string' ? node['Relation Name'] : undefined;
    if (typeof node['Index Name'] === 'string') {
      indexUses.push({ index: node['Index Name'], relation: relation ?? heap, ...(typeof node['Plan Rows'] === 'number' ? { planRows: node['Plan Rows'] } : {}) });
    }
    // A Limit stops its input early: its input's total is not what it costs, so it has no cost of its own here.
    const inputs = children(node).reduce((sum, c) => sum + (typeof c['Total Cost'] === 'number' ? c['Total Cost'] : 0), 0);
    const own = Math.max(0, (typeof node['Total Cost'] === 'number' ? node['Total Cost'] : 0) - inputs);
    if (!slow || own > slow.own) slow = { node, own };
    // A Bitmap Index Scan names no table: its Bitmap Heap Scan (through BitmapAnd/Or) does.
    const nextHeap = node['Node Type'] === 'Bitmap Heap Scan' ? relation : relation === undefined ? heap : undefined;
    for (const c of children(node)) walk(c, nextHeap);
  };
  walk(plan, undefined);
  const s = slow as { node: Raw; own: number } | undefined;
  return {
    indexUses,
    ...(s && total > 0 ? { slowNode: { label: label(s.node), share: s.own / total, relations: [...relationsUnder(s.node)] } } : {}),
  };
}
