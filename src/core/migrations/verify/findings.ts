import type { Finding, Severity, SourceRange } from '../../types';
import type { SchemaDifference } from './types';
import type { MigrationVerdict, PartLocation } from './verify';
import type { VERIFY_RULE_IDS } from '../../lint/rule-ids';

export type VerifyRuleId = (typeof VERIFY_RULE_IDS)[number];

/** Default severity of each verification finding (`.pglens.json` `rules` can change or turn them off, as for lint rules). */
export const VERIFY_DEFAULT_SEVERITY: Record<VerifyRuleId, Severity> = {
  'rollback-fails': 'error',
  'rollback-incomplete': 'warning',
  'rollback-destroys-data': 'warning',
  'missing-down-migration': 'info',
  'rollback-unverifiable': 'warning',
};

/** A verification finding: a lint Finding, plus the schema difference it is about. */
export interface VerifyFinding extends Finding {
  difference?: SchemaDifference;
  migration: string;
}

export interface FindingOptions {
  describe(d: SchemaDifference): string;
  /** A 1-based line of a file as a range (the whole line); the file as the verdict names it. */
  lineRange(location: PartLocation): SourceRange;
  /** The severity of a rule, undefined when it is off (default: VERIFY_DEFAULT_SEVERITY). */
  severity?(rule: VerifyRuleId): Severity | undefined;
  /** How a file is named inside a message (default: as the verdict names it). */
  show?(file: string): string;
  /** At most this many differences reported per migration (default 20); the last finding says how many more. */
  maxDifferences?: number;
}

/** Per runner: how a migration gets a down, for `missing-down-migration`. */
const DOWN_HOW: Record<string, string> = {
  goose: 'a `-- +goose Down` section',
  'golang-migrate': 'a `.down.sql` file next to the `.up.sql`',
  dbmate: 'a `-- migrate:down` section',
  'sql-migrate': 'a `-- +migrate Down` section',
  diesel: 'a `down.sql` next to `up.sql`',
  flyway: 'an undo script `U<version>__<name>.sql` (Flyway Teams runs it)',
  liquibase: '`--rollback` lines in the changeset',
  sqitch: 'its `revert/` script',
  popx: 'a `.down.sql` file',
};

/** The findings a verification report gives, at the lines of the parts concerned. */
export function verdictFindings(verdicts: MigrationVerdict[], options: FindingOptions): VerifyFinding[] {
  const out: VerifyFinding[] = [];
  const max = options.maxDifferences ?? 20;
  const show = options.show ?? ((f: string) => f);
  const severityOf = options.severity ?? ((r: VerifyRuleId) => VERIFY_DEFAULT_SEVERITY[r]);
  const push = (rule: VerifyRuleId, at: PartLocation, message: string, migration: string, difference?: SchemaDifference): void => {
    const severity = severityOf(rule);
    if (!severity) return;
    out.push({ ruleId: rule, severity, message, file: at.file, range: options.lineRange(at), migration, ...(difference && { difference }) });
  };
  for (const v of verdicts) {
    const down = v.down ?? v.up;
    if (v.emptyDown && (v.kind === 'incomplete' || v.kind === 'reapply-fails')) {
      // One finding, not one per thing the up changed: the down is simply empty.
      const diffs = v.differences ?? [];
      const named = diffs.slice(0, 3).map((d) => `${d.kind} ${d.name}`).join(', ') + (diffs.length > 3 ? `, and ${diffs.length - 3} more` : '');
      const after = diffs.length ? ` what the up changed stays (${named})` : '';
      const again = v.kind === 'reapply-fails' ? `${after ? ',' : ''} and the up fails when applied again (${v.failure?.message ?? 'unknown error'})` : '';
      push(v.kind === 'reapply-fails' ? 'rollback-fails' : 'rollback-incomplete', down, `The down of ${v.id} is empty: it undoes nothing —${after}${again}.`, v.id);
      continue;
    }
    switch (v.kind) {
      case 'down-fails':
        push('rollback-fails', v.failure ?? down, `The down of ${v.id} fails: ${v.failure?.message ?? 'unknown error'}. A rollback would stop here, with the database half-way.`, v.id);
        break;
      case 'reapply-fails':
        push(
          'rollback-fails',
          down,
          `After the down of ${v.id}, its up fails again (${v.failure?.message ?? 'unknown error'}, at ${v.failure ? show(v.failure.file) : '?'}:${v.failure?.line}): the down leaves something behind.`,
          v.id,
        );
        break;
      case 'no-down':
        push('missing-down-migration', v.up, `${v.id} has no down: ${v.runner} can roll it back only with ${DOWN_HOW[v.runner] ?? 'a down part'}.`, v.id);
        break;
      case 'unverifiable':
        if (v.timedOut) {
          const limit = `${v.timedOut.seconds} s`;
          const raise = 'If it is only slow, raise the limit (pglens migrations verify --timeout SECONDS).';
          if (v.timedOut.part === 'up') {
            push(
              'rollback-unverifiable',
              v.up,
              `Cannot verify ${v.id} or the migrations after it: its up ran longer than ${limit} on an empty database and was stopped — a loop that never ends, or a statement that waits, would hang the real migration too. ${raise}`,
              v.id,
            );
          } else {
            push(
              'rollback-unverifiable',
              down,
              v.timedOut.part === 'down'
                ? `Cannot verify the down of ${v.id}: it ran longer than ${limit} on an empty database and was stopped — a rollback would hang there. ${raise}`
                : `Cannot verify the down of ${v.id}: after it, the up ran longer than ${limit} when applied again and was stopped — the down may leave something the up waits on or loops over. ${raise}`,
              v.id,
            );
          }
          break;
        }
        push(
          'rollback-unverifiable',
          v.failure ?? v.up,
          `Cannot verify ${v.id} or the migrations after it: ${v.reason ?? 'its up fails'}. If it needs something from outside the folder (a role, an extension, a schema another tool creates), ` +
            'put that in a SQL file and name it in .pglens.json "sandbox": { "setup": "…" }: it runs before the first migration.',
          v.id,
        );
        break;
      default:
        break;
    }
    if (v.kind === 'incomplete' || v.kind === 'reapply-fails') {
      // Compared as JSON: a report that came through the child's answer has copies, not the same objects.
      const lost = new Set((v.dataLoss ?? []).map((d) => JSON.stringify(d)));
      for (const d of v.dataLoss ?? []) {
        const what = d.kind === 'table' ? `table ${d.name}` : d.kind === 'schema' ? `schema ${d.name} with everything in it (CASCADE)` : `column ${d.name}`;
        push('rollback-destroys-data', down, `The down of ${v.id} drops ${what}, which existed before the up: rolling back destroys its data.`, v.id, d);
      }
      const rest = (v.differences ?? []).filter((d) => !lost.has(JSON.stringify(d)));
      for (const d of rest.slice(0, max)) push('rollback-incomplete', down, `The down of ${v.id} does not restore the schema: ${options.describe(d)}.`, v.id, d);
      if (rest.length > max) push('rollback-incomplete', down, `The down of ${v.id} does not restore the schema: ${rest.length - max} more difference(s) not listed.`, v.id);
    }
  }
  return out;
}
