/** A PlanReport as plain text for terminals and CI logs: summary, findings, the tree with times. */
import { escapeControl } from '../escape-control';
import { formatCount, formatMs, formatPct, nodeTitle, stoppedEarly } from './format';
import type { PlanFinding, PlanNode, PlanReport } from './types';

export interface RenderTextOptions {
  /** Print at most this many tree lines (default: all). */
  maxNodes?: number;
}

/**
 * Deeper nodes are indented no further, and name their depth instead: indentation growing with
 * depth makes the output quadratic in it (a 50,000-deep plan would need 2.5 billion spaces,
 * more than a JavaScript string holds).
 */
const MAX_INDENT_DEPTH = 50;

function indentFor(depth: number): string {
  if (depth <= MAX_INDENT_DEPTH) return '  '.repeat(depth + 1);
  return `${'  '.repeat(MAX_INDENT_DEPTH + 1)}[depth ${formatCount(depth)}] `;
}

function evidenceText(f: PlanFinding): string {
  return Object.entries(f.evidence)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? String(v) : JSON.stringify(v)}`)
    .join(', ');
}

function nodeFigures(node: PlanNode, analyzed: boolean, timed: boolean): string {
  const parts: string[] = [];
  if (analyzed) {
    if (node.neverExecuted) return 'never executed';
    if (timed) parts.push(`self ${formatMs(node.exclusiveTimeMs)} (${formatPct(node.sharePct)})`, `total ${formatMs(node.inclusiveTimeMs)}`);
    else parts.push(`cost ${node.totalCost.toFixed(2)} (self ${formatPct(node.sharePct)})`);
    // COSTS OFF: no estimate to print against.
    const rows = node.raw['Plan Rows'] === undefined ? `rows ${formatCount(node.actualRows ?? 0)}` : `rows ${formatCount(node.actualRows ?? 0)} of ${formatCount(node.planRows)} est`;
    if (node.estimateFactor === undefined || node.estimateFactor < 10) parts.push(rows);
    else if (stoppedEarly(node)) parts.push(`${rows} (stopped early)`);
    else parts.push(`${rows} (${node.estimateFactor >= 100 ? formatCount(node.estimateFactor) : node.estimateFactor.toFixed(1)}× ${node.estimateDirection})`);
    if (node.loops !== undefined && node.loops !== 1) parts.push(`loops ${formatCount(node.loops)}`);
  } else {
    parts.push(`cost ${node.totalCost.toFixed(2)} (self ${formatPct(node.sharePct)})`, `rows ${formatCount(node.planRows)} est`);
  }
  return parts.join(' · ');
}

export function renderPlanText(report: PlanReport, options: RenderTextOptions = {}): string {
  const { summary, nodes } = report;
  const out: string[] = [];
  const head: string[] = [];
  if (summary.executionTimeMs !== undefined) head.push(`Execution ${formatMs(summary.executionTimeMs)}`);
  if (summary.planningTimeMs !== undefined) head.push(`Planning ${formatMs(summary.planningTimeMs)}`);
  head.push(`Cost ${summary.totalCost.toFixed(2)}`, `${formatCount(summary.nodeCount)} node${summary.nodeCount === 1 ? '' : 's'}`);
  if (!summary.analyzed) head.push('estimates only (no ANALYZE)');
  out.push(head.join(' · '));
  const slow = nodes[summary.slowestNodeId - 1];
  out.push(`Slowest node: #${slow.id} ${nodeTitle(slow)} — ${(summary.timed ?? summary.analyzed) ? `${formatMs(slow.exclusiveTimeMs)} self` : `cost ${slow.exclusiveCost.toFixed(2)} self`}, ${formatPct(slow.sharePct)} of the total`);
  if (summary.jit?.totalMs !== undefined) out.push(`JIT: ${formatMs(summary.jit.totalMs)} for ${summary.jit.functions ?? 0} functions`);
  for (const t of summary.triggers) out.push(`Trigger ${t.name}${t.relation ? ` on ${t.relation}` : ''}: ${t.timeMs !== undefined ? formatMs(t.timeMs) : '?'} in ${t.calls ?? 0} calls`);

  out.push('');
  if (report.findings.length === 0) out.push('Findings: none');
  else {
    out.push(`Findings (${report.findings.length}):`);
    for (const f of report.findings) {
      out.push(`  ${f.severity.padEnd(7)} ${f.ruleId}  at #${f.nodeId} ${nodeTitle(nodes[f.nodeId - 1])}`);
      out.push(`    ${f.message}`);
      out.push(`    evidence: ${evidenceText(f)}`);
      out.push(`    fix: ${f.fix}`);
    }
  }

  out.push('', 'Plan:');
  const flagged = new Map<number, string[]>();
  for (const f of report.findings) {
    const list = flagged.get(f.nodeId);
    if (list) list.push(f.ruleId);
    else flagged.set(f.nodeId, [f.ruleId]);
  }
  const limit = options.maxNodes ?? nodes.length;
  for (let i = 0; i < nodes.length && i < limit; i++) {
    const n = nodes[i];
    const marks: string[] = [];
    if (n.id === summary.slowestNodeId) marks.push('<< slowest');
    const rules = flagged.get(n.id);
    if (rules) marks.push(`[${rules.join(', ')}]`);
    const sub = n.subplanName ? `${n.subplanName}: ` : '';
    out.push(`${indentFor(n.depth)}-> #${n.id} ${sub}${nodeTitle(n)}  ${nodeFigures(n, summary.analyzed, summary.timed ?? summary.analyzed)}${marks.length ? `  ${marks.join(' ')}` : ''}`);
  }
  if (nodes.length > limit) out.push(`  … ${formatCount(nodes.length - limit)} more nodes`);
  // Each entry is one line: a newline or escape in a relation name or a condition is spelled out.
  return out.map(escapeControl).join('\n');
}
