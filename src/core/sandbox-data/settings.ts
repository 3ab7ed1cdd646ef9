import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { PglensError } from '../errors';
import type { ColumnStats, FillOptions, FillStats, TableStats } from './types';

/**
 * What data the embedded sandbox is filled with: `.pglens.json` `sandbox.data`, overridden by
 * the CLI's `--data FILE`, `--scale N`, `--no-data`. Read by the sandbox build (in the sandbox
 * process), so the editor and the CLI fill the same way.
 */
export interface SandboxDataSettings {
  /** false: the tables stay as the migrations leave them (empty, or their seed rows). */
  enabled: boolean;
  /** Absolute path of a stats file (`pglens stats export`). */
  stats?: string;
  /** Multiplies every row count (default 1; with a stats file, e.g. 0.1 for a tenth of production). */
  scale?: number;
  /** Rows of an ordinary table without statistics (default DEFAULT_ROWS_PER_TABLE). */
  rowsPerTable?: number;
  /** Explicit row counts by 'schema.table' or 'table' (before scale). */
  rows?: Record<string, number>;
  /** Changes every generated value; same seed and schema, same data (default 0). */
  seed?: number;
}

/** The CLI's flags: each set one wins over the config file's. */
export interface SandboxDataOverrides {
  enabled?: boolean;
  stats?: string;
  scale?: number;
}

export const DEFAULT_ROWS_PER_TABLE = 20_000;
/** Stats exports of schemas with thousands of tables stay in the tens of MB. */
const MAX_STATS_FILE_BYTES = 256 * 1048576;
/**
 * All tables together, unless a stats file, `rows` or `rowsPerTable` say otherwise. Real
 * schemas cost more per row than the 20-table bench (wide rows, many indexes): langfuse's 71
 * tables took 60 s and 744 MB for 935,000 rows. Thousands of rows per table already give the
 * planner's real choices (index or not, join methods); a first start should not take minutes.
 */
export const DEFAULT_MAX_TOTAL_ROWS = 300_000;
/** Any one table, after scale: keeps a stats file of a huge production table within reach. */
export const MAX_ROWS_PER_TABLE = 5_000_000;
/**
 * Bumped when the generator changes what it produces for the same settings: part of the
 * cache key of a filled sandbox, so an upgrade does not keep serving the old data.
 */
export const GENERATOR_VERSION = 4;

/** Keys `sandbox.data` accepts (the schema lists the same: test/unit/config/schema.test.ts). */
export const SANDBOX_DATA_KEYS = ['stats', 'scale', 'rowsPerTable', 'rows', 'seed'];

/**
 * `sandbox.data` of a config file: `false` (no data), `true` or absent (defaults), or an
 * object of SandboxDataSettings fields. `stats` is resolved against `root`. Throws a
 * PglensError naming the key and what it must be.
 */
export function parseDataSetting(value: unknown, file: string, root: string): SandboxDataSettings {
  const bad = (key: string, problem: string) =>
    new PglensError('bad-input', `${file}: "sandbox.data${key}" ${problem}`, `fix "sandbox.data${key}" in ${file} (see schemas/pglens-config.schema.json)`);
  if (value === false) return { enabled: false };
  if (value === true || value === undefined) return { enabled: true };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad('', 'must be false (empty tables) or an object like { "stats": "db/pglens-stats.json", "scale": 0.1 }');
  }
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) if (!SANDBOX_DATA_KEYS.includes(k)) throw bad(`.${k}`, `is not a known setting (${SANDBOX_DATA_KEYS.join(', ')})`);
  const out: SandboxDataSettings = { enabled: true };
  if (v.stats !== undefined) {
    if (typeof v.stats !== 'string' || v.stats.trim() === '') throw bad('.stats', 'must be the path of a stats file (pglens stats export -o FILE), relative to this config file');
    out.stats = isAbsolute(v.stats) ? v.stats : resolve(root, v.stats);
  }
  if (v.scale !== undefined) {
    if (!isPositive(v.scale) || v.scale > 100) throw bad('.scale', 'must be a number above 0 and at most 100 (1 = the sizes as given; 0.1 = a tenth)');
    out.scale = v.scale;
  }
  if (v.rowsPerTable !== undefined) {
    if (!isCount(v.rowsPerTable) || v.rowsPerTable < 1 || v.rowsPerTable > MAX_ROWS_PER_TABLE) throw bad('.rowsPerTable', `must be a whole number from 1 to ${MAX_ROWS_PER_TABLE}`);
    out.rowsPerTable = v.rowsPerTable;
  }
  if (v.rows !== undefined) {
    if (typeof v.rows !== 'object' || v.rows === null || Array.isArray(v.rows)) throw bad('.rows', 'must be an object of table name → row count, like { "orders": 200000 }');
    const rows: Record<string, number> = {};
    for (const [table, n] of Object.entries(v.rows as Record<string, unknown>)) {
      if (!isCount(n) || n > MAX_ROWS_PER_TABLE) throw bad(`.rows.${table}`, `must be a whole number from 0 to ${MAX_ROWS_PER_TABLE}`);
      rows[table] = n;
    }
    out.rows = rows;
  }
  if (v.seed !== undefined) {
    // Larger numbers are not exact in JSON's doubles: two of them would give the same data.
    if (!isCount(v.seed) || v.seed > Number.MAX_SAFE_INTEGER) throw bad('.seed', `must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`);
    out.seed = v.seed;
  }
  return out;
}

