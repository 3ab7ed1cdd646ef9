import type { Connection } from '../db/connection';
import { findQuerySenders, type CodeLink } from '../app-code/query-senders';
import { ruleSetting, type PglensConfig } from '../config';
import { keyLookup, type KeyLookup } from '../sql/key-lookup';
import { loadSqlParser } from '../sql/parse';
import { quoteIdent } from '../sql/quote-ident';
import type { Severity } from '../types';
import type { Thresholds } from './database/check';
import { mergeThresholds, readOnly } from './database/database-health';
import { HEALTH_RULE_OPTIONS } from './health-options';
import { formatCount } from './format';
import { N_PLUS_ONE_CANDIDATE, N_PLUS_ONE_CANDIDATE_SEVERITY } from './n-plus-one-rule';
import { findStatementsView, statementsReadFailure } from './slow-queries';

export { N_PLUS_ONE_CANDIDATE, N_PLUS_ONE_CANDIDATE_DEFAULTS, N_PLUS_ONE_CANDIDATE_SEVERITY } from './n-plus-one-rule';

/** How many statements (most total time first, past the thresholds) are parsed. */
const STATEMENTS_READ = 500;

/** One statement text of pg_stat_statements, its entries (users, search paths) added together. */
export interface StatementStats {
  /** Normalised text: constants as `$1…`. */
  query: string;
  queryIds: string[];
  calls: number;
  rows: number;
  totalMs: number;
}

/** What the catalog says about a table a lookup names. */
export interface LookupTable {
  schema: string;
  name: string;
  /** A system catalog, or a relation an extension owns (pg_stat_statements itself): pglens's own reads, never the application's. */
  system: boolean;
  primaryKey: string[];
  /** Column lists of the unique constraints and unique, complete, valid indexes. */
  unique: string[][];
  foreignKeys: { columns: string[]; references: string }[];
  /** Column lists of the valid indexes (null for an expression). */
  indexes: (string | null)[][];
}

/** What the looked-up columns are to their table. */
export type LookupKey = 'primary key' | 'unique' | 'foreign key' | 'none' | 'unknown';

export interface NPlusOneCandidate {
  ruleId: typeof N_PLUS_ONE_CANDIDATE;
  severity: Severity;
  /** One sentence with the figures; names from the server are not escaped here (the CLI and views escape). */
  message: string;
  /** How to send it once instead of once per key. */
  fix: string;
  query: string;
  queryIds: string[];
  calls: number;
  rows: number;
  rowsPerCall: number;
  totalMs: number;
  meanMs: number;
  kind: KeyLookup['kind'];
  /** The table as the catalog names it; as the statement writes it when pglens's search_path does not find it (`found` false). */
  table: { schema: string | null; name: string; found: boolean };
  /** The columns compared with `= $n`. */
  columns: string[];
  key: LookupKey;
  /** The table a foreign key on these columns references. */
  references?: string;
  /** An index starts with one of the columns; null when the table was not found or is ambiguous. */
  indexed: boolean | null;
  /**
   * The statement names the table without a schema, and more than one user schema has a table of
   * that name (`schema.name` each): pg_stat_statements keeps no search_path, so which one it read is
   * not known and its key is `unknown` rather than judged on the one pglens's search_path finds.
   */
  namesakes?: string[];
  /** The code that can send it, best first (linkCandidatesToCode). */
  code?: CodeLink[];
}

export type NPlusOneCandidatesResult =
  | {
      state: 'ran';
      thresholds: Thresholds;
      /** Statement texts of this database in pg_stat_statements. */
      statements: number;
      /** Those run at least minCalls times with at most maxRowsPerCall rows per call. */
      frequent: number;
      /**
       * Entries of other roles' statements past the same thresholds (their calls and rows are
       * readable, their text `<insufficient privilege>` is not): they could not be judged. 0 when none.
       */
      hiddenFrequent?: number;
      candidates: NPlusOneCandidate[];
      /** When pg_stat_statements started counting (ISO), when it says. */
      since: string | null;
      /** What could not be seen (other roles' texts) or read. */
      notes: string[];
    }
  /** pg_stat_statements cannot be read: `reason` says why and how to enable it. */
  | { state: 'unavailable'; installed: boolean; reason: string }
  | { state: 'off'; reason: string };

