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
}

/** One line for logs and the CLI: what the start applied, from where, how long it took. */
export function sandboxSummary(report: SandboxReport): string {
  const source = report.fromCache
    ? ' (from cache)'
    : report.reusedFiles
      ? ` (the first ${report.reusedFiles} from a cached build, ${report.files.length - report.reusedFiles} replayed)`
      : '';
  return `${report.applied.length} migration(s) applied${source} in ${(report.buildMs / 1000).toFixed(1)} s, ${report.failed.length} failed${runnerText(report)}`;
}

/** `; runner goose`, or per folder when there are several: `; runners goose (db/a), plain (db/b)`. */
export function runnerText(report: SandboxReport): string {
  const runners = report.runners ?? [];
  if (runners.length === 0) return '';
  if (runners.length === 1) return `; runner ${runners[0].runner}`;
  return `; runners ${runners.map((r) => `${r.runner} (${r.folder || '.'})`).join(', ')}`;
}
