import { shellWord } from '../../format';
import { qualifiedName } from '../../fix-sql';
import { USER_SCHEMAS, type CheckJudgement, type CheckReadContext, type DatabaseCheck, type DatabaseFinding, type Thresholds } from '../check';

/** Ages in transactions (xid) and multixacts (mxid): how far the oldest unfrozen row lies behind the current counter. */
export interface AgedRelation {
  schema: string;
  table: string;
  xidAge: number;
  mxidAge: number;
}

/** What holds the oldest transaction horizon back: VACUUM cannot freeze rows newer than it. */
export interface HorizonHolder {
  kind: 'session' | 'prepared transaction' | 'replication slot';
  /** pid, gid or slot name. */
  name: string;
  age: number;
}

export interface XidData {
  currentDatabase: string;
  freezeMaxAge: number;
  multixactFreezeMaxAge: number;
  /** vacuum_failsafe_age (PostgreSQL 14+); null before. */
  failsafeAge: number | null;
  databases: { name: string; xidAge: number; mxidAge: number }[];
  /** The oldest tables of the schemas looked at (a TOAST table counts for its table), oldest first. */
  tables: AgedRelation[];
  /** The oldest table of the current database in any schema, system and temporary ones included. */
  oldest: AgedRelation | null;
  horizon: HorizonHolder[];
  /** pg_read_all_stats (or superuser): other roles' sessions show their transaction horizon. */
  seesAllSessions: boolean;
  role: string;
}

/** Transaction IDs are 32-bit and compared modulo 2^32: a row older than 2^31 transactions would appear to be in the future. */
const WRAPAROUND_LIMIT = 2 ** 31;

/** Tables read per snapshot: enough for the fix, bounded for 10,000-table databases. */
const TABLE_LIMIT = 20;

const SETTINGS_SQL = `
SELECT current_database() AS database, current_user AS role,
       current_setting('autovacuum_freeze_max_age')::float8 AS freeze_max_age,
       current_setting('autovacuum_multixact_freeze_max_age')::float8 AS mxid_freeze_max_age,
       current_setting('vacuum_failsafe_age', true)::float8 AS failsafe_age,
       pg_has_role('pg_read_all_stats', 'USAGE') AS all_stats`;

const DATABASES_SQL = `
SELECT datname AS name, age(datfrozenxid)::float8 AS xid_age, mxid_age(datminmxid)::float8 AS mxid_age
FROM pg_database ORDER BY 2 DESC, 1`;

/** `$2` = true: every schema (the database's real oldest table); false: the user schemas of `$1`. */
const TABLES_SQL = `
SELECT n.nspname AS schema, c.relname AS name,
       GREATEST(age(c.relfrozenxid), COALESCE(age(tc.relfrozenxid), 0))::float8 AS xid_age,
       GREATEST(mxid_age(c.relminmxid), COALESCE(mxid_age(tc.relminmxid), 0))::float8 AS mxid_age
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid
WHERE c.relkind IN ('r', 'm') AND ($2 OR (${USER_SCHEMAS}))
ORDER BY GREATEST(age(c.relfrozenxid), COALESCE(age(tc.relfrozenxid), 0), mxid_age(c.relminmxid), COALESCE(mxid_age(tc.relminmxid), 0)) DESC, 1, 2
LIMIT $3`;

/** Sessions of other roles show no backend_xmin without pg_read_all_stats; prepared transactions and slots show to all. */
const HORIZON_SQL = `
SELECT kind, name, age FROM (
  SELECT 'session' AS kind, pid::text AS name, age(backend_xmin)::float8 AS age
  FROM pg_stat_activity WHERE backend_xmin IS NOT NULL AND pid <> pg_backend_pid()
  UNION ALL
  SELECT 'prepared transaction', gid, age(transaction)::float8 FROM pg_prepared_xacts
  UNION ALL
  SELECT 'replication slot', slot_name::text, GREATEST(age(xmin), age(catalog_xmin))::float8
  FROM pg_replication_slots WHERE xmin IS NOT NULL OR catalog_xmin IS NOT NULL
) h
ORDER BY age DESC, kind, name
LIMIT 5`;

type Row = Record<string, unknown>;