export interface NPlusOneOptions {
  /** `.pglens.json`: severity ('off' skips) and thresholds of n-plus-one-candidate. */
  config?: PglensConfig;
}

/**
 * The entry point for `pglens queries` and the Health view: statements of the connected database
 * that pg_stat_statements saw run very many times with a row or two each, by equality on a
 * parameter on one table (`SELECT … FROM posts WHERE author_id = $1`) — what an N+1 loop sends —
 * most total time first. Reads in a rolled-back READ ONLY transaction under the connection's
 * statement timeout. Queries on system catalogs and extension views (pglens's own: pg_stat_statements
 * keeps no application_name to tell sessions apart) are left out. A missing or unloaded
 * pg_stat_statements is an answer (state 'unavailable', with how to enable it), not an error.
 * Code locations are added by linkCandidatesToCode.
 */
export async function readNPlusOneCandidates(conn: Connection, options: NPlusOneOptions = {}): Promise<NPlusOneCandidatesResult> {
  const file = options.config?.file ?? '.pglens.json';
  const setting = options.config ? ruleSetting(options.config, N_PLUS_ONE_CANDIDATE, N_PLUS_ONE_CANDIDATE_SEVERITY) : { severity: N_PLUS_ONE_CANDIDATE_SEVERITY, options: {} };
  if (!setting) return { state: 'off', reason: `${N_PLUS_ONE_CANDIDATE} is turned off in ${file}` };
  const thresholds = mergeThresholds(N_PLUS_ONE_CANDIDATE, HEALTH_RULE_OPTIONS[N_PLUS_ONE_CANDIDATE], setting.options, file);
  if (conn.kind === 'embedded') {
    return {
      state: 'unavailable',
      installed: false,
      reason: 'the embedded sandbox runs no application, so it has no statement statistics: connect to the server the application uses (--db URL or DATABASE_URL), with pg_stat_statements enabled',
    };
  }
  await loadSqlParser();
  const configured = options.config?.rules[N_PLUS_ONE_CANDIDATE] !== undefined && setting.severity !== N_PLUS_ONE_CANDIDATE_SEVERITY;
  return readOnly(conn, async (): Promise<NPlusOneCandidatesResult> => {
    const found = await findStatementsView(conn);
    if (!found.available) return { state: 'unavailable', installed: found.installed, reason: found.reason };
    let counts: { statements: number; hidden: number; hiddenFrequent: number };
    let rows: StatementStats[];
    try {
      counts = await countStatements(conn, found.view, thresholds);
      rows = await frequentStatements(conn, found.view, found.totalColumn, thresholds);
    } catch (e) {
      const failure = statementsReadFailure(e);
      return { state: 'unavailable', installed: failure.installed, reason: failure.reason };
    }
    const lookups = rows.map((stats) => ({ stats, lookup: keyLookup(stats.query) })).filter((x): x is { stats: StatementStats; lookup: KeyLookup } => x.lookup !== undefined);
    const tables = await readLookupTables(conn, [...new Set(lookups.map((l) => writtenName(l.lookup.table)))]);
    const namesakes = await readNamesakes(conn, [...new Set(lookups.filter((l) => l.lookup.table.schema === undefined).map((l) => l.lookup.table.name))]);
    const candidates = judgeCandidates(lookups, tables, thresholds, configured ? setting.severity : undefined, namesakes);
    const notes: string[] = [];
    for (const [name, where] of [...new Map(candidates.filter((c) => c.namesakes).map((c) => [c.table.name, c.namesakes ?? []])).entries()]) {
      notes.push(
        `${name} is named without a schema and ${where.length} schemas have a table of that name (${where.join(', ')}): pg_stat_statements keeps no search_path, ` +
          'so which one the statement read is unknown, and its key and indexes are not judged',
      );
    }
    if (counts.hidden > 0) {
      const frequent =
        counts.hiddenFrequent > 0
          ? ` (${formatCount(counts.hiddenFrequent)} of them ran ≥ ${formatCount(thresholds.minCalls)} times with ≤ ${thresholds.maxRowsPerCall} rows per call, and could not be judged)`
          : '';
      notes.push(
        `${formatCount(counts.hidden)} statement${counts.hidden === 1 ? ' is' : 's are'} other roles', whose text this role may not read${frequent}: grant it pg_read_all_stats to include them`,
      );
    }
    if (rows.length === STATEMENTS_READ) notes.push(`only the ${STATEMENTS_READ} frequent statements with the most total time were read`);
    return {
      state: 'ran',
      thresholds,
      statements: counts.statements,
      frequent: rows.length,
      hiddenFrequent: counts.hiddenFrequent,
      candidates,
      since: await statsSince(conn, found.schema),
      notes,
    };
  });
}

