import type { Connection } from '../../db/connection';
import { errorMessage, isPglensError, PglensError } from '../../errors';
import { ruleSetting, type PglensConfig } from '../../config';
import { SEVERITY_RANK } from '../../types';
import type { CheckJudgement, DatabaseCheck, DatabaseFinding, DatabaseRuleId, Thresholds } from './check';
import { DATABASE_CHECKS } from './checks';
import { databaseCheckOptions, numericOptionsProblem, type NumericOptions } from '../health-options';

export type CheckState = 'ran' | 'skipped' | 'off' | 'failed';

/** What became of one check in a snapshot: the view and `pglens health` list every check, run or not. */
export interface CheckResult {
  id: DatabaseRuleId;
  title: string;
  state: CheckState;
  /** Why it was skipped or failed, with the next step (e.g. the privilege it needs). */
  reason?: string;
  summary?: string;
  /**
   * Ran, but could not read part of what it judges (privileges, locks): its notes say what. Absent
   * otherwise. A check that could read none of it is `failed` instead.
   */
  partial?: true;
  notes: string[];
  findings: number;
  /** Thresholds in effect (defaults merged with `.pglens.json`). */
  thresholds: Thresholds;
}

export interface DatabaseHealth {
  checks: CheckResult[];
  /** Most severe first. */
  findings: DatabaseFinding[];
}

export interface DatabaseHealthOptions {
  schemas?: string[];
  /** `.pglens.json`: severities ('off' skips a check) and thresholds. */
  config?: PglensConfig;
  /** Only these checks (default: all). */
  only?: readonly DatabaseRuleId[];
  /** The checks to run (tests pass their own); default: every check. */
  checks?: readonly DatabaseCheck<unknown>[];
}

/**
 * Runs every database health check on one connection, one after the other (the connection is
 * one session). A check that fails — missing privilege, a view a managed service hides, a
 * timeout — is reported with its reason and the rest still run. Only SELECTs: no check writes.
 */
export async function databaseHealth(conn: Connection, options: DatabaseHealthOptions = {}): Promise<DatabaseHealth> {
  const checks = (options.checks ?? DATABASE_CHECKS).filter((c) => !options.only || options.only.includes(c.id));
  const { serverVersionNum, role } = await serverInfo(conn);
  const results: CheckResult[] = [];
  const findings: DatabaseFinding[] = [];
  for (const check of checks) {
    const setting = options.config ? ruleSetting(options.config, check.id, check.defaultSeverity) : { severity: check.defaultSeverity, options: {} };
    const configured = options.config?.rules[check.id];
    const thresholds = mergeThresholds(check.id, databaseCheckOptions(check.defaults), setting?.options ?? {}, options.config?.file ?? '.pglens.json');
    const base = { id: check.id, title: check.title, notes: [] as string[], findings: 0, thresholds };
    if (!setting) {
      results.push({ ...base, state: 'off', reason: `turned off in ${options.config?.file ?? '.pglens.json'}` });
      continue;
    }
    if (conn.kind === 'embedded' && check.sandbox !== true) {
      results.push({ ...base, state: 'skipped', reason: check.sandbox });
      continue;
    }
    let data: unknown;
    try {
      data = await readOnly(conn, () => check.read({ conn, serverVersionNum, schemas: options.schemas ?? [], role }));
    } catch (e) {
      results.push({ ...base, state: 'failed', reason: failureReason(check, e) });
      continue;
    }
    const judged = check.judge(data, thresholds, conn.kind);
    if (judged.unjudged) {
      results.push({ ...base, state: 'failed', reason: unjudgedReason(check, judged.unjudged), notes: judged.notes ?? [] });
      continue;
    }
    // A severity the user changed applies to every finding of the check; the default one (given
    // only to set thresholds) keeps the check's own escalation, e.g. warning → error past a line.
    const own = configured && setting.severity !== check.defaultSeverity ? setting.severity : undefined;
    for (const f of judged.findings) findings.push(own && f.severity !== own ? { ...f, severity: own } : f);
    results.push({
      ...base,
      state: 'ran',
      ...(judged.summary !== undefined ? { summary: judged.summary } : {}),
      ...(judged.partial ? { partial: true as const } : {}),
      notes: judged.notes ?? [],
      findings: judged.findings.length,
    });
  }
  findings.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || order(a.ruleId) - order(b.ruleId) || subject(a).localeCompare(subject(b)));
  return { checks: results, findings };

  function order(id: DatabaseRuleId): number {
    return checks.findIndex((c) => c.id === id);
  }
}

