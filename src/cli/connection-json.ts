import type { Connection, ConnectionKind } from '../core/db/connection';

/**
 * The `connection` object of every command's `--format json` (docs/cli.md "Output, errors and
 * escaping"): the same four fields everywhere, so a script reads them one way whatever the
 * command. Never a password: `label` is the Connection's label (secrets as `***`).
 */
export interface ConnectionJson {
  kind: ConnectionKind;
  serverVersion: string;
  /** The server's URL with secrets as `***`, or `embedded sandbox (PGlite)`. */
  label: string;
  /** `current_database()`. */
  database: string;
}

/** What the commands that read the statistics add after the four fields (indexes, health). */
export interface ConnectionStatsJson {
  isReplica: boolean;
  /** ISO time of the last statistics reset, or null when none is recorded. */
  statsReset: string | null;
  /** Since when the counters count, as a sentence. */
  statsSince: string;
  /** false: sizes estimated from page counts; null: no sizes were read (`health --only`). */
  sizesExact: boolean | null;
}

/** The shared builder: the four fields in their order, then a command's details (added, never in their place). */
export function connectionJson(info: ConnectionJson): ConnectionJson;
export function connectionJson(info: ConnectionJson, stats: ConnectionStatsJson): ConnectionJson & ConnectionStatsJson;
export function connectionJson(info: ConnectionJson, stats?: ConnectionStatsJson): ConnectionJson | (ConnectionJson & ConnectionStatsJson) {
  const base: ConnectionJson = { kind: info.kind, serverVersion: info.serverVersion, label: info.label, database: info.database };
  if (!stats) return base;
  return { ...base, isReplica: stats.isReplica, statsReset: stats.statsReset, statsSince: stats.statsSince, sizesExact: stats.sizesExact };
}

/**
 * The four fields read from an open connection (explain, advise): the server version it reported
 * (`serverVersion` when the caller has it already) and `current_database()`.
 */
export async function connectionJsonOf(conn: Connection, serverVersion?: string): Promise<ConnectionJson> {
  const version = serverVersion ?? (await conn.serverVersion());
  const row = (await conn.query<{ database: string }>('SELECT current_database() AS database')).rows[0];
  return connectionJson({ kind: conn.kind, serverVersion: version, label: conn.label, database: String(row?.database ?? '') });
}