const THIS_DATABASE = `s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`;
const HIDDEN = `'<insufficient privilege>'`;

async function countStatements(conn: Connection, view: string, t: Thresholds): Promise<{ statements: number; hidden: number; hiddenFrequent: number }> {
  const r = await conn.query<{ statements: number; hidden: number; hidden_frequent: number }>(
    `SELECT count(DISTINCT s.query) FILTER (WHERE s.query <> ${HIDDEN})::int AS statements,
            count(*) FILTER (WHERE s.query = ${HIDDEN})::int AS hidden,
            count(*) FILTER (WHERE s.query = ${HIDDEN} AND s.calls >= $1 AND s.rows <= $2 * s.calls)::int AS hidden_frequent
     FROM ${view} s WHERE ${THIS_DATABASE}`,
    [t.minCalls, t.maxRowsPerCall],
  );
  return { statements: Number(r.rows[0]?.statements ?? 0), hidden: Number(r.rows[0]?.hidden ?? 0), hiddenFrequent: Number(r.rows[0]?.hidden_frequent ?? 0) };
}

async function frequentStatements(conn: Connection, view: string, total: string, t: Thresholds): Promise<StatementStats[]> {
  const r = await conn.query<{ query: string; query_ids: string[] | null; calls: number; rows: number; total_ms: number }>(
    `SELECT s.query, array_agg(DISTINCT s.queryid::text) AS query_ids, sum(s.calls)::float8 AS calls,
            sum(s.rows)::float8 AS rows, sum(s.${total})::float8 AS total_ms
     FROM ${view} s
     WHERE ${THIS_DATABASE} AND s.query IS NOT NULL AND s.query <> ${HIDDEN}
     GROUP BY s.query
     HAVING sum(s.calls) >= $1 AND sum(s.rows) <= $2 * sum(s.calls)
     ORDER BY sum(s.${total}) DESC
     LIMIT $3`,
    [t.minCalls, t.maxRowsPerCall, STATEMENTS_READ],
  );
  return r.rows.map((row) => ({
    query: String(row.query),
    queryIds: (row.query_ids ?? []).filter((id) => id !== null).map(String),
    calls: Number(row.calls),
    rows: Number(row.rows),
    totalMs: Number(row.total_ms),
  }));
}

/** pg_stat_statements_info.stats_reset (extension 1.9+, PostgreSQL 14+), else null. */
async function statsSince(conn: Connection, schema: string): Promise<string | null> {
  const info = `${quoteIdent(schema)}.pg_stat_statements_info`;
  const exists = await conn.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [info]);
  if (!exists.rows[0]?.ok) return null;
  const r = await conn.query<{ since: string | null }>(`SELECT to_char(stats_reset AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since FROM ${info}`);
  return r.rows[0]?.since ?? null;
}

