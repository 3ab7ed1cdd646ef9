/** What building or loading the embedded sandbox did; the editor and CLI show it. */
export interface SandboxFailure {
  /** Migration file, relative to the workspace root, `/`-separated. */
  file: string;
  /** 1-based line of the failing statement or error position in the file. */
  line: number;
  /** Postgres's message (plus a next step where pglens knows one). */
  message: string;
}

/** A migration folder the sandbox replayed, and the runner that applies it (src/core/migrations). */
export interface SandboxRunner {
  /** Relative to the workspace root ('' for the root itself), '/'-separated. */
  folder: string;
  runner: string;
  migrations: number;
}

export interface SandboxReport {
  /**
   * Migrations found, in replay order: the file of each up (relative, `/`-separated), with
   * `#<id>` when one file holds several (Liquibase changesets).
   */
  files: string[];
  /** Migrations that applied (as in `files`). */
  applied: string[];
  /** Per migration folder, its runner (absent in reports cached before runners were detected). */
  runners?: SandboxRunner[];
  failed: SandboxFailure[];
  /** True when the database came from the on-disk cache (no initdb, no replay). */
  fromCache: boolean;
  /** Set when a cached build of the first N migrations was reused and only the ones after them replayed. */
  reusedFiles?: number;
  /** Wall time of this start: build and replay when cold, cache load when warm. */
  buildMs: number;
  /** Extensions the migrations create that PGlite provides (loaded). */
  extensions: string[];
  /** Extensions the migrations create that PGlite does not provide. */
  missingExtensions: string[];
  pgliteVersion: string;
  /** Wall ms per phase of this start: read, spare or copy, initdb, template, start, replay, checkpoint, cache. */
  phases?: Record<string, number>;
  /** CPU ms the sandbox process had used when it became ready (wall times mislead on a loaded machine). */
  cpuMs?: number;
  /** The generated data the tables were filled with after the migrations (absent: not filled). */
  data?: SandboxDataReport;
}

/** What filling the sandbox with generated rows did (src/core/sandbox-data). */
export interface SandboxDataReport {
  /** 'defaults': sizes and shapes pglens picks; 'stats': shaped by a stats file. */
  source: 'defaults' | 'stats';
  /** The stats file, relative to the config file's folder or the workspace root when inside it. */
  statsFile?: string;
  /** The stats file's absolute path (the editor watches it). */
  statsPath?: string;
  scale: number;
  /** Rows inserted, all tables. */
  rows: number;
  /** Rows migrations had inserted, in the tables kept as they were. */
  keptRows?: number;
  /** Tables that hold rows after the fill (generated or seeded by a migration). */
  tables: number;
  /** Median rows of the tables that hold rows. */
  typicalRows: number;
  /** Tables still empty after the fill ('schema.table'). */
  emptyTables: string[];
  /** Tables filled short or not at all: why, with the constraint Postgres named. */
  problems: Array<{ table: string; status: string; rows: number; target: number; cause: string; constraint?: string }>;
  /** What the generator did differently than asked, stats file mismatches. */
  notes: string[];
  ms: number;
  /** The fill as a whole could not run (the tables keep what it did before). */
  error?: string;
  /** The stats file named could not be read: the defaults were used instead. */
  statsError?: string;
}

/** The note Explain on the sandbox shows above every plan. */
export function sandboxDataNote(data: SandboxDataReport | undefined): string {
  if (!data) return 'sandbox data: none generated (sandbox.data is false): tables hold only what the migrations insert';
  const scale = data.scale !== 1 ? ` at scale ${data.scale}` : '';
  const source = data.source === 'stats' ? `shaped by ${data.statsFile ?? 'the stats file'}${scale}` : `generated${scale}${data.statsError ? ' (the stats file could not be read)' : ''}`;
  const kept = data.keptRows ? ` (and ${data.keptRows.toLocaleString('en-US')} the migrations inserted)` : '';
  const size = `${data.rows.toLocaleString('en-US')} rows${kept} in ${data.tables} table(s), about ${data.typicalRows.toLocaleString('en-US')} per table`;
  return `sandbox data: ${source}, ${size}; plans show the shape at this scale, not production timings${data.error ? ` (the fill stopped: ${data.error})` : ''}`;
}

/** One line for logs and the CLI: what the start applied, from where, how long it took. */
export function sandboxSummary(report: SandboxReport): string {
  const source = report.fromCache
    ? ' (from cache)'
    : report.reusedFiles
      ? ` (the first ${report.reusedFiles} from a cached build, ${report.files.length - report.reusedFiles} replayed)`
      : '';
  const data = report.data ? `; ${report.data.rows.toLocaleString('en-US')} generated row(s) in ${report.data.tables} table(s)` : '';
  return `${report.applied.length} migration(s) applied${source} in ${(report.buildMs / 1000).toFixed(1)} s, ${report.failed.length} failed${runnerText(report)}${data}`;
}

/** `; runner goose`, or per folder when there are several: `; runners goose (db/a), plain (db/b)`. */
export function runnerText(report: SandboxReport): string {
  const runners = report.runners ?? [];
  if (runners.length === 0) return '';
  if (runners.length === 1) return `; runner ${runners[0].runner}`;
  return `; runners ${runners.map((r) => `${r.runner} (${r.folder || '.'})`).join(', ')}`;
}

/**
 * The lines the CLI prints about a start's generated data (stderr): a fill that stopped, each
 * table filled short with its cause, what in the stats file did not fit, at most a dozen in all.
 * (The note on the data itself comes with every Explain's notes.)
 */
export function sandboxDataLines(report: SandboxReport): string[] {
  const data = report.data;
  if (!data) return [];
  const lines: string[] = [];
  if (data.statsError) lines.push(`sandbox data: ${data.statsError}`);
  if (data.error) lines.push(`sandbox data: the fill stopped: ${data.error}`);
  for (const p of data.problems.slice(0, 8)) {
    lines.push(`sandbox data: ${p.table}: ${p.rows.toLocaleString('en-US')} of ${p.target.toLocaleString('en-US')} rows (${p.status}): ${p.cause}`);
  }
  if (data.problems.length > 8) lines.push(`sandbox data: ${data.problems.length - 8} more table(s) filled short`);
  for (const n of data.notes.filter((n) => n.startsWith('stats file') || n.includes('could not') || n.includes('from the migrations, ')).slice(0, 4)) lines.push(`sandbox data: ${n}`);
  return lines;
}