async function read(ctx: CheckReadContext): Promise<XidData> {
  const filter = ctx.schemas.length > 0 ? ctx.schemas : null;
  const settings = (await ctx.conn.query<Row>(SETTINGS_SQL)).rows[0] ?? {};
  const databases = (await ctx.conn.query<Row>(DATABASES_SQL)).rows;
  const tables = (await ctx.conn.query<Row>(TABLES_SQL, [filter, false, TABLE_LIMIT])).rows;
  const oldest = (await ctx.conn.query<Row>(TABLES_SQL, [null, true, 1])).rows[0];
  const horizon = (await ctx.conn.query<Row>(HORIZON_SQL)).rows;
  return {
    currentDatabase: String(settings.database ?? ''),
    role: String(settings.role ?? ''),
    freezeMaxAge: Number(settings.freeze_max_age),
    multixactFreezeMaxAge: Number(settings.mxid_freeze_max_age),
    failsafeAge: settings.failsafe_age == null ? null : Number(settings.failsafe_age),
    seesAllSessions: settings.all_stats === true,
    databases: databases.map((r) => ({ name: String(r.name), xidAge: Number(r.xid_age), mxidAge: Number(r.mxid_age) })),
    tables: tables.map(relation),
    oldest: oldest ? relation(oldest) : null,
    horizon: horizon.map((r) => ({ kind: r.kind as HorizonHolder['kind'], name: String(r.name), age: Number(r.age) })),
  };
}

function relation(r: Row): AgedRelation {
  return { schema: String(r.schema), table: String(r.name), xidAge: Number(r.xid_age), mxidAge: Number(r.mxid_age) };
}

/**
 * Where a warning starts: the configured age, but never below what autovacuum itself waits for
 * (autovacuum_freeze_max_age): up to there an old table is normal and freezing is autovacuum's job.
 */
function lines(data: XidData, t: Thresholds): { xid: number; mxid: number; error: number } {
  return { xid: Math.max(t.warnAge, data.freezeMaxAge), mxid: Math.max(t.warnAge, data.multixactFreezeMaxAge), error: t.errorAge };
}

function judge(data: XidData, t: Thresholds): CheckJudgement {
  const line = lines(data, t);
  const over = (r: { xidAge: number; mxidAge: number }): boolean => r.xidAge >= line.xid || r.mxidAge >= line.mxid;
  const findings: DatabaseFinding[] = [];
  const oldTables = data.tables.filter(over);
  for (const db of data.databases) {
    if (over(db)) findings.push(databaseFinding(db, data, line, oldTables.length > 0));
  }
  for (const table of oldTables) findings.push(tableFinding(table, data, line));

  const current = data.databases.find((d) => d.name === data.currentDatabase);
  const oldestDb = data.databases.reduce<XidData['databases'][number] | undefined>((a, b) => (!a || b.xidAge > a.xidAge ? b : a), undefined);
  const notes: string[] = [];
  if (!data.seesAllSessions) {
    notes.push(`sessions of other roles hide their transaction horizon from ${data.role} (it needs pg_read_all_stats), so a session holding back freezing may go unnamed`);
  }
  if (oldTables.length === TABLE_LIMIT) notes.push(`only the ${TABLE_LIMIT} oldest tables were read; more may be past the line`);
  let summary = current
    ? `transaction ID age ${count(current.xidAge)} in ${current.name} (${percent(current.xidAge / WRAPAROUND_LIMIT)} of the ~2.1 billion limit), ` +
      `multixact age ${count(current.mxidAge)}; autovacuum_freeze_max_age ${count(data.freezeMaxAge)}`
    : `autovacuum_freeze_max_age ${count(data.freezeMaxAge)}`;
  if (oldestDb && oldestDb.name !== data.currentDatabase && oldestDb.xidAge > (current?.xidAge ?? 0)) {
    summary += `; oldest database ${oldestDb.name} at ${count(oldestDb.xidAge)}`;
  }
  return { findings, summary, notes };
}

function severity(r: { xidAge: number; mxidAge: number }, line: { error: number }): 'error' | 'warning' {
  return Math.max(r.xidAge, r.mxidAge) >= line.error ? 'error' : 'warning';
}

/** "transaction ID age 812,345,678 (37.8% of the way to wraparound; autovacuum_freeze_max_age is 200,000,000)" — for xid, mxid or both. */
function ages(r: { xidAge: number; mxidAge: number }, data: XidData, line: { xid: number; mxid: number }): string {
  const parts: string[] = [];
  if (r.xidAge >= line.xid) {
    parts.push(`transaction ID age ${count(r.xidAge)} (${percent(r.xidAge / WRAPAROUND_LIMIT)} of the way to wraparound; autovacuum_freeze_max_age is ${count(data.freezeMaxAge)})`);
  }
  if (r.mxidAge >= line.mxid) {
    parts.push(`multixact ID age ${count(r.mxidAge)} (${percent(r.mxidAge / WRAPAROUND_LIMIT)} of the way; autovacuum_multixact_freeze_max_age is ${count(data.multixactFreezeMaxAge)})`);
  }
  return parts.join(' and ');
}

