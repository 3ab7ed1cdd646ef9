/**
 * What the measurements prove, candidate by candidate: kept as a suggestion, rejected with the
 * reason, or unverified — and the thresholds a candidate must pass.
 */
import { candidateDdl, emittedDdl, partitionNote, type IndexCandidate, type TableInfo } from './candidates';
import type { FoundCandidates } from './find-candidates';
import { WRITE_OVERHEAD } from './index-types';
import { percent } from './selectivity';
import { isCandidateIndex, measurement, type Measured, type Outcome } from './session';
import type { AdviceResult, ExtensionNeed, Suggestion, Unverified, VerifyMethod } from './types';

/** A candidate must save at least this many cost units (about as many page reads) to be worth an index. */
export const MIN_COST_REDUCTION = 50;

/**
 * An expression predicate that pg_stats says matches at least this share of the rows is not
 * worth an index, whatever the planner — with no statistics on the expression — assumed.
 */
export const UNSELECTIVE_SHARE = 0.2;

/** Below this share, the planner's guess for an expression is close enough to trust its cost. */
const TRUSTED_SHARE = 0.01;

export interface Thresholds {
  minImprovement: number;
  minCostReduction: number;
}

/** What the checks of one measured candidate decided. */
type Verdict = { kind: 'keep'; note?: string } | { kind: 'reject'; reason: string } | { kind: 'unverified'; reason: string };

function ms(n: number | undefined): string {
  return n === undefined ? '?' : `${n.toFixed(n < 10 ? 2 : 1)} ms`;
}

/**
 * Whether a measured candidate is a real improvement, not a cost that dropped on paper: the
 * plan uses it; the cost falls by the relative and the absolute margin; it is used where the
 * time went (the slow node of the plan before reads its table); on the sandbox, the run reads
 * fewer buffers or takes clearly less time; with HypoPG, an expression's predicate is as
 * selective as the planner assumed (it has no statistics on the expression).
 */
function verdictOf(o: Extract<Outcome, { kind: 'measured' }>, before: Measured, how: VerifyMethod, t: Thresholds, table: TableInfo | undefined): Verdict {
  const { after, candidate: c } = o;
  const costs = `cost ${before.totalCost.toFixed(1)} → ${after.totalCost.toFixed(1)}`;
  if (!o.used) return { kind: 'reject', reason: 'the planner does not use it' };
  if (after.totalCost > before.totalCost * (1 - t.minImprovement)) return { kind: 'reject', reason: `${costs} is less than a ${Math.round(t.minImprovement * 100)}% gain` };
  const saved = before.totalCost - after.totalCost;
  if (saved < t.minCostReduction) {
    return {
      kind: 'reject',
      reason: `${costs} saves ${saved.toFixed(1)} cost units, less than the ${t.minCostReduction} an index must save to be worth its upkeep on every write (the scan it replaces is already cheap)`,
    };
  }
  const uses = after.facts.indexUses.filter((u) => isCandidateIndex(u.index, o.names, c));
  const slow = before.facts.slowNode;
  const usedOn = uses.map((u) => u.relation).filter((r): r is string => r !== undefined);
  if (slow && slow.relations.length > 0 && usedOn.length > 0 && !usedOn.some((r) => slow.relations.includes(r))) {
    return {
      kind: 'reject',
      reason: `${costs}, but the plan uses it on ${[...new Set(usedOn)].join(', ')} while its slow node (${slow.label}, ${Math.round(slow.share * 100)}% of the cost) reads ${slow.relations.join(', ')}: it does not serve the part of the plan that was slow`,
    };
  }
  if (how === 'sandbox' && before.buffers !== undefined && after.buffers !== undefined) {
    const measured = `${before.buffers} → ${after.buffers} shared buffers, ${ms(before.executionTimeMs)} → ${ms(after.executionTimeMs)}`;
    if (after.buffers > before.buffers) {
      return {
        kind: 'reject',
        reason: `${costs} on paper, but measured on the sandbox it touches more pages than the plan without it (${measured}, in memory): the rows it finds are spread over about every page of the table, so it saves no reads`,
      };
    }
    const fewer = after.buffers <= before.buffers * (1 - t.minImprovement);
    const faster = before.executionTimeMs !== undefined && after.executionTimeMs !== undefined && after.executionTimeMs <= before.executionTimeMs * (1 - t.minImprovement);
    if (!fewer && !faster) return { kind: 'reject', reason: `${costs} on paper, but measured on the sandbox (${measured}) the run gains less than ${Math.round(t.minImprovement * 100)}%` };
  }
  const sel = o.selectivity;
  if (sel) {
    const rows = Math.max(table?.estimatedRows ?? 0, 1);
    const assumed = Math.max(0, ...uses.map((u) => (u.planRows ?? 0) / rows));
    const guess = `the planner, with no statistics on an expression until an index on it is analyzed, assumed ${percent(Math.min(assumed, 1))}`;
    if (sel.share === undefined) {
      return {
        kind: 'unverified',
        reason: `${costs} with HypoPG, but that cost rests on a guess (${guess}), and ${sel.note}: create it where you can test it and check the plan after ANALYZE, or verify it on the sandbox with representative data`,
      };
    }
    if (sel.share >= UNSELECTIVE_SHARE) {
      return { kind: 'reject', reason: `${sel.note}: an index does not pay for a predicate that unselective — ${costs} with HypoPG only because ${guess}` };
    }
    if (sel.share > Math.max(2 * assumed, TRUSTED_SHARE)) {
      return {
        kind: 'unverified',
        reason: `${costs} with HypoPG, but ${sel.note} where ${guess}: the cost understates the scan; check the plan after creating it and running ANALYZE, or verify it on the sandbox with representative data`,
      };
    }
    return { kind: 'keep', note: sel.note };
  }
  return { kind: 'keep' };
}

