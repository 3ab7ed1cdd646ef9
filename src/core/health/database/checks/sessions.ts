import type { Connection } from '../../../db/connection';

/**
 * What the session checks (long-running-query, idle-in-transaction, blocking-locks,
 * connections) share: one way to read a session from pg_stat_activity, to tell the sessions
 * this role may not see, and to describe a session in a message.
 */

/** A client session as pg_stat_activity shows it; durations are seconds, measured by the server. */
export interface SessionRow {
  pid: number;
  database: string | null;
  usename: string | null;
  applicationName: string | null;
  /** Null for a Unix-socket connection. */
  clientAddr: string | null;
  /** 'active', 'idle', 'idle in transaction', … ; null while the session starts. */
  state: string | null;
  waitEventType: string | null;
  waitEvent: string | null;
  query: string;
  backendType: string | null;
  /** query_start in UTC with microseconds (QUERY_START_TEXT): with `query`, what identifies the statement the user saw. */
  queryStart: string | null;
  /** Since query_start: how long the current (or, when idle, the last) statement has run. */
  querySeconds: number | null;
  /** Since state_change: how long the session has been in its state. */
  stateSeconds: number | null;
  /** Since xact_start; null outside a transaction. */
  xactSeconds: number | null;
  /** age(backend_xid): transactions since this one took an xid (it wrote); null when it has none. */
  xidAge: number | null;
  /** age(backend_xmin): how far back this session holds the vacuum horizon; null without a snapshot. */
  xminAge: number | null;
}

/**
 * query_start as text, to the microsecond, in UTC. A JS Date keeps only milliseconds, so the
 * signal action compares this text on the server, never a parsed date.
 */