const CONSEQUENCE =
  'autovacuum is not freezing old rows fast enough, and near ~2.1 billion PostgreSQL stops assigning transaction IDs — the database refuses writes until a VACUUM completes';

/** The horizon holders old enough to matter next to the line (a tenth of it), as a sentence; empty when none. */
function holders(data: XidData, line: { xid: number }): string {
  const old = data.horizon.filter((h) => h.age >= line.xid / 10);
  if (old.length === 0) return '';
  const named = old.map((h) => `${h.kind} ${h.kind === 'session' ? h.name : `"${h.name}"`} (age ${count(h.age)})`).join(', ');
  return ` VACUUM cannot freeze rows newer than the oldest open transaction; the oldest: ${named} — end or drop what should not be there (docs/rules/xid-wraparound.md has the queries).`;
}

function databaseFinding(db: { name: string; xidAge: number; mxidAge: number }, data: XidData, line: { xid: number; mxid: number; error: number }, tablesReported: boolean): DatabaseFinding {
  const isCurrent = db.name === data.currentDatabase;
  const oldest = isCurrent ? data.oldest : null;
  let fixSql: string | undefined;
  let nextStep: string;
  if (!isCurrent) {
    nextStep = `Connect to ${db.name} and freeze its oldest tables (VACUUM (FREEZE, VERBOSE) on each, or vacuumdb --freeze --jobs=4 ${shellWord(db.name)}); pglens health there lists them.`;
  } else if (oldest && oldest.schema.startsWith('pg_temp')) {
    nextStep =
      `Its oldest table is the temporary table ${oldest.schema}.${oldest.table}: autovacuum cannot vacuum temporary tables, and only the session that created it can; ` +
      'end that session (or have it drop the table).';
  } else if (!tablesReported && oldest) {
    fixSql = `VACUUM (FREEZE, VERBOSE) ${qualifiedName(oldest.schema, oldest.table)};`;
    nextStep = `Its oldest table is ${oldest.schema}.${oldest.table} (age ${count(oldest.xidAge)}): freeze it, then the next oldest (vacuumdb --freeze --jobs=4 ${shellWord(db.name)} does all).`;
  } else {
    nextStep = 'Freeze the oldest tables (the table findings give the VACUUM (FREEZE, VERBOSE) for each).';
  }
  return {
    ruleId: 'xid-wraparound',
    severity: severity(db, line),
    message: `database ${db.name} has ${ages(db, data, line)}: ${CONSEQUENCE}`,
    metrics: {
      database: db.name,
      xidAge: db.xidAge,
      mxidAge: db.mxidAge,
      wraparoundRatio: Math.round((Math.max(db.xidAge, db.mxidAge) / WRAPAROUND_LIMIT) * 10_000) / 10_000,
      autovacuumFreezeMaxAge: data.freezeMaxAge,
      vacuumFailsafeAge: data.failsafeAge,
    },
    ...(fixSql ? { fixSql } : {}),
    nextStep: nextStep + holders(data, line),
  };
}

function tableFinding(table: AgedRelation, data: XidData, line: { xid: number; mxid: number; error: number }): DatabaseFinding {
  return {
    ruleId: 'xid-wraparound',
    severity: severity(table, line),
    message: `table ${table.schema}.${table.table} has ${ages(table, data, line)}: ${CONSEQUENCE}`,
    schema: table.schema,
    table: table.table,
    metrics: { xidAge: table.xidAge, mxidAge: table.mxidAge, autovacuumFreezeMaxAge: data.freezeMaxAge },
    fixSql: `VACUUM (FREEZE, VERBOSE) ${qualifiedName(table.schema, table.table)};`,
    nextStep:
      'VACUUM (FREEZE) reads the whole table but takes only a SHARE UPDATE EXCLUSIVE lock: reads and writes go on; VERBOSE reports how far it froze.' + holders(data, line),
  };
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function percent(ratio: number): string {
  return `${(Math.floor(ratio * 1000) / 10).toFixed(1)}%`;
}

export const check: DatabaseCheck<XidData> = {
  id: 'xid-wraparound',
  group: 'storage',
  title: 'Transaction ID wraparound',
  defaultSeverity: 'warning',
  defaults: { warnAge: 500_000_000, errorAge: 1_200_000_000 },
  sandbox: true,
  privilege: 'pg_read_all_stats, to name the sessions of other roles that hold back freezing (the ages themselves are readable by every role)',
  read,
  judge,
};