/** The config's settings with the CLI's flags applied over them. */
export function mergeDataSettings(config: SandboxDataSettings | undefined, overrides: SandboxDataOverrides | undefined): SandboxDataSettings {
  const out: SandboxDataSettings = { ...(config ?? { enabled: true }) };
  if (!overrides) return out;
  if (overrides.stats !== undefined) out.stats = overrides.stats;
  if (overrides.scale !== undefined) out.scale = overrides.scale;
  if (overrides.enabled !== undefined) out.enabled = overrides.enabled;
  return out;
}

/** A stats file as read, with the digest of its bytes (for the cache key). */
export interface LoadedStats {
  stats: FillStats;
  sha: string;
}

/**
 * Reads a stats file written by `pglens stats export` (or by hand: `{ "tables": { "public.t":
 * { "rows": 1000, "columns": { … } } } }`). Entries that are not the expected shape are
 * dropped field by field — a wrong `rows` drops its table — and listed in `dropped`, so a
 * file edited by hand never stops the sandbox. Throws PglensError when the file cannot be read
 * or is not a stats file at all.
 */
export function readStatsFile(file: string, shown = file): LoadedStats & { dropped: string[] } {
  return parseStatsFile(readStatsBytes(file, shown), shown);
}

/** The stats file's bytes (what its cache key digests), refusing what is no regular file. */
export function readStatsBytes(file: string, shown = file): Buffer {
  try {
    // Not a FIFO or a device (reading one would block or never end), not larger than any export.
    const st = statSync(file);
    if (st.isFile() && st.size > MAX_STATS_FILE_BYTES) {
      throw new PglensError('bad-input', `the stats file ${shown} is ${Math.round(st.size / 1048576)} MB, more than any stats export (${MAX_STATS_FILE_BYTES / 1048576} MB)`, 'check the path; export again with `pglens stats export --db URL -o FILE`');
    }
    if (!st.isFile() && !st.isDirectory()) {
      throw new PglensError('bad-input', `cannot read the stats file ${shown}: it is not a regular file`, 'write one with `pglens stats export --db URL -o FILE`, or fix the path');
    }
    return readFileSync(file);
  } catch (e) {
    if (e instanceof PglensError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new PglensError(
      'bad-input',
      `cannot read the stats file ${shown}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (code ?? String(e))}`,
      'write one with `pglens stats export --db URL -o FILE`, or fix the path',
    );
  }
}

export function statsDigest(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A stats file's bytes read as FillStats (see readStatsFile). */
export function parseStatsFile(bytes: Buffer, shown: string): LoadedStats & { dropped: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new PglensError('bad-input', `the stats file ${shown} is not JSON: ${(e as Error).message}`, 'write it again with `pglens stats export --db URL -o FILE`');
  }
  const tablesIn = (json as { tables?: unknown } | null)?.tables;
  if (typeof json !== 'object' || json === null || typeof tablesIn !== 'object' || tablesIn === null || Array.isArray(tablesIn)) {
    throw new PglensError('bad-input', `${shown} is not a pglens stats file (no "tables" object)`, 'write one with `pglens stats export --db URL -o FILE`');
  }
  const format = (json as { format?: unknown }).format;
  if (format !== undefined && format !== 1) {
    throw new PglensError('bad-input', `the stats file ${shown} has format ${JSON.stringify(format)}, which this pglens does not know`, 'export it again with this version of pglens');
  }
  const dropped: string[] = [];
  const tables: Record<string, TableStats> = {};
  for (const [key, raw] of Object.entries(tablesIn as Record<string, unknown>)) {
    const t = raw as { rows?: unknown; columns?: unknown } | null;
    if (typeof t !== 'object' || t === null || !isCount(t.rows)) {
      dropped.push(`${key} (no row count)`);
      continue;
    }
    const columns: Record<string, ColumnStats> = {};
    if (typeof t.columns === 'object' && t.columns !== null && !Array.isArray(t.columns)) {
      for (const [name, c] of Object.entries(t.columns as Record<string, unknown>)) {
        const col = columnStats(c);
        if (col.droppedFields.length) dropped.push(`${key}.${name}: ${col.droppedFields.join(', ')}`);
        columns[name] = col.stats;
      }
    }
    tables[key] = { rows: t.rows, columns };
  }
  return { stats: { tables }, sha: statsDigest(bytes), dropped };
}

/** The fields of one column's entry that have the expected shape. */
function columnStats(raw: unknown): { stats: ColumnStats; droppedFields: string[] } {
  const out: ColumnStats = {};
  const droppedFields: string[] = [];
  if (typeof raw !== 'object' || raw === null) return { stats: out, droppedFields: ['not an object'] };
  const c = raw as Record<string, unknown>;
  const fraction = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  const numbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => fraction(x));
  if (c.nullFrac !== undefined) {
    if (fraction(c.nullFrac)) out.nullFrac = c.nullFrac as number;
    else droppedFields.push('nullFrac');
  }
  if (c.nDistinct !== undefined) {
    if (typeof c.nDistinct === 'number' && Number.isFinite(c.nDistinct) && c.nDistinct >= -1) out.nDistinct = c.nDistinct;
    else droppedFields.push('nDistinct');
  }
  if (c.mcv !== undefined) {
    const m = c.mcv as { values?: unknown; freqs?: unknown } | null;
    if (m && strings(m.values) && numbers(m.freqs) && m.values.length === m.freqs.length) out.mcv = { values: m.values, freqs: m.freqs };
    else droppedFields.push('mcv');
  }
  if (c.mcvFreqs !== undefined) {
    if (numbers(c.mcvFreqs)) out.mcvFreqs = c.mcvFreqs;
    else droppedFields.push('mcvFreqs');
  }
  if (c.histogram !== undefined) {
    if (strings(c.histogram)) out.histogram = c.histogram;
    else droppedFields.push('histogram');
  }
  if (c.correlation !== undefined) {
    if (typeof c.correlation === 'number' && c.correlation >= -1 && c.correlation <= 1) out.correlation = c.correlation;
    else droppedFields.push('correlation');
  }
  return { stats: out, droppedFields };
}