/** The table as the statement names it, quoted for to_regclass: resolved in this session's search_path. */
function writtenName(table: KeyLookup['table']): string {
  return table.schema !== undefined ? `${quoteIdent(table.schema)}.${quoteIdent(table.name)}` : quoteIdent(table.name);
}

/** Keys, foreign keys and indexes of the named tables, by the name given; a name that resolves to nothing is left out. */
async function readLookupTables(conn: Connection, names: string[]): Promise<Map<string, LookupTable>> {
  const out = new Map<string, LookupTable>();
  if (names.length === 0) return out;
  const r = await conn.query<{ wanted: string; schema: string; name: string; system: boolean; keys: unknown; indexes: unknown }>(
    `WITH wanted AS (SELECT w.name, to_regclass(w.name) AS oid FROM unnest($1::text[]) w(name))
     SELECT w.name AS wanted, n.nspname::text AS schema, c.relname::text AS name,
            (n.nspname IN ('pg_catalog', 'information_schema', 'pg_toast')
              OR EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')) AS system,
            (SELECT coalesce(json_agg(json_build_object(
                      'type', con.contype,
                      'columns', (SELECT json_agg(a.attname::text ORDER BY k.i) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, i)
                                  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum),
                      'references', CASE WHEN con.contype = 'f' THEN con.confrelid::regclass::text END)), '[]')
             FROM pg_constraint con WHERE con.conrelid = c.oid AND con.contype IN ('p', 'u', 'f')) AS keys,
            (SELECT coalesce(json_agg(json_build_object(
                      'unique', i.indisunique AND i.indpred IS NULL,
                      'columns', (SELECT json_agg(a.attname::text ORDER BY k.i) FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, i)
                                  LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0))), '[]')
             FROM pg_index i WHERE i.indrelid = c.oid AND i.indisvalid) AS indexes
     FROM wanted w JOIN pg_class c ON c.oid = w.oid JOIN pg_namespace n ON n.oid = c.relnamespace`,
    [names],
  );
  for (const row of r.rows) {
    const keys = asArray(row.keys) as { type: string; columns: string[] | null; references: string | null }[];
    const indexes = asArray(row.indexes) as { unique: boolean; columns: (string | null)[] | null }[];
    out.set(row.wanted, {
      schema: row.schema,
      name: row.name,
      system: row.system === true,
      primaryKey: keys.find((k) => k.type === 'p')?.columns ?? [],
      unique: [...keys.filter((k) => k.type === 'u').map((k) => k.columns ?? []), ...indexes.filter((i) => i.unique).map((i) => (i.columns ?? []).filter((c): c is string => c !== null))],
      foreignKeys: keys.filter((k) => k.type === 'f').map((k) => ({ columns: k.columns ?? [], references: k.references ?? '' })),
      indexes: indexes.map((i) => i.columns ?? []),
    });
  }
  return out;
}

/**
 * For names a statement writes without a schema: every user schema (no system, toast or temp schema)
 * with a table, view or foreign table of that name, as `schema.name`, when there is more than one.
 */
async function readNamesakes(conn: Connection, names: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (names.length === 0) return out;
  const r = await conn.query<{ name: string; schemas: string[] | string }>(
    `SELECT c.relname::text AS name, array_agg(n.nspname::text ORDER BY n.nspname) AS schemas
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relname = ANY ($1::text[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
       AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
     GROUP BY c.relname HAVING count(*) > 1`,
    [names],
  );
  for (const row of r.rows) {
    const schemas = Array.isArray(row.schemas) ? row.schemas.map(String) : String(row.schemas).replace(/^\{|\}$/g, '').split(',').map((x) => x.replace(/^"|"$/g, ''));
    out.set(row.name, schemas.map((schema) => `${quoteIdent(schema)}.${quoteIdent(row.name)}`));
  }
  return out;
}

/** json from `pg` arrives parsed; from the sandbox or a test adapter it may be text. */
function asArray(value: unknown): unknown[] {
  const v = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return Array.isArray(v) ? v : [];
}

