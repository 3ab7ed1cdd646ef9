/**
 * A PlanDiff as plain text (terminals, CI logs) and as GitHub Markdown (a pull-request
 * comment): the totals side by side, the nodes that changed, the findings resolved and new.
 * Markdown escapes every string from the plans with markdown.ts's escaping.
 */
import { escapeControl } from '../escape-control';
import { formatCount, formatMs, formatPct } from './format';
import { codeSpan, escapeMarkdown } from './markdown';
import type { PlanDiff, PlanDiffFigure, PlanDiffFinding, PlanDiffNode, PlanDiffNodeSide } from './plan-diff';

export interface RenderDiffOptions {
  /** List at most this many changed nodes, the most important ones, in tree order (text default 100, Markdown 25). */
  maxNodes?: number;
}

type Fmt = (n: number) => string;

/** 3825 → "3,825.00". */
const fmtCost: Fmt = (n) => {
  const [int, frac] = Math.abs(n).toFixed(2).split('.');
  return `${n < 0 ? '-' : ''}${formatCount(Number(int))}.${frac}`;
};
const fmtInt: Fmt = (n) => formatCount(n);

/** A change in percent, never rounded to 100% unless it is (−99.8% is not −100%: that would be zero). */
function fmtPct(p: number): string {
  if (p >= 1000) return `${formatCount(p)}%`;
  const text = formatPct(p);
  if (text !== '100%' || p === 100) return text;
  const one = p.toFixed(1);
  return one === '100.0' ? (p < 100 ? '99.9%' : '101%') : `${one}%`;
}

/** Rows of the totals table: label, figure, format. Rows whose figure is on neither side are left out. */
function totalRows(d: PlanDiff): [string, PlanDiffFigure, Fmt][] {
  const t = d.totals;
  const rows: [string, PlanDiffFigure, Fmt][] = [
    ['Execution', t.executionTimeMs, formatMs],
    ['Planning', t.planningTimeMs, formatMs],
    ['Cost', t.totalCost, fmtCost],
    ['Nodes', t.nodes, fmtInt],
    ['Rows', t.rows, fmtInt],
    ['Shared hit', t.sharedHit, fmtInt],
    ['Shared read', t.sharedRead, fmtInt],
  ];
  // Without an "Execution Time" line (auto_explain, a clipped paste) the root's time is the total.
  if (t.executionTimeMs.before === null && t.executionTimeMs.after === null) rows.splice(1, 0, ['Time', t.totalTimeMs, formatMs]);
  return rows.filter(([, f]) => f.before !== null || f.after !== null);
}

function signed(n: number, fmt: Fmt, minus: string): string {
  if (n === 0) return '±0';
  return `${n > 0 ? '+' : minus}${fmt(Math.abs(n))}`;
}

function change(f: PlanDiffFigure, fmt: Fmt, minus: string): string {
  if (f.delta === null) return '–';
  const pct = f.pct !== null && f.delta !== 0 ? ` (${f.pct > 0 ? '+' : minus}${fmtPct(Math.abs(f.pct))})` : '';
  return `${signed(f.delta, fmt, minus)}${pct}`;
}

function value(v: number | null, fmt: Fmt): string {
  return v === null ? '–' : fmt(v);
}

/** "a → b", or just "a" when both are the same. */
function pairText(b: number | null | undefined, a: number | null | undefined, fmt: Fmt): string {
  const bs = b === undefined ? undefined : value(b, fmt);
  const as = a === undefined ? undefined : value(a, fmt);
  if (bs === undefined) return as ?? '–';
  if (as === undefined || as === bs) return bs;
  return `${bs} → ${as}`;
}

/** The node's name: the after-heading, or "before-heading → after-heading" when it changed. */
function nodeName(n: PlanDiffNode): string {
  if (n.status !== 'matched') return (n.after ?? n.before)!.title;
  const b = n.before!;
  const a = n.after!;
  return b.title === a.title ? a.title : `${b.title} → ${a.title}`;
}

