import { accessSync, constants, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { flagNames, flagString, UsageError, type ParsedArgs } from '../args';
import type { CliContext, Command } from '../context';
import { serverConnection, timeoutSeconds } from '../connection';
import { cancelOnInterrupt } from '../interrupt';
import { version } from '../version';
import { PglensError, errorMessage } from '../../core/errors';
import { escapeControl } from '../../core/escape-control';
import { resolveConnection } from '../../core/db/resolve';
import { exportStats, gapNotes, statsExportText } from '../../core/sandbox-data/stats-export';

/** `--schema a,b` or `--schema a --schema b`; `"a,b"` quoted is one schema (flagNames). */
function schemasFrom(args: ParsedArgs): string[] {
  return flagNames(args, 'schema');
}

/** `-o FILE` (parseArgs leaves single-dash options with the positionals) or `--output FILE`; undefined: stdout. */
function outputFrom(args: ParsedArgs, rest: string[]): string | undefined {
  let output = flagString(args, 'output');
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '-o') {
      if (rest[i + 1] === undefined) throw new UsageError('-o needs a file name (or - for stdout)');
      output = rest[++i];
    } else if (a.startsWith('-o') && a.length > 2) {
      output = a.slice(a[2] === '=' ? 3 : 2);
    } else {
      throw new UsageError(`unexpected argument "${escapeControl(a)}": pglens stats export [-o FILE] [--no-values] [--schema NAME]`);
    }
  }
  if (output === '') throw new UsageError('-o needs a file name (or - for stdout)');
  return output === '-' ? undefined : output;
}

/** Refuses a path the export could not be written to, before anything connects. */
function checkWritable(file: string, shown: string): void {
  const dir = path.dirname(file);
  const shownDir = path.dirname(shown);
  let dirStat;
  try {
    dirStat = statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PglensError('bad-input', `cannot write -o ${shown}: ${code === 'ENOTDIR' ? 'a part of its path is a file' : `no such folder ${shownDir}`}`, 'create the folder or pick another path');
  }
  if (!dirStat.isDirectory()) throw new PglensError('bad-input', `cannot write -o ${shown}: ${shownDir} is not a folder`, 'pick another path');
  let fileStat;
  try {
    fileStat = statSync(file);
  } catch {
    // A new file: the folder must take it.
  }
  if (fileStat?.isDirectory()) throw new PglensError('bad-input', `cannot write -o ${shown}: it is a folder`, 'name a file, e.g. -o pglens-stats.json');
  try {
    accessSync(fileStat ? file : dir, constants.W_OK);
  } catch {
    throw new PglensError('bad-input', `cannot write -o ${shown}: permission denied`, 'pick a path you can write to');
  }
}

/** Written next to the target and renamed over it: a failed run never leaves half a file. */
function writeAtomically(file: string, text: string, shown: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new PglensError('bad-input', `cannot write -o ${shown}: ${errorMessage(e)}`, 'pick a path you can write to');
  }
}

/** At most `max` names, then how many more. */
export const command: Command = {
  name: 'stats',
  summary: "export a database's planner statistics (stats export) for the sandbox data generator",
  usage: [
    'Usage: pglens stats export --db URL [-o FILE] [--no-values] [--schema NAME[,NAME]]',
    '',
    'Reads, read-only, the statistics PostgreSQL keeps for the planner: for each table of the user schemas its',
    'row count and pages (pg_class.reltuples, relpages) and, per column from pg_stats, the fraction of NULLs,',
    'the number of distinct values, the most common values with their frequencies, the histogram bounds and',
    'the physical order correlation. The JSON it writes is the stats file the sandbox data generator takes,',
    'to fill a sandbox with rows shaped like production. One READ ONLY transaction, rolled back; only SELECTs',
    'on the catalogs. Tables never analyzed and columns the role may not read are named in "missing".',
    '',
    'Options:',
    '  --db URL                 the server to read (else DATABASE_URL, then ./.env); the embedded sandbox has no statistics',
    '  -o FILE, --output FILE   write the JSON there (default: stdout)',
    '  --no-values              leave out the most common values and histogram bounds (real data); keep their',
    '                           frequencies (mcvFreqs) and counts (histogramBounds)',
    '  --schema NAME[,NAME]     only these schemas (repeatable; default: all but system schemas)',
    '  --timeout SECONDS        statement timeout (default 30)',
    '',
    'Without --no-values the file holds samples of real data: review it before committing it.',
    'Exit codes: 0 written, 2 could not run (one-line reason on stderr).',
  ].join('\n'),
  flags: { values: ['db', 'output', 'schema', 'timeout'], switches: ['no-values'], shortOptions: ['-o'] },
  async run(args, ctx: CliContext) {
    const [sub, ...rest] = args.positionals;
    if (sub !== 'export') {
      throw new UsageError(sub === undefined ? 'pglens stats needs a subcommand: export' : `unknown subcommand "${escapeControl(sub)}": pglens stats export --db URL [-o FILE]`);
    }
    const output = outputFrom(args, rest);
    const file = output === undefined ? undefined : path.resolve(ctx.cwd, output);
    if (file) checkWritable(file, escapeControl(output!));
    const values = args.flags.get('no-values') !== true;
    const schemas = schemasFrom(args);
    const timeout = timeoutSeconds(args);

    const resolved = await resolveConnection({ db: flagString(args, 'db'), env: ctx.env, cwd: ctx.cwd });
    if (resolved.kind !== 'server') {
      throw new PglensError('bad-input', `stats export reads a real server's statistics, and there is none to read (${resolved.reason})`, 'pass --db postgresql://user@host:5432/database');
    }
    const conn = serverConnection(resolved.url, timeout);
    try {
      const exported = await cancelOnInterrupt(conn, ctx.stderr, async () => {
        const serverVersion = await conn.serverVersion();
        return exportStats(conn, { schemas, values, timeoutMs: Math.ceil(timeout * 1000), pglensVersion: version, serverVersion });
      });
      const text = statsExportText(exported);
      for (const n of gapNotes(exported)) ctx.stderr(`pglens stats: ${n}\n`);
      if (!file) {
        ctx.stdout(text);
        return 0;
      }
      writeAtomically(file, text, escapeControl(output!));
      const tables = Object.values(exported.tables);
      const columns = tables.reduce((n, t) => n + Object.keys(t.columns).length, 0);
      ctx.stdout(
        `Wrote statistics of ${tables.length} table(s), ${columns} column(s) to ${escapeControl(output!)} (PostgreSQL ${escapeControl(exported.serverVersion)}; ` +
          (values ? 'with most common values and histogram bounds: real data, review before committing)\n' : 'values left out)\n'),
      );
      return 0;
    } finally {
      await conn.close();
    }
  },
};