/**
 * The candidates among parsed lookups: thresholds applied again (the read pre-filters with them),
 * system and extension relations left out, the key each lookup uses judged from the catalog.
 * `severity`: the one `.pglens.json` sets, for every candidate; without it a candidate is info,
 * and a warning when no index serves its columns (each call then reads the whole table).
 */
export function judgeCandidates(
  lookups: readonly { stats: StatementStats; lookup: KeyLookup }[],
  tables: ReadonlyMap<string, LookupTable>,
  thresholds: Thresholds,
  severity?: Severity,
  namesakes: ReadonlyMap<string, readonly string[]> = new Map(),
): NPlusOneCandidate[] {
  const out: NPlusOneCandidate[] = [];
  for (const { stats, lookup } of lookups) {
    if (stats.calls <= 0 || stats.calls < thresholds.minCalls || stats.rows / stats.calls > thresholds.maxRowsPerCall) continue;
    const found = tables.get(writtenName(lookup.table));
    if (found?.system) continue;
    if (found === undefined && /^(pg_|information_schema$)/.test(lookup.table.schema ?? lookup.table.name)) continue;
    // Unqualified, and more than one schema has it: judging the one pglens's own search_path finds
    // could call an indexed primary key "not a key, no index" (or the other way round).
    const ambiguous = lookup.table.schema === undefined && (namesakes.get(lookup.table.name)?.length ?? 0) > 1 ? [...(namesakes.get(lookup.table.name) ?? [])] : undefined;
    const table = ambiguous ? undefined : found;
    const judged: { key: LookupKey; references?: string; indexed: boolean | null } = table ? judgeKey(table, lookup.columns) : { key: 'unknown', indexed: null };
    const rowsPerCall = stats.rows / stats.calls;
    const candidate: Omit<NPlusOneCandidate, 'message' | 'fix' | 'severity'> = {
      ruleId: N_PLUS_ONE_CANDIDATE,
      query: stats.query,
      queryIds: stats.queryIds,
      calls: stats.calls,
      rows: stats.rows,
      rowsPerCall,
      totalMs: stats.totalMs,
      meanMs: stats.totalMs / stats.calls,
      kind: lookup.kind,
      table: table ? { schema: table.schema, name: table.name, found: true } : { schema: lookup.table.schema ?? null, name: lookup.table.name, found: false },
      columns: lookup.columns,
      key: judged.key,
      ...(judged.references !== undefined && { references: judged.references }),
      indexed: judged.indexed,
      ...(ambiguous && { namesakes: ambiguous }),
    };
    out.push({
      ...candidate,
      severity: severity ?? (judged.indexed === false ? 'warning' : N_PLUS_ONE_CANDIDATE_SEVERITY),
      message: candidateMessage(candidate),
      fix: candidateFix(candidate),
    });
  }
  out.sort((a, b) => b.totalMs - a.totalMs || b.calls - a.calls || (a.query < b.query ? -1 : a.query > b.query ? 1 : 0));
  return out.slice(0, Math.max(0, Math.floor(thresholds.maxCandidates)));
}

function judgeKey(table: LookupTable, columns: string[]): { key: LookupKey; references?: string; indexed: boolean } {
  const covered = (cols: readonly string[]) => cols.length > 0 && cols.every((c) => columns.includes(c));
  const fk = table.foreignKeys.find((f) => covered(f.columns));
  const key: LookupKey = covered(table.primaryKey) ? 'primary key' : table.unique.some(covered) ? 'unique' : fk ? 'foreign key' : 'none';
  const indexed = table.indexes.some((cols) => cols[0] != null && columns.includes(cols[0]));
  return { key, ...(fk && { references: fk.references }), indexed };
}

type CandidateFigures = Omit<NPlusOneCandidate, 'message' | 'fix' | 'severity'>;

function tableText(c: Pick<CandidateFigures, 'table'>): string {
  return c.table.schema ? `${c.table.schema}.${c.table.name}` : c.table.name;
}

