/**
 * The plan data model shared by the CLI, the editor and the webview viewer.
 * Everything here is plain JSON-serialisable data (no Maps, no parent pointers, no cycles)
 * because a PlanReport is posted to a webview as is.
 */
import type { PLAN_RULE_IDS } from '../lint/rule-ids';
import type { Severity } from '../types';

/** Block counts as EXPLAIN (BUFFERS) reports them (8 kB blocks). */
export interface PlanBuffers {
  sharedHit: number;
  sharedRead: number;
  sharedDirtied: number;
  sharedWritten: number;
  localHit: number;
  localRead: number;
  localDirtied: number;
  localWritten: number;
  tempRead: number;
  tempWritten: number;
}

/** I/O timings (track_io_timing), milliseconds, as reported (inclusive of children). */
export interface PlanIoTimes {
  /** PG ≤ 16 "I/O Read Time" (shared + local); PG 17+ "Shared I/O Read Time". */
  sharedReadMs?: number;
  sharedWriteMs?: number;
  localReadMs?: number;
  localWriteMs?: number;
  tempReadMs?: number;
  tempWriteMs?: number;
}

export interface PlanWal {
  records: number;
  fpi: number;
  bytes: number;
}

/**
 * One EXPLAIN node with derived metrics.
 *
 * Times: `actualStartupTimeMs` / `actualTotalTimeMs` / `actualRows` are per loop, as Postgres
 * prints them. `inclusiveTimeMs` is the wall time the node and its subtree account for
 * (× loops, divided by the processes of the enclosing Gather for parallel nodes);
 * `exclusiveTimeMs` is what is left after subtracting the children (see metrics.ts).
 * Every optional field is present on every node (undefined when unknown), so all nodes share
 * one object shape; JSON.stringify leaves the undefined ones out.
 */
export interface PlanNode {
  /** Depth-first preorder, root = 1. */
  id: number;
  parentId: number | null;
  /** Root = 0. */
  depth: number;
  children: PlanNode[];

  /** JSON "Node Type": "Seq Scan", "Aggregate", "Hash Join", "ModifyTable", … */
  nodeType: string;
  /** The heading as text EXPLAIN prints it: "Parallel Seq Scan", "HashAggregate", "Hash Left Join". */
  label: string;
  /** "Outer" | "Inner" | "Member" | "InitPlan" | "SubPlan" | "Subquery" | … */
  parentRelationship?: string;
  /** "InitPlan 1 (returns $0)", "SubPlan 2", "CTE recent" — on the node the sub-plan starts at. */
  subplanName?: string;
  /** For CTE Scan nodes: the CTE scanned. */
  cteName?: string;
  relation?: string;
  schema?: string;
  alias?: string;
  indexName?: string;
  functionName?: string;
  /** "Inner" | "Left" | "Full" | "Right" | "Semi" | "Anti" | "Right Semi" | "Right Anti". */
  joinType?: string;
  /** Aggregate/SetOp strategy: "Plain" | "Sorted" | "Hashed" | "Mixed". */
  strategy?: string;
  /** Aggregate "Partial Mode": "Simple" | "Partial" | "Finalize". */
  partialMode?: string;
  /** ModifyTable "Operation": "Insert" | "Update" | "Delete" | "Merge". */
  operation?: string;
  scanDirection?: string;
  parallelAware: boolean;

  startupCost: number;
  totalCost: number;
  /** totalCost minus the children's totalCost (≥ 0); the basis of sharePct when not analyzed. */
  exclusiveCost: number;
  planRows: number;
  planWidth: number;

  /** False when the plan carries no ANALYZE figures for this node. */
  analyzed: boolean;
  /** ANALYZE ran but this node never did ("never executed", loops = 0). */
  neverExecuted: boolean;
  actualStartupTimeMs?: number;
  actualTotalTimeMs?: number;
  /** Rows per loop, as printed. */
  actualRows?: number;
  loops?: number;
  /** actualRows × loops. */
  totalRows?: number;

  inclusiveTimeMs: number;
  exclusiveTimeMs: number;
  /** exclusiveTimeMs as a percentage (0–100) of the plan's total time (exclusive cost when not analyzed). */
  sharePct: number;
  /** actualRows / planRows (both per loop; 0 rows count as 1 to keep it finite). */
  estimateRatio?: number;
  /** max(ratio, 1/ratio) ≥ 1: how many times off the planner was. */
  estimateFactor?: number;
  /** "under": more rows came than the planner expected; "over": fewer. Absent when exact. */
  estimateDirection?: 'under' | 'over';
  /**
   * Under a Limit, the inner side of a semi/anti join or a Merge Join: the parent may stop
   * reading before the node produced the rows its estimate counts, so fewer rows than
   * estimated is expected there, not a misestimate.
   */
  mayStopEarly?: boolean;

  /** As reported: inclusive of the children. Absent without BUFFERS. */
  buffers?: PlanBuffers;
  /**
   * buffers minus the children's buffers (≥ 0 per field). Read-only: to keep a large report
   * small it is the `buffers` object itself when the children read nothing, and one shared
   * frozen object when all its figures are 0.
   */
  exclusiveBuffers?: PlanBuffers;
  ioTimes?: PlanIoTimes;
  wal?: PlanWal;