/** Ids are each plan's own: "#3→#4" (before #3 is after #4), "#4→–" (removed), "–→#2" (added), "#1" (same on both). */
function nodeIds(n: PlanDiffNode): string {
  if (n.status === 'added') return `–→#${n.after!.id}`;
  if (n.status === 'removed') return `#${n.before!.id}→–`;
  return n.before!.id === n.after!.id ? `#${n.after!.id}` : `#${n.before!.id}→#${n.after!.id}`;
}

/** Self time when timed, else self cost: what makes a node's change matter. */
function weight(s: PlanDiffNodeSide | undefined): number {
  return s ? (s.selfTimeMs ?? s.selfCost) : 0;
}

/**
 * The changed, added and removed nodes; past `max`, the ones that matter most (a new node type
 * or index first, then the largest change of self time, or of cost without ANALYZE), shown in
 * tree order.
 */
function notableNodes(d: PlanDiff, max: number): { shown: PlanDiffNode[]; total: number } {
  const notable: number[] = [];
  d.nodes.forEach((n, i) => {
    if (n.status !== 'matched' || n.changes.length > 0) notable.push(i);
  });
  if (notable.length <= max) return { shown: notable.map((i) => d.nodes[i]), total: notable.length };
  const score = (n: PlanDiffNode) => {
    const structural = n.status !== 'matched' || n.changes.includes('type') || n.changes.includes('index') ? 1e15 : 0;
    return structural + Math.abs(weight(n.after) - weight(n.before));
  };
  const top = [...notable].sort((x, y) => score(d.nodes[y]) - score(d.nodes[x]) || x - y).slice(0, max);
  top.sort((x, y) => x - y);
  return { shown: top.map((i) => d.nodes[i]), total: notable.length };
}

/** The figures of a node on both sides, "a → b" where they differ. */
function nodeFigures(n: PlanDiffNode, minus: string): string[] {
  const b = n.before;
  const a = n.after;
  const parts: string[] = [];
  const time = (s?: PlanDiffNodeSide) => (s ? s.selfTimeMs : undefined);
  if (time(b) != null || time(a) != null) {
    let t = `self ${pairText(time(b), time(a), formatMs)}`;
    if (b?.selfTimeMs != null && a?.selfTimeMs != null && a.selfTimeMs !== b.selfTimeMs) t += ` (${signed(a.selfTimeMs - b.selfTimeMs, formatMs, minus)})`;
    parts.push(t);
  } else {
    parts.push(`self cost ${pairText(b?.selfCost, a?.selfCost, fmtCost)}`);
  }
  if (b?.rows != null || a?.rows != null) parts.push(`rows ${pairText(b?.rows, a?.rows, fmtInt)}`);
  parts.push(`est ${pairText(b?.planRows, a?.planRows, fmtInt)}`);
  const loops = (s?: PlanDiffNodeSide) => (s ? s.loops : undefined);
  if ((loops(b) ?? 1) !== 1 || (loops(a) ?? 1) !== 1) parts.push(`loops ${pairText(loops(b), loops(a), fmtInt)}`);
  if ((b?.sharedHit ?? 0) !== 0 || (a?.sharedHit ?? 0) !== 0 || (b?.sharedRead ?? 0) !== 0 || (a?.sharedRead ?? 0) !== 0) {
    parts.push(`hit ${pairText(b?.sharedHit, a?.sharedHit, fmtInt)}`);
    if ((b?.sharedRead ?? 0) !== 0 || (a?.sharedRead ?? 0) !== 0) parts.push(`read ${pairText(b?.sharedRead, a?.sharedRead, fmtInt)}`);
  }
  return parts;
}