function ms(n: number): string {
  if (n >= 100) return `${Math.round(n).toLocaleString('en-US')} ms`;
  return `${n.toFixed(n >= 1 ? 1 : n >= 0.1 ? 2 : 3)} ms`;
}

function candidateMessage(c: CandidateFigures): string {
  const cols = c.columns.join(', ');
  const keyText = { 'primary key': 'its primary key', unique: 'a unique key', 'foreign key': `a foreign key to ${c.references}`, none: 'not a key', unknown: '' }[c.key];
  const also = c.references !== undefined && c.key !== 'foreign key' ? `, also a foreign key to ${c.references}` : '';
  const per = c.rowsPerCall === 1 ? '1 row' : `${c.rowsPerCall.toFixed(2)} rows`;
  const verb = c.kind === 'select' ? 'read' : c.kind === 'update' ? 'updated' : 'deleted';
  const what =
    `${tableText(c)} ${verb} by ${cols}${keyText ? ` (${keyText}${also})` : ''}: ` +
    `${c.calls.toLocaleString('en-US')} calls, ${per} per call, ${ms(c.totalMs)} in all (${ms(c.meanMs)} mean) — one round trip per ${cols} value, the shape of an N+1 loop`;
  if (c.indexed === false) return `${what}; no index starts with ${c.columns.length === 1 ? cols : `one of ${cols}`}, so each call reads the whole table`;
  if (c.namesakes) {
    return `${what} (${c.namesakes.length} schemas have a table ${c.table.name}: ${c.namesakes.join(', ')}; the statement names no schema and pg_stat_statements keeps no search_path, so its keys are not known)`;
  }
  if (!c.table.found) return `${what} (pglens's search_path does not find ${tableText(c)}: its keys are not known)`;
  return what;
}

function candidateFix(c: CandidateFigures): string {
  const single = c.columns.length === 1;
  const col = c.columns[0];
  if (c.kind === 'select') {
    return single
      ? `send one query for all the values: WHERE ${quoteIdent(col)} = ANY($1) with an array of them, and group the rows by ${col} in the application (Prisma: include the relation on the parent query, or one findMany with { in: ids })`
      : `send one query for all the combinations: WHERE (${c.columns.map(quoteIdent).join(', ')}) IN (SELECT * FROM unnest($1, $2…)) with one array per column, and match the rows in the application`;
  }
  const verb = c.kind === 'update' ? 'UPDATE' : 'DELETE';
  return `batch them into one statement: ${verb} … WHERE ${single ? `${quoteIdent(col)} = ANY($1)` : `(${c.columns.map(quoteIdent).join(', ')}) IN (SELECT * FROM unnest($1, $2…))`}${c.kind === 'update' ? ' (per-row values: UPDATE … FROM unnest(…))' : ''} (Prisma: ${c.kind === 'update' ? 'updateMany' : 'deleteMany'})`;
}

/**
 * Adds to each candidate the code under `root` that can send it (src/core/app-code/query-senders.ts):
 * SQL of the same statement or lookup, ORM calls on its table and column, loops marked. Parses the
 * workspace's code files: the editor runs it on request, not on every refresh. Needs no database.
 */
export async function linkCandidatesToCode(
  candidates: NPlusOneCandidate[],
  root: string,
  config: PglensConfig,
): Promise<{ filesRead: number; notes: string[] }> {
  await loadSqlParser();
  // The statement's own names, as the code writes them; the catalog's are the fallback.
  const targets = candidates.map((c) => ({
    query: c.query,
    lookup: keyLookup(c.query) ?? { kind: c.kind, table: { ...(c.table.schema !== null && { schema: c.table.schema }), name: c.table.name }, columns: c.columns },
  }));
  const scan = findQuerySenders(root, targets, config);
  candidates.forEach((c, i) => (c.code = scan.links[i]));
  return { filesRead: scan.filesRead, notes: scan.notes };
}