/** The generator's options for these settings (the sandbox's budget applies when neither stats nor rows size the tables). */
export function fillOptionsFor(settings: SandboxDataSettings, stats: FillStats | undefined): FillOptions {
  return {
    rowsPerTable: settings.rowsPerTable ?? DEFAULT_ROWS_PER_TABLE,
    scale: settings.scale ?? 1,
    tableRows: settings.rows,
    stats,
    seed: settings.seed ?? 0,
    maxRowsPerTable: MAX_ROWS_PER_TABLE,
    // The budget scales too: --scale 3 on a schema that fills its budget means three times the rows.
    maxTotalRows: settings.rowsPerTable === undefined ? Math.round(DEFAULT_MAX_TOTAL_ROWS * (settings.scale ?? 1)) : undefined,
    existingRows: 'top-up',
  };
}

/**
 * The part of a filled sandbox's cache key the data settings make: same key, same data. A stats
 * file is keyed by its bytes; one that could not be read by its path, so the build filled with
 * the defaults in its place is never served for the plain defaults (whose report says nothing
 * of a stats file), and is redone once the file can be read.
 */
export function dataKey(settings: SandboxDataSettings, statsSha: string | undefined, pglensVersion: string): string {
  const h = createHash('sha256');
  const stats = statsSha ?? (settings.stats !== undefined ? `unreadable:${settings.stats}` : null);
  h.update(JSON.stringify({ g: GENERATOR_VERSION, v: pglensVersion, scale: settings.scale ?? 1, per: settings.rowsPerTable ?? null, rows: sorted(settings.rows), seed: settings.seed ?? 0, stats }));
  return h.digest('hex').slice(0, 16);
}

function sorted(o: Record<string, number> | undefined): Array<[string, number]> | null {
  return o ? Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : null;
}

function isPositive(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/**
 * The text of a `.pglens.json` whose `sandbox.data.stats` names `statsPath` (relative to the
 * config's folder, `/`-separated), everything else kept: other sandbox.data settings stay, a
 * `"data": false` becomes `{ "stats": … }`. `text` undefined: a new file. Throws PglensError when
 * the existing text is not a JSON object (the file is left for the user to fix).
 */
export function configWithStats(text: string | undefined, statsPath: string, file: string): string {
  let config: Record<string, unknown> = {};
  if (text !== undefined && text.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new PglensError('bad-input', `${file} is not valid JSON (${(e as Error).message})`, `fix it, then set "sandbox": { "data": { "stats": "${statsPath}" } } by hand or run this again`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new PglensError('bad-input', `${file} is not a JSON object`, `fix it, then set "sandbox": { "data": { "stats": "${statsPath}" } }`);
    }
    config = parsed as Record<string, unknown>;
  }
  const sandbox = isPlainObject(config.sandbox) ? { ...config.sandbox } : {};
  const data = isPlainObject(sandbox.data) ? { ...sandbox.data } : {};
  data.stats = statsPath;
  sandbox.data = data;
  return `${JSON.stringify({ ...config, sandbox }, null, 2)}\n`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