export const QUERY_START_TEXT = `to_char(a.query_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * A backend of another role the current role may not look into: pg_stat_activity hides its
 * backend type, state and query (shown as '<insufficient privilege>') unless the role has
 * pg_read_all_stats. usesysid stays visible and is null only for the server's own processes.
 */
export const HIDDEN_SESSION = `(a.backend_type IS NULL AND a.usesysid IS NOT NULL AND a.query = '<insufficient privilege>')`;

/** Client sessions only (no autovacuum, walsender, parallel worker …), and never pglens's own. */
export const OTHER_CLIENT_SESSION = `(a.backend_type = 'client backend' AND a.pid <> pg_backend_pid())`;

/** Interval since a pg_stat_activity timestamp, in seconds, never negative (a statement may start after ours did). */
function secondsSince(column: string): string {
  return `greatest(0, extract(epoch FROM statement_timestamp() - a.${column}))::float8`;
}

/** The select list SessionRow is read from (`a` is pg_stat_activity). */
export const SESSION_COLUMNS = `a.pid, a.datname::text AS database, a.usename::text AS usename, a.application_name,
  host(a.client_addr) AS client_addr, a.state, a.wait_event_type, a.wait_event, a.query, a.backend_type,
  ${QUERY_START_TEXT} AS query_start, ${secondsSince('query_start')} AS query_seconds,
  ${secondsSince('state_change')} AS state_seconds, ${secondsSince('xact_start')} AS xact_seconds,
  age(a.backend_xid) AS xid_age, age(a.backend_xmin) AS xmin_age`;

export const SESSION_PRIVILEGE = "membership in pg_read_all_stats (or pg_monitor) to see other roles' sessions";

export function toSession(r: Record<string, unknown>): SessionRow {
  return {
    pid: Number(r.pid),
    database: text(r.database),
    usename: text(r.usename),
    applicationName: text(r.application_name),
    clientAddr: text(r.client_addr),
    state: text(r.state),
    waitEventType: text(r.wait_event_type),
    waitEvent: text(r.wait_event),
    query: String(r.query ?? ''),
    backendType: text(r.backend_type),
    queryStart: text(r.query_start),
    querySeconds: num(r.query_seconds),
    stateSeconds: num(r.state_seconds),
    xactSeconds: num(r.xact_seconds),
    xidAge: num(r.xid_age),
    xminAge: num(r.xmin_age),
  };
}

export interface SessionsRead {
  sessions: SessionRow[];
  /** Backends of other roles this role cannot look into (see HIDDEN_SESSION). */
  hidden: number;
}

/**
 * The other client sessions matching `where` (on `a`, pg_stat_activity), and in the same
 * snapshot the count of hidden ones, which may or may not match.
 */
export async function readSessions(conn: Connection, where: string): Promise<SessionsRead> {
  const r = await conn.query<Record<string, unknown>>(
    `SELECT ${SESSION_COLUMNS}, ${HIDDEN_SESSION} AS hidden
     FROM pg_stat_activity a
     WHERE (${OTHER_CLIENT_SESSION} AND (${where})) OR ${HIDDEN_SESSION}`,
  );
  const visible = r.rows.filter((row) => row.hidden !== true);
  return { sessions: visible.map(toSession), hidden: r.rows.length - visible.length };
}

/** The note a check adds when some sessions were hidden from it; `missed` says what it could not judge. */
export function hiddenNote(hidden: number, missed: string): string | undefined {
  if (hidden === 0) return undefined;
  const them = hidden === 1 ? '1 backend of another role is' : `${hidden} backends of other roles are`;
  return `${them} hidden from this role (pg_stat_activity shows '<insufficient privilege>'), so ${missed}: grant the role pg_read_all_stats (or pg_monitor) to see them`;
}

/** "pid 4242 (alice via billing-api from 10.0.0.7, database shop)": who to go and ask. */
export function describeSession(s: Pick<SessionRow, 'pid' | 'usename' | 'applicationName' | 'clientAddr' | 'database'>): string {
  const who = [s.usename ?? 'unknown role', s.applicationName ? `via ${s.applicationName}` : '', s.clientAddr ? `from ${s.clientAddr}` : '']
    .filter(Boolean)
    .join(' ');
  return `pid ${s.pid} (${who}${s.database ? `, database ${s.database}` : ''})`;
}

/** The figures every session finding carries, under the names pg_stat_activity uses. */
export function sessionMetrics(s: SessionRow): Record<string, number | string | null> {
  return {
    state: s.state,
    wait_event_type: s.waitEventType,
    wait_event: s.waitEvent,
    usename: s.usename,
    application_name: s.applicationName,
    client_addr: s.clientAddr,
    database: s.database,
    query_start: s.queryStart,
    query_seconds: round(s.querySeconds),
    state_seconds: round(s.stateSeconds),
    xact_seconds: round(s.xactSeconds),
    backend_xid_age: s.xidAge,
    backend_xmin_age: s.xminAge,
  };
}

/** "Lock:relation", or "" when the session waits for nothing. */
export function waitText(s: Pick<SessionRow, 'waitEventType' | 'waitEvent'>): string {
  if (!s.waitEventType) return '';
  return s.waitEvent ? `${s.waitEventType}:${s.waitEvent}` : s.waitEventType;
}

/** A query on one line, cut to `max` characters, for a message (the finding keeps the whole text). */
export function queryExcerpt(query: string, max = 80): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** 42 → "42 s", 312 → "5 min 12 s", 7380 → "2 h 3 min", 180000 → "2 d 2 h". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const units: [number, string][] = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'min'],
    [1, 's'],
  ];
  const first = units.findIndex(([size]) => s >= size);
  const [big, bigName] = units[first];
  const [small, smallName] = units[first + 1];
  const rest = Math.floor((s % big) / small);
  return `${Math.floor(s / big)} ${bigName}${rest ? ` ${rest} ${smallName}` : ''}`;
}

function round(n: number | null): number | null {
  return n === null ? null : Math.round(n * 10) / 10;
}

function text(v: unknown): string | null {
  return v === null || v === undefined || v === '' ? null : String(v);
}

function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