function subject(f: DatabaseFinding): string {
  return `${f.schema ?? ''}.${f.table ?? f.sequence ?? ''}.${f.column ?? ''}.${f.pid ?? ''}`;
}

async function serverInfo(conn: Connection): Promise<{ serverVersionNum: number; role: string }> {
  const r = await conn.query<{ v: number; role: string }>(`SELECT current_setting('server_version_num')::int AS v, current_user::text AS role`);
  return { serverVersionNum: r.rows[0]?.v ?? 0, role: r.rows[0]?.role ?? '' };
}

/**
 * One check's read inside a READ ONLY transaction that is rolled back, whatever happens: no check
 * can write, and nothing it set outlives it. JIT off (compiling a catalog query over thousands of
 * relations costs more than running it) and a lock wait of at most a second: a check never queues
 * behind the ALTER TABLE it may be reporting. The statement timeout is the connection's.
 */
export async function readOnly<T>(conn: Connection, read: () => Promise<T>): Promise<T> {
  // Inside a caller's transaction (now() is its start, not this statement's), a savepoint keeps
  // the caller's transaction and its settings; READ ONLY may be switched on at any point.
  const outer = (await conn.query<{ v: boolean }>('SELECT now() <> statement_timestamp() AS v')).rows[0]?.v === true;
  await conn.query(outer ? 'SAVEPOINT pglens_health' : 'BEGIN READ ONLY');
  try {
    if (outer) await conn.query('SET LOCAL transaction_read_only = on');
    await conn.query(`SELECT set_config(name, 'off', true) FROM pg_settings WHERE name = 'jit'`);
    await conn.query(`SELECT set_config('lock_timeout', '1s', true)`);
    return await read();
  } finally {
    if (outer) {
      await conn.query('ROLLBACK TO SAVEPOINT pglens_health');
      await conn.query('RELEASE SAVEPOINT pglens_health');
    } else {
      await conn.query('ROLLBACK');
    }
  }
}

/**
 * Defaults merged with `.pglens.json`'s options of rule `id` (a database check's, or any health rule
 * with numeric options, health-options.ts). The config reader has checked them when it read the
 * file, against the same list; a config built in code, or a check it does not know (tests pass
 * their own), is checked here: a wrong option stops the run, as it stops the reading of the file —
 * a threshold silently replaced by its default would pass a check that should fail.
 */
export function mergeThresholds(id: string, spec: NumericOptions, options: Record<string, unknown>, file: string): Thresholds {
  const problem = numericOptionsProblem(id, spec, options);
  if (problem) {
    throw new PglensError('bad-input', `${file}: "rules.${id}" option "${problem.path}" ${problem.problem}`, `fix it in ${file} (docs/rules/${id}.md lists the options)`);
  }
  return { ...spec.defaults, ...(options as Thresholds) };
}

/** A check that read nothing it could judge: the reason, and the privilege that lets it read. */
function unjudgedReason(check: DatabaseCheck<unknown>, unjudged: NonNullable<CheckJudgement['unjudged']>): string {
  if (unjudged.privilege) return `not allowed to read what it judges: ${unjudged.reason}${check.privilege ? ` — it needs ${check.privilege}` : ''}`;
  return `could not judge anything: ${unjudged.reason}`;
}

/** A failed read as a sentence with the next step: the privilege for a permission error, --timeout for a timeout. */
function failureReason(check: DatabaseCheck<unknown>, e: unknown): string {
  // The server's own words, without the hint a PglensError adds for Explain.
  const message = (isPglensError(e) ? e.message.split(' — ')[0] : errorMessage(e)).split('\n')[0];
  if (/permission denied|must be superuser|must be a member|insufficient privilege/i.test(message)) {
    return check.privilege ? `not allowed: ${message} — it needs ${check.privilege}` : `not allowed: ${message}`;
  }
  if (/lock timeout/i.test(message)) {
    return 'another session held a lock on what it reads for more than a second (a migration or maintenance in progress?): run it again, and see blocking-locks';
  }
  if (isPglensError(e) && e.code === 'timeout') {
    return 'timed out: the statement timeout ended its query — raise --timeout SECONDS (CLI) or pglens.explain.statementTimeout (editor)';
  }
  if (/does not exist/i.test(message)) return `not available on this server: ${message}`;
  return `could not run: ${message}`;
}
