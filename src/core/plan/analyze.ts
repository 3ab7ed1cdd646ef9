import { buildTree, readBuffers } from './build-tree';
import { planFindings } from './findings';
import { computeMetrics } from './metrics';
import { parsePlan } from './parse';
import {
  DEFAULT_PLAN_THRESHOLDS,
  type AnalyzePlanOptions,
  type PlanJit,
  type PlanNode,
  type PlanReport,
  type PlanSummary,
  type PlanTrigger,
} from './types';

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** PG ≤ 16 prints "Generation": 1.2; PG 17 prints "Generation": { "Deform": 0.1, "Total": 1.2 }. */
function timing(v: unknown): number | undefined {
  return isObject(v) ? num(v.Total) : num(v);
}

function readJit(v: unknown): PlanJit | undefined {
  if (!isObject(v)) return undefined;
  const jit: PlanJit = {};
  const functions = num(v.Functions);
  if (functions !== undefined) jit.functions = functions;
  if (isObject(v.Options)) {
    jit.options = {};
    for (const [k, o] of Object.entries(v.Options)) jit.options[k] = o === true || o === 'true';
  }
  if (isObject(v.Timing)) {
    const t = v.Timing;
    const fields: [keyof PlanJit, string][] = [
      ['generationMs', 'Generation'],
      ['inliningMs', 'Inlining'],
      ['optimizationMs', 'Optimization'],
      ['emissionMs', 'Emission'],
      ['totalMs', 'Total'],
    ];
    for (const [field, key] of fields) {
      const ms = timing(t[key]);
      if (ms !== undefined) (jit as Record<string, unknown>)[field] = ms;
    }
  }
  return jit;
}

/**
 * Text EXPLAIN names a trigger's table only when the statement modifies several; with one
 * ModifyTable every trigger belongs to its table, as FORMAT JSON says outright.
 */
function readTriggers(v: unknown, nodes: PlanNode[]): PlanTrigger[] {
  if (!Array.isArray(v)) return [];
  const modify = nodes.filter((n) => n.nodeType === 'ModifyTable');
  const onlyTable = modify.length === 1 ? modify[0].relation : undefined;
  return v.filter(isObject).map((t) => {
    const trigger: PlanTrigger = { name: String(t['Trigger Name'] ?? '') };
    if (typeof t.Relation === 'string') trigger.relation = t.Relation;
    else if (onlyTable !== undefined) trigger.relation = onlyTable;
    if (typeof t['Constraint Name'] === 'string') trigger.constraintName = t['Constraint Name'];
    const time = num(t.Time);
    const calls = num(t.Calls);
    if (time !== undefined) trigger.timeMs = time;
    if (calls !== undefined) trigger.calls = calls;
    return trigger;
  });
}

function readSettings(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, s] of Object.entries(v)) out[k] = String(s);
  return out;
}

/**
 * The one entry the CLI, the editor and the viewer call: EXPLAIN output (JSON value, JSON
 * text or text format, psql-wrapped or not) → tree, metrics, findings and summary.
 * Throws PglensError('bad-input') naming what is wrong and where.
 */
export function analyzePlan(input: string | unknown, options: AnalyzePlanOptions = {}): PlanReport {
  const parsed = parsePlan(input);
  const explain = parsed.explain;
  const nodes = buildTree(explain.Plan as Raw, parsed.owned);
  const root = nodes[0];
  const executionTimeMs = num(explain['Execution Time']);
  const planningTimeMs = num(explain['Planning Time']);
  const metrics = computeMetrics(nodes);

  const summary: PlanSummary = {
    totalTimeMs: executionTimeMs ?? metrics.rootTimeMs,
    totalCost: root.totalCost,
    nodeCount: nodes.length,
    slowestNodeId: metrics.slowestNodeId,
    hotPath: metrics.hotPath,
    analyzed: root.analyzed,
    timed: metrics.timed,
    triggers: readTriggers(explain.Triggers, nodes),
  };
  if (planningTimeMs !== undefined) summary.planningTimeMs = planningTimeMs;
  if (executionTimeMs !== undefined) summary.executionTimeMs = executionTimeMs;
  const jit = readJit(explain.JIT);
  if (jit) summary.jit = jit;
  const settings = readSettings(explain.Settings);
  if (settings) summary.settings = settings;
  if (isObject(explain.Planning)) {
    // Text EXPLAIN leaves out an all-zero "Planning:" section; JSON prints zeros. Keep only real figures.
    const b = readBuffers(explain.Planning);
    if (b && Object.values(b).some((x) => x > 0)) summary.planningBuffers = b;
  }
  if (isObject(explain.Serialization)) {
    const s = explain.Serialization;
    summary.serialization = { timeMs: num(s.Time), outputKb: num(s['Output Volume']), format: typeof s.Format === 'string' ? s.Format : undefined };
  }

  const thresholds = { ...DEFAULT_PLAN_THRESHOLDS, ...options.thresholds };
  const findings = planFindings(nodes, summary, { thresholds, severities: options.severities });
  const report: PlanReport = { root, nodes, findings, summary, sourceFormat: parsed.sourceFormat };
  // How pasted input was read (lines left out, wrapped lines joined): nothing dropped silently.
  if (parsed.notes?.length) report.notes = parsed.notes;
  const query = options.query ?? (typeof explain['Query Text'] === 'string' ? explain['Query Text'] : undefined);
  if (query !== undefined) report.query = query;
  return report;
}
