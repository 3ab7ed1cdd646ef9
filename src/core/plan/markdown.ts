/**
 * A PlanReport as GitHub Markdown for a pull-request comment: summary, findings with their
 * fixes, and the hot nodes as a compact tree. Every string from the plan is escaped (plain
 * text) or fenced (code) so identifiers cannot inject markup or HTML.
 */
import { formatCount, formatMs, formatPct, nodeTitle } from './format';
import type { PlanReport } from './types';

const HOT_TREE_MAX = 40;

/** Plain text safe for Markdown: no markup, no HTML, one line. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+!|~])/g, '\\$1')
    // No @mention out of a plan's strings: a word joiner (U+2060) after the sign.
    .replace(/@/g, '@&#8288;');
}

/** Inline code span that survives backticks inside `text`. */
export function codeSpan(text: string): string {
  const one = text.replace(/\r?\n/g, ' ');
  let longest = 0;
  for (const m of one.match(/`+/g) ?? []) longest = Math.max(longest, m.length);
  const fence = '`'.repeat(longest + 1);
  const pad = one.startsWith('`') || one.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${one}${pad}${fence}`;
}

function codeBlock(lines: string[], lang = 'text'): string {
  let longest = 2;
  for (const l of lines) for (const m of l.match(/`+/g) ?? []) longest = Math.max(longest, m.length);
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${lang}`, ...lines, fence].join('\n');
}

export function planToMarkdown(report: PlanReport): string {
  const { summary, nodes } = report;
  const out: string[] = ['### pglens plan analysis', ''];
  const facts: string[] = [];
  if (summary.executionTimeMs !== undefined) facts.push(`**Execution** ${formatMs(summary.executionTimeMs)}`);
  if (summary.planningTimeMs !== undefined) facts.push(`**Planning** ${formatMs(summary.planningTimeMs)}`);
  facts.push(`**Cost** ${summary.totalCost.toFixed(2)}`, `**Nodes** ${formatCount(summary.nodeCount)}`);
  if (!summary.analyzed) facts.push('estimates only (no ANALYZE)');
  out.push(facts.join(' · '));
  const slow = nodes[summary.slowestNodeId - 1];
  out.push('', `**Slowest node:** #${slow.id} ${escapeMarkdown(nodeTitle(slow))} — ${(summary.timed ?? summary.analyzed) ? `${formatMs(slow.exclusiveTimeMs)} self` : `cost ${slow.exclusiveCost.toFixed(2)} self`}, ${formatPct(slow.sharePct)} of the total`);
  if (report.query) out.push('', '<details><summary>Query</summary>', '', codeBlock(report.query.split(/\r?\n/), 'sql'), '', '</details>');

  out.push('', `#### Findings (${report.findings.length})`, '');
  if (report.findings.length === 0) out.push('No findings.');
  for (const f of report.findings) {
    const node = nodes[f.nodeId - 1];
    out.push(`- **${f.severity}** ${codeSpan(f.ruleId)} at #${node.id} ${escapeMarkdown(nodeTitle(node))}: ${escapeMarkdown(f.message)}`);
    const evidence = Object.entries(f.evidence).map(([k, v]) => `${escapeMarkdown(k)} ${typeof v === 'number' ? (Number.isInteger(v) ? formatCount(v) : String(v)) : codeSpan(v)}`);
    if (evidence.length) out.push(`  - Evidence: ${evidence.join(' · ')}`);
    out.push(`  - Fix: ${codeSpan(f.fix)}`);
  }

  const hot = summary.hotPath.slice(0, HOT_TREE_MAX).map((id) => nodes[id - 1]);
  if (hot.length > 0) {
    const base = hot[0].depth;
    const lines = hot.map((n) => {
      const figures = (summary.timed ?? summary.analyzed)
        ? n.neverExecuted
          ? 'never executed'
          : `${formatMs(n.exclusiveTimeMs)} self (${formatPct(n.sharePct)}), rows ${formatCount(n.actualRows ?? 0)}${n.raw['Plan Rows'] === undefined ? '' : ` of ${formatCount(n.planRows)} est`}${n.loops && n.loops > 1 ? `, ${formatCount(n.loops)} loops` : ''}`
        : `cost ${n.totalCost.toFixed(2)} (${formatPct(n.sharePct)} self)`;
      return `${'  '.repeat(Math.max(0, n.depth - base))}-> #${n.id} ${nodeTitle(n)}  ${figures}`;
    });
    if (summary.hotPath.length > HOT_TREE_MAX) lines.push(`… ${summary.hotPath.length - HOT_TREE_MAX} more hot nodes`);
    out.push('', '#### Hot path', '', codeBlock(lines));
  }

  if (summary.settings && Object.keys(summary.settings).length > 0) {
    const settings = Object.entries(summary.settings).map(([k, v]) => codeSpan(`${k} = '${v}'`));
    out.push('', `Settings that differ from the defaults: ${settings.join(', ')}`);
  }
  return out.join('\n') + '\n';
}