function headline(d: PlanDiff, minus: string): string {
  const m = d.measure.figure;
  const what = d.measure.name === 'totalTimeMs' ? 'time' : 'cost';
  const fmt = d.measure.name === 'totalTimeMs' ? formatMs : fmtCost;
  if (m.delta === null) return `Total ${what}: ${value(m.before, fmt)} → ${value(m.after, fmt)}`;
  const verdict = m.delta < 0 ? 'faster' : m.delta > 0 ? 'slower' : 'the same';
  const word = what === 'cost' ? (m.delta < 0 ? 'cheaper' : m.delta > 0 ? 'costlier' : 'the same') : verdict;
  return `Total ${what} ${value(m.before, fmt)} → ${value(m.after, fmt)}: ${change(m, fmt, minus)}, ${word}`;
}

function shapeLine(d: PlanDiff): string {
  const c = d.counts;
  const parts = [`${formatCount(c.matched)} matched (${formatCount(c.changed)} changed${c.typeChanged ? `, ${formatCount(c.typeChanged)} of another type or index` : ''})`];
  parts.push(`${formatCount(c.added)} added`, `${formatCount(c.removed)} removed`);
  return `${d.sameShape ? 'Same plan shape' : 'Plan shape changed'}: ${parts.join(', ')}`;
}

function noChangeLine(d: PlanDiff): string {
  return `No change: the two plans are the same (${formatCount(d.after.nodes)} node${d.after.nodes === 1 ? '' : 's'}, same figures, same findings).`;
}

function findingText(f: PlanDiffFinding): string {
  return `${f.severity} ${f.rule} at #${f.node.id} ${f.node.title}: ${f.message}`;
}

export function renderPlanDiffText(d: PlanDiff, options: RenderDiffOptions = {}): string {
  const minus = '-';
  const out: string[] = [`Plan diff: ${d.before.label} → ${d.after.label}`];
  if (d.unchanged) {
    out.push(noChangeLine(d));
    return out.map(escapeControl).join('\n');
  }
  out.push(headline(d, minus), '');
  const rows = totalRows(d).map(([name, f, fmt]) => [name, value(f.before, fmt), value(f.after, fmt), change(f, fmt, minus)]);
  const table = [['', 'before', 'after', 'change'], ...rows];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...table.map((r) => r[c].length)));
  for (const r of table) out.push(`  ${r[0].padEnd(widths[0])}  ${r[1].padStart(widths[1])}  ${r[2].padStart(widths[2])}  ${r[3]}`.trimEnd());
  if (!d.before.analyzed || !d.after.analyzed) {
    const which = !d.before.analyzed && !d.after.analyzed ? 'Neither plan has' : `${!d.before.analyzed ? 'The before' : 'The after'} plan has no`;
    out.push(`  (${which} ANALYZE figures: compared on costs and estimates)`);
  }

  out.push('', shapeLine(d));
  const { shown, total } = notableNodes(d, options.maxNodes ?? 100);
  if (total === 0) out.push('Node changes: none');
  else {
    out.push(`Node changes (${total === shown.length ? formatCount(total) : `${formatCount(shown.length)} of ${formatCount(total)}, the largest`}):`);
    for (const n of shown) {
      const mark = n.status === 'added' ? '+' : n.status === 'removed' ? '-' : '~';
      const kinds = n.status === 'matched' ? `  [${n.changes.join(', ')}]` : `  [${n.status}]`;
      out.push(`  ${mark} ${nodeIds(n)} ${nodeName(n)}${kinds}`);
      out.push(`      ${nodeFigures(n, minus).join(' · ')}`);
    }
    if (total > shown.length) out.push(`  … ${formatCount(total - shown.length)} more changed nodes (--format json lists every node)`);
  }

  out.push('');
  const list = (title: string, fs: PlanDiffFinding[]) => {
    if (fs.length === 0) out.push(`${title}: none`);
    else {
      out.push(`${title} (${fs.length}):`);
      for (const f of fs) out.push(`  ${findingText(f)}`);
    }
  };
  list('Findings resolved', d.findings.resolved);
  list('Findings new', d.findings.new);
  if (d.findings.kept.length > 0) out.push(`Findings in both: ${d.findings.kept.map((f) => `${f.rule} at ${f.node.title}`).join(', ')}`);
  return out.map(escapeControl).join('\n');
}