  /** Per loop, as printed. */
  rowsRemovedByFilter?: number;
  rowsRemovedByJoinFilter?: number;
  rowsRemovedByIndexRecheck?: number;

  filter?: string;
  indexCond?: string;
  recheckCond?: string;
  hashCond?: string;
  joinFilter?: string;
  mergeCond?: string;
  oneTimeFilter?: string;
  tidCond?: string;
  sortKey?: string[];
  groupKey?: string[];
  output?: string[];

  /** "quicksort" | "top-N heapsort" | "external sort" | "external merge" | "still in progress". */
  sortMethod?: string;
  sortSpaceUsedKb?: number;
  /** "Memory" | "Disk". */
  sortSpaceType?: string;
  hashBuckets?: number;
  originalHashBuckets?: number;
  hashBatches?: number;
  originalHashBatches?: number;
  peakMemoryUsageKb?: number;
  /** HashAggregate (PG 13+): batches and disk use. */
  hashAggBatches?: number;
  diskUsageKb?: number;
  heapBlocksExact?: number;
  heapBlocksLossy?: number;
  heapFetches?: number;
  /** PG 18: index descents. */
  indexSearches?: number;
  workersPlanned?: number;
  workersLaunched?: number;
  /** PG 18: the planner had to pick a disabled node (enable_* = off). */
  disabled?: boolean;

  /** Every original property of the node (JSON names), minus "Plans". Text input is mapped to the same names. */
  raw: Record<string, unknown>;
}

/** The plan rule ids (src/core/plan/rules, listed in the generated src/core/lint/rule-ids.ts). */
export type PlanRuleId = (typeof PLAN_RULE_IDS)[number];

export interface PlanFinding {
  ruleId: PlanRuleId;
  severity: Severity;
  message: string;
  /** The node the finding is about (the root for plan-wide ones such as jit-overhead). */
  nodeId: number;
  /** The numbers behind the finding, e.g. { rowsRead: 120000, removedPct: 99.2 }. */
  evidence: Record<string, number | string>;
  /** What to do: SQL where one can be derived (`CREATE INDEX CONCURRENTLY …`, `ANALYZE t`), else advice. */
  fix: string;
}

export interface PlanJit {
  functions?: number;
  options?: Record<string, boolean>;
  generationMs?: number;
  inliningMs?: number;
  optimizationMs?: number;
  emissionMs?: number;
  totalMs?: number;
}

export interface PlanTrigger {
  name: string;
  relation?: string;
  constraintName?: string;
  timeMs?: number;
  calls?: number;
}

export interface PlanSummary {
  planningTimeMs?: number;
  executionTimeMs?: number;
  /** executionTimeMs when known, else the root's inclusive time; 0 for a plan without ANALYZE. */
  totalTimeMs: number;
  totalCost: number;
  nodeCount: number;
  /** Node with the largest exclusive time (exclusive cost without ANALYZE). */
  slowestNodeId: number;
  /**
   * The nodes that own most of the time: the fewest nodes (≤ 10) whose exclusive times add up
   * to 80% of the total, plus their ancestors so the path from the root is drawn; id order.
   */
  hotPath: number[];
  analyzed: boolean;
  /**
   * Per-node times are known (ANALYZE with TIMING on); when false, sharePct and slowestNodeId
   * come from costs. analyzePlan always sets it; absent means the same as `analyzed`.
   */
  timed?: boolean;
  jit?: PlanJit;
  triggers: PlanTrigger[];
  /** EXPLAIN (SETTINGS): the settings that differ from their defaults. */
  settings?: Record<string, string>;
  /** Plan-wide buffers ("Planning" buffers are separate). */
  planningBuffers?: PlanBuffers;
  /** PG 17+ EXPLAIN (SERIALIZE). */
  serialization?: { timeMs?: number; outputKb?: number; format?: string };
}

export interface PlanReport {
  root: PlanNode;
  /** All nodes, index = id - 1. The same objects as in the tree. */
  nodes: PlanNode[];
  findings: PlanFinding[];
  summary: PlanSummary;
  query?: string;
  sourceFormat: 'json' | 'text';
  /** How the pasted input was read (lines left out, wrapped lines joined); see ParsedPlan.notes. */
  notes?: PlanInputNote[];
}