/** The reason a candidate was not kept, with the rewrite the query needs when that is why. */
function withRewrite(reason: string, c: IndexCandidate): string {
  return c.rewrite ? `${reason} — ${c.rewrite}` : reason;
}

/** A CREATE INDEX error in words that say what to do. */
function buildError(message: string, c: IndexCandidate): string {
  if (/must be marked IMMUTABLE/i.test(message)) {
    return `cannot be built: the expression depends on a setting (functions in an index must be IMMUTABLE)${c.rewrite ? '' : ' — compare the column itself, or make the expression immutable'}`;
  }
  return `could not be tested: ${message}`;
}

/** What verification concluded, candidate by candidate, over one or two sessions (in the order found). */
export class Verdicts {
  readonly suggestions: Suggestion[] = [];
  readonly rejected: AdviceResult['rejected'];
  readonly unverified: Unverified[] = [];
  /** The candidate behind each suggestion. */
  readonly candidateOf = new Map<Suggestion, IndexCandidate>();
  /** Per table, the candidate the planner used at the lowest cost alone: the members of `together`. */
  readonly bestUsed = new Map<string, { candidate: IndexCandidate; totalCost: number }>();

  constructor(
    private readonly found: FoundCandidates,
    private readonly thresholds: Thresholds,
  ) {
    this.rejected = found.considered.filter((c) => c.notTried !== undefined).map((c) => ({ ddl: emittedDdl(c), totalCost: Number.NaN, reason: c.notTried! }));
  }

  addUnverified(c: IndexCandidate, reason: string, extension?: ExtensionNeed): void {
    this.unverified.push({ ddl: emittedDdl(c), reason: withRewrite(reason, c), ...(extension ? { extension } : {}), ...(c.rewrite ? { rewrite: c.rewrite } : {}) });
  }

  /** Turns one session's outcomes into suggestions and rejections; returns what is left to verify elsewhere. */
  judge(outcomes: Outcome[], before: Measured, how: VerifyMethod, foreign: boolean, exts: Map<string, ExtensionNeed>): Outcome[] {
    const left: Outcome[] = [];
    for (const o of outcomes) {
      const c = o.candidate;
      const ddl = emittedDdl(c);
      if (o.kind === 'error') {
        this.rejected.push({ ddl, totalCost: Number.NaN, reason: withRewrite(buildError(o.message, c), c) });
        continue;
      }
      if (o.kind !== 'measured') {
        left.push(o);
        continue;
      }
      const { after, used } = o;
      const improvement = before.totalCost / Math.max(after.totalCost, 0.001);
      const tableKey = `${c.schema}.${c.table}`;
      if (!foreign && used && after.totalCost < (this.bestUsed.get(tableKey)?.totalCost ?? Infinity)) this.bestUsed.set(tableKey, { candidate: c, totalCost: after.totalCost });
      const table = this.found.tables.find((t) => t.schema === c.schema && t.name === c.table);
      const verdict = verdictOf(o, before, how, this.thresholds, table);
      if (verdict.kind === 'reject') {
        this.rejected.push({ ddl, totalCost: after.totalCost, reason: withRewrite(verdict.reason, c) });
        continue;
      }
      if (verdict.kind === 'unverified') {
        this.addUnverified(c, verdict.reason);
        continue;
      }
      const extension = c.extension ? (this.found.extensions.get(c.extension) ?? exts.get(c.extension)) : undefined;
      const partitioned = partitionNote(c);
      const suggestion: Suggestion = {
        ddl,
        schema: c.schema,
        table: c.table,
        columns: c.columns,
        include: c.include,
        ...(c.descending.some(Boolean) ? { descending: c.descending } : {}),
        where: c.where,
        method: how,
        reason: [c.reason, verdict.note, partitioned].filter(Boolean).join('; '),
        after: measurement(after),
        improvement,
        ...(c.using ? { using: c.using } : {}),
        ...(c.opclasses ? { opclasses: c.opclasses } : {}),
        ...(c.opclassSchemas ? { opclassSchemas: c.opclassSchemas } : {}),
        ...(c.expressions ? { expressions: c.expressions } : {}),
        ...(extension ? { extension } : {}),
        ...(o.sizeBytes !== undefined && Number.isFinite(o.sizeBytes) ? { sizeBytes: o.sizeBytes } : {}),
        writeOverhead: WRITE_OVERHEAD[c.using ?? 'btree'],
        ...(foreign ? { before: measurement(before) } : {}),
        ...(c.rewrite ? { rewrite: c.rewrite } : {}),
        ...(c.partitions ? { transactionalDdl: `${candidateDdl(c, true)};` } : {}),
      };
      this.suggestions.push(suggestion);
      this.candidateOf.set(suggestion, c);
    }
    return left;
  }
}