/** GitHub Markdown for a pull-request comment: headline, totals table, changed nodes table, findings. */
export function planDiffToMarkdown(d: PlanDiff, options: RenderDiffOptions = {}): string {
  const minus = '−';
  const out: string[] = ['### pglens plan diff', '', `${codeSpan(escapeControl(d.before.label))} → ${codeSpan(escapeControl(d.after.label))}`, ''];
  if (d.unchanged) {
    out.push(noChangeLine(d));
    return out.join('\n') + '\n';
  }
  // Both are pglens's own words and numbers: nothing from the plans to escape.
  out.push(`**${headline(d, minus)}** · ${shapeLine(d)}`, '');
  out.push('| | before | after | change |', '| --- | ---: | ---: | ---: |');
  for (const [name, f, fmt] of totalRows(d)) out.push(`| ${name} | ${value(f.before, fmt)} | ${value(f.after, fmt)} | ${change(f, fmt, minus)} |`);
  if (!d.before.analyzed || !d.after.analyzed) out.push('', '_Estimates only on at least one side (no ANALYZE): compared on costs._');

  const { shown, total } = notableNodes(d, options.maxNodes ?? 25);
  out.push('', `#### Node changes (${total === shown.length ? formatCount(total) : `${formatCount(shown.length)} of ${formatCount(total)}`})`, '');
  if (total === 0) out.push('None.');
  else {
    out.push('| | node | self time | rows (est) | loops | shared hit / read | what changed |', '| --- | --- | ---: | ---: | ---: | ---: | --- |');
    for (const n of shown) {
      const b = n.before;
      const a = n.after;
      const mark = n.status === 'matched' ? 'changed' : n.status;
      const time = b?.selfTimeMs != null || a?.selfTimeMs != null ? pairText(b?.selfTimeMs, a?.selfTimeMs, formatMs) : `cost ${pairText(b?.selfCost, a?.selfCost, fmtCost)}`;
      const rowsOf = (s?: PlanDiffNodeSide) => (s ? `${value(s.rows, fmtInt)} (${fmtInt(s.planRows)})` : undefined);
      const rows = b && a ? (rowsOf(b) === rowsOf(a) ? rowsOf(a) : `${rowsOf(b)} → ${rowsOf(a)}`) : rowsOf(a ?? b);
      const bufOf = (s?: PlanDiffNodeSide) => (s && s.sharedHit !== null ? `${fmtInt(s.sharedHit)} / ${fmtInt(s.sharedRead ?? 0)}` : '–');
      const buffers = b && a ? (bufOf(b) === bufOf(a) ? bufOf(a) : `${bufOf(b)} → ${bufOf(a)}`) : bufOf(a ?? b);
      const cells = [
        mark,
        `${nodeIds(n)} ${escapeMarkdown(nodeName(n))}`,
        time,
        rows ?? '–',
        pairText(b?.loops, a?.loops, fmtInt),
        buffers,
        n.changes.join(', '),
      ];
      out.push(`| ${cells.join(' | ')} |`);
    }
    if (total > shown.length) out.push('', `… ${formatCount(total - shown.length)} more changed nodes (\`pglens plan --format json\` lists every node).`);
  }

  const list = (title: string, fs: PlanDiffFinding[]) => {
    out.push('', `#### ${title} (${fs.length})`, '');
    if (fs.length === 0) out.push('None.');
    for (const f of fs) {
      out.push(`- **${f.severity}** ${codeSpan(f.rule)} at #${f.node.id} ${escapeMarkdown(f.node.title)}: ${escapeMarkdown(f.message)}`);
      out.push(`  - Fix: ${codeSpan(f.fix)}`);
    }
  };
  list('Findings resolved', d.findings.resolved);
  list('New findings', d.findings.new);
  return out.join('\n') + '\n';
}
