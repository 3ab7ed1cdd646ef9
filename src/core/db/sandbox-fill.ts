import * as path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { fillDatabase } from '../sandbox-data/fill';
import { fillOptionsFor, parseStatsFile, readStatsBytes, statsDigest, type SandboxDataSettings } from '../sandbox-data/settings';
import type { FillReport, FillStats } from '../sandbox-data/types';
import type { SandboxDataReport } from './sandbox-report';

/**
 * The stats a sandbox is filled from: their bytes are read at every start (their digest is in
 * the cache key), parsed only when the sandbox is filled, not when a filled build is loaded.
 */
export interface DataPlan {
  settings: SandboxDataSettings;
  statsBytes?: Buffer;
  stats?: FillStats;
  statsSha?: string;
  /** The stats file as the report shows it. */
  statsShown?: string;
  /** Why the stats file was not used, or what in it was dropped. */
  statsNotes: string[];
  /** The stats file could not be read: the fill uses the defaults and says so. */
  statsError?: string;
}

/**
 * Reads the stats file the settings name. A file that cannot be read does not stop the
 * sandbox: it is filled with the defaults, and the report (so every Explain's note) says why.
 */
export function planData(settings: SandboxDataSettings, roots: string[]): DataPlan {
  const plan: DataPlan = { settings, statsNotes: [] };
  if (!settings.enabled || !settings.stats) return plan;
  plan.statsShown = settings.stats;
  // Relative to the config file's folder or the workspace, where the user wrote it.
  for (const root of roots) {
    const rel = path.relative(root, settings.stats);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) {
      plan.statsShown = rel.split(path.sep).join('/');
      break;
    }
  }
  try {
    plan.statsBytes = readStatsBytes(settings.stats, plan.statsShown);
    plan.statsSha = statsDigest(plan.statsBytes);
  } catch (e) {
    plan.statsError = (e as Error).message;
  }
  return plan;
}

/** Parses the stats file's bytes, once, before a fill: what does not read becomes the report's statsError or notes. */
function parseStats(plan: DataPlan): void {
  if (!plan.statsBytes || plan.stats || plan.statsError) return;
  try {
    const loaded = parseStatsFile(plan.statsBytes, plan.statsShown ?? '');
    plan.stats = loaded.stats;
    if (loaded.dropped.length) {
      const list = loaded.dropped.length > 6 ? `${loaded.dropped.slice(0, 6).join('; ')}; and ${loaded.dropped.length - 6} more` : loaded.dropped.join('; ');
      plan.statsNotes.push(`stats file: entries not in the expected shape, ignored: ${list}`);
    }
  } catch (e) {
    plan.statsError = (e as Error).message;
  }
}

/**
 * Fills the freshly built sandbox (outside any transaction) and summarises what happened for
 * the report. Never throws: a fill that stops half-way leaves the rows it inserted, and says so.
 */
export async function fillSandbox(db: PGlite, plan: DataPlan, onProgress: (message: string) => void): Promise<SandboxDataReport> {
  const started = Date.now();
  parseStats(plan);
  if (db.isInTransaction()) await db.exec('ROLLBACK').catch(() => undefined);
  const options = fillOptionsFor(plan.settings, plan.stats);
  let fill: FillReport | undefined;
  let error: string | undefined;
  try {
    fill = await fillDatabase(
      (sql) => db.query(sql).then((r) => r.rows as Array<Record<string, unknown>>),
      (sql) => db.exec(sql).then(() => undefined),
      { ...options, onProgress: (m) => onProgress(`sandbox data: ${m}`) },
    );
  } catch (e) {
    error = (e as Error).message ?? String(e);
    if (db.isInTransaction()) await db.exec('ROLLBACK').catch(() => undefined);
    await db.exec('RESET session_replication_role').catch(() => undefined);
  }
  const matviews = fill ? await refreshMaterializedViews(db, onProgress) : [];
  const counts = await db
    .query<{ t: string; n: number }>(
      `SELECT format('%s.%s', n.nspname, c.relname) AS t, c.reltuples::float8 AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1`,
    )
    .then((r) => r.rows)
    .catch(() => [] as Array<{ t: string; n: number }>);
  const held = (t: { rows: number; existing?: number }) => t.rows + (t.existing ?? 0);
  const filled = (fill?.tables ?? []).filter((t) => held(t) > 0);
  const emptyFromFill = new Set((fill?.tables ?? []).filter((t) => held(t) === 0).map((t) => t.table));
  const emptyTables = counts.filter((c) => emptyFromFill.has(c.t) || (fill === undefined && !(c.n > 0))).map((c) => c.t);
  const sizes = filled.map(held).sort((a, b) => a - b);
  const toppedUp = (fill?.tables ?? []).filter((t) => t.existing && t.status !== 'kept').map((t) => `${t.table}: ${t.existing} row(s) from the migrations, ${t.rows} generated next to them`);
  const notes = [...plan.statsNotes, ...(fill?.notes ?? []), ...toppedUp, ...matviews];
  for (const u of fill?.unsupported ?? []) notes.push(`${u.table}.${u.column} (${u.type}): no generator for this type, ${u.handling === 'default' ? 'left to its default' : u.handling === 'null' ? 'left NULL' : 'table skipped'}`);
  return {
    source: plan.stats ? 'stats' : 'defaults',
    ...(plan.statsShown && { statsFile: plan.statsShown, statsPath: plan.settings.stats }),
    ...(plan.statsError && { statsError: `${plan.statsError}: filled with the default sizes instead` }),
    scale: plan.settings.scale ?? 1,
    rows: fill?.rows ?? 0,
    keptRows: (fill?.tables ?? []).reduce((n, t) => n + (t.existing ?? 0), 0),
    tables: filled.length,
    typicalRows: sizes.length ? sizes[Math.floor(sizes.length / 2)] : 0,
    emptyTables,
    problems: (fill?.tables ?? [])
      .filter((t) => t.status === 'failed' || t.status === 'partial' || (t.status === 'skipped' && t.cause !== '0 rows asked for'))
      .map((t) => ({ table: t.table, status: t.status, rows: t.rows, target: t.target, cause: t.cause ?? t.status, ...(t.constraint && { constraint: t.constraint }) })),
    notes,
    ms: fill?.ms ?? Date.now() - started,
    ...(error && { error }),
  };
}

/**
 * Materialized views the migrations built (over empty tables): refreshed over the generated
 * rows, those of other views first as they come (a view over a view is retried after it).
 * A view built WITH NO DATA stays so, as it would in production until someone refreshes it.
 * Returns notes for the views that could not be refreshed.
 */
async function refreshMaterializedViews(db: PGlite, onProgress: (message: string) => void): Promise<string[]> {
  const views = await db
    .query<{ v: string }>(`SELECT format('%I.%I', schemaname, matviewname) AS v FROM pg_matviews WHERE ispopulated AND schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`)
    .then((r) => r.rows.map((x) => x.v))
    .catch(() => [] as string[]);
  let pending = views;
  const failed = new Map<string, string>();
  for (let round = 0; round < 3 && pending.length; round++) {
    const next: string[] = [];
    for (const v of pending) {
      onProgress(`sandbox data: refreshing materialized view ${v}`);
      try {
        await db.exec(`REFRESH MATERIALIZED VIEW ${v}`);
        failed.delete(v);
      } catch (e) {
        failed.set(v, (e as Error).message);
        next.push(v);
      }
    }
    if (next.length === pending.length) break;
    pending = next;
  }
  return [...failed].map(([v, m]) => `materialized view ${v} could not be refreshed over the generated rows: ${m}`);
}