/** Defaults are the numbers of the plan rules' pages, docs/rules/<id>.md (index: docs/rules/README.md "plan"). */
export interface PlanThresholds {
  /** seq-scan-filter: rows read (returned + removed, all loops) at least this… */
  seqScanFilterMinRows: number;
  /** …and the filter removes at least this share, %. */
  seqScanFilterMinRemovedPct: number;
  /** index-filter: rows the index returned at least this… */
  indexFilterMinRows: number;
  indexFilterMinRemovedPct: number;
  /** misestimate: off by at least this factor… */
  misestimateMinFactor: number;
  /** …for a node with at least this many actual or estimated rows (all loops). */
  misestimateMinRows: number;
  /** heap-fetches: heap fetches at least this share of the rows returned, %. */
  heapFetchesMinPct: number;
  /** nested-loop-seq-scan: inner Seq Scan executed more than this many times. */
  nestedLoopSeqScanMinLoops: number;
  /** jit-overhead: JIT time at least this share of execution time, %. */
  jitOverheadMinPct: number;
  /** io-bound: a node with at least this share of the time, %… */
  ioBoundMinSharePct: number;
  /** …that read at least this share of its pages from outside shared_buffers, %… */
  ioBoundMinReadPct: number;
  /** …and at least this many pages (8 kB blocks). */
  ioBoundMinReadBlocks: number;
  /** hash-join-seq-scan: the side read in full returned at least this many rows… */
  hashJoinSeqScanMinRows: number;
  /** …and at least this many times the rows of the other side. */
  hashJoinSeqScanMinRatio: number;
  /** no-partition-pruning: an Append over at least this many partitions of one table… */
  noPartitionPruningMinPartitions: number;
  /** …that read at least this many rows in all (actual rows returned plus rows removed). */
  noPartitionPruningMinRows: number;
}

export const DEFAULT_PLAN_THRESHOLDS: PlanThresholds = {
  seqScanFilterMinRows: 10_000,
  seqScanFilterMinRemovedPct: 90,
  indexFilterMinRows: 1_000,
  indexFilterMinRemovedPct: 90,
  misestimateMinFactor: 10,
  misestimateMinRows: 100,
  heapFetchesMinPct: 10,
  nestedLoopSeqScanMinLoops: 1,
  jitOverheadMinPct: 30,
  ioBoundMinSharePct: 20,
  ioBoundMinReadPct: 50,
  ioBoundMinReadBlocks: 1_000,
  hashJoinSeqScanMinRows: 100_000,
  hashJoinSeqScanMinRatio: 1_000,
  noPartitionPruningMinPartitions: 2,
  noPartitionPruningMinRows: 10_000,
};

export interface AnalyzePlanOptions {
  thresholds?: Partial<PlanThresholds>;
  /** Per-rule severity override; 'off' drops the rule. */
  severities?: Partial<Record<PlanRuleId, Severity | 'off'>>;
  query?: string;
}

/** One row of a plan comparison: a matched pair, or a node only one side has. */
export interface PlanNodeDelta {
  status: 'matched' | 'removed' | 'added';
  beforeId?: number;
  afterId?: number;
  nodeType: string;
  label: string;
  relation?: string;
  indexName?: string;
  beforeTimeMs?: number;
  afterTimeMs?: number;
  /** after − before exclusive time; negative = faster. */
  timeDeltaMs?: number;
  beforeCost?: number;
  afterCost?: number;
  /** after − before total cost. */
  costDelta?: number;
  beforeRows?: number;
  afterRows?: number;
}

export interface PlanTotals {
  timeMs: number;
  cost: number;
  planningTimeMs?: number;
  executionTimeMs?: number;
  nodeCount: number;
  findingCount: number;
}

export interface PlanComparison {
  before: PlanTotals;
  after: PlanTotals;
  timeDeltaMs: number;
  /** (after − before) / before × 100; absent when before is 0. */
  timeDeltaPct?: number;
  costDelta: number;
  costDeltaPct?: number;
  /** Matched pairs in the after-plan's order, with removed before-nodes placed near their neighbours. */
  nodes: PlanNodeDelta[];
  /** Findings present before and gone after ("ruleId@label"). */
  resolvedFindings: string[];
  /** Findings new in the after plan. */
  newFindings: string[];
}

/** The EXPLAIN format a plan came in (YAML and XML are read into the JSON shape, sourceFormat 'json'). */
export type PlanInputFormat = 'json' | 'text' | 'yaml' | 'xml';

/**
 * A remark on how pasted input was read, so nothing is dropped silently: lines that were not
 * part of the plan (`ignored`: prompts, the echoed command, log lines, a second plan…) or lines
 * that were one plan line wrapped by a terminal or mail client (`joined`). Lines are 1-based
 * lines of the input as given.
 */
export interface PlanInputNote {
  kind: 'ignored' | 'joined';
  message: string;
  fromLine?: number;
  toLine?: number;
}

/** EXPLAIN output in the JSON format's shape; text input is mapped to the same keys. */
export interface ParsedPlan {
  /** The top-level object: { Plan, "Planning Time", "Execution Time", Triggers, JIT, Settings, … }. */
  explain: Record<string, unknown>;
  sourceFormat: 'json' | 'text';
  /** The parser built these objects from text, so the tree builder may reuse them instead of copying. */
  owned: boolean;
  /** The format the plan was written in (absent for a value passed in already parsed). */
  inputFormat?: PlanInputFormat;
  /** What the plan was wrapped in, outermost first: "auto_explain log entry", "psql table (border 2, unicode)", "CSV quotes"… */
  wrappers?: string[];
  /** Lines left out or joined while reading; empty or absent when the input was the bare plan. */
  notes?: PlanInputNote[];
  /** The input lines (1-based) not read as part of the plan, ascending: the lines the `ignored` notes name. */
  ignoredLines?: number[];
}
