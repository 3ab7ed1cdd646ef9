import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { flagChoice, flagFailOn, flagString, reachesFailOn, UsageError, type ParsedArgs } from '../args';
import { COMMON_VALUE_FLAGS_NO_TIMEOUT, noTimeout, type CliContext, type Command } from '../context';
import { readTextInput } from '../read-input';
import { PglensError } from '../../core/errors';
import { escapeControl } from '../../core/escape-control';
import { lintSqlFile, type LintOptions } from '../../core/lint/engine';
import type { RunnerId } from '../../core/migrations/migration';
import { isRunnerFolder } from '../../core/migrations/read';
import { isMigrationSet, lintRunnerSet, runnerSetOfFile, runnerSetsUnder, type RunnerSet } from '../../core/lint/migration-lint';
import { loadConfig, type PglensConfig } from '../../core/config';
import { rules } from '../../core/lint/rules';
import { prismaFilesUnder, prismaSchemaFiles } from '../../core/prisma/schema-files';
import { codeFilesUnder, isCodeFile } from '../../core/app-code/code-files';
import { isSqlParserLoaded, loadSqlParser } from '../../core/sql/parse';
import { type Finding, type Severity, type SourceRange } from '../../core/types';
import type { SchemaModel } from '../../core/schema/model';
import { version } from '../version';

const FORMATS = ['text', 'json', 'sarif'] as const;

/** Each file is linted once per run: nothing is worth keeping for a re-lint. */
const ONE_SHOT: LintOptions = { cacheParses: false };

/** Folders a migration set never includes. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'out']);

export const command: Command = {
  name: 'lint',
  summary: 'lint SQL migrations (files or folders, as migration sets), schema.prisma, and N+1 queries and SQL templates in .ts/.js code',
  usage: [
    'Usage: pglens lint [PATH…] [options]',
    '',
    'Lints .sql files, folders (each a migration set: its .sql files, including Prisma\'s */migration.sql,',
    'apply in name order, so a table created in an earlier file is existing in later ones) and .prisma files',
    '(a file of a prisma/schema/ folder, or the folder itself, is linted with the whole multi-file schema).',
    'TypeScript/JavaScript files (.ts .tsx .js .jsx .mts .cts, and those under a folder, minus node_modules, dist,',
    '.next, *.d.ts, prisma/generated… — .pglens.json "appCode": { "skip": [globs] }) are checked for queries run once',
    'per element of a loop (n-plus-one-query) and the SQL in their template literals gets the query rules.',
    'Without PATH, lints the current folder.',
    '',
    'Options:',
    '  --format text|json|sarif        output format (default text; GitHub annotations are added when GITHUB_ACTIONS=true)',
    '  --fail-on error|warning|info|off   exit 1 when a finding is at or above this severity (default warning; off: never)',
    '  --config FILE                   .pglens.json to use (default: the nearest one above each PATH)',
    '',
    'lint reads files only: it never connects to a database, and takes no --timeout.',
    '',
    'Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 could not run.',
  ].join('\n'),
  flags: { values: COMMON_VALUE_FLAGS_NO_TIMEOUT, switches: [], refused: noTimeout('lint', 'reads files') },
  async run(args, ctx) {
    const format = flagChoice(args, 'format', FORMATS, 'text');
    const failOn = flagFailOn(args);
    const { findings, sets, notes } = await lintPaths(args, ctx);
    const shown = new Map<string, string>();
    const runnerOf = new Map<string, RunnerId>();
    for (const rs of sets) for (const f of rs.files) runnerOf.set(f, rs.set.runner);
    const display = findings.map((f) => {
      let file = shown.get(f.file);
      if (file === undefined) shown.set(f.file, (file = displayPath(ctx.cwd, f.file)));
      const runner = runnerOf.get(f.file);
      return { ...f, file, ...(runner && { runner }) };
    });
    const summaries = sets.map((rs) => setSummary(rs, ctx.cwd));
    if (format === 'json') {
      ctx.stdout(JSON.stringify(display.map(findingJson), null, 2) + '\n');
      // The JSON output is a bare array of findings (its contract): the notes (files not parsed or
      // not read) go to stderr so a consumer still learns what was not checked.
      if (notes.length > 0) ctx.stderr(notes.map((n) => `${escapeControl(n)}\n`).join(''));
    }
    else if (format === 'sarif') ctx.stdout(JSON.stringify(sarif(display, summaries, notes), null, 2) + '\n');
    else {
      ctx.stdout(summaries.map(summaryText).join('') + notes.map((n) => `${escapeControl(n)}\n`).join('') + renderText(display));
      if (ctx.env.GITHUB_ACTIONS === 'true') {
        const annotations = display.map(githubAnnotation).join('');
        if (ctx.workflowCommands) ctx.workflowCommands(annotations);
        else ctx.stdout(annotations);
      }
    }
    return reachesFailOn(display, failOn) ? 1 : 0;
  },
};

/** One input, read and ready to lint. */
type Job =
  | { kind: 'set'; rs: RunnerSet; config: PglensConfig; read: (file: string) => string; only?: Set<string> }
  | { kind: 'prisma'; files: Array<{ file: string; text: string }>; config: PglensConfig }
  | { kind: 'sql'; file: string; text: string; config: PglensConfig; note?: string }
  | { kind: 'code'; file: string; text: string; config: PglensConfig }
  /** An input left out, and why (a binary file named .ts in a folder). */
  | { kind: 'note'; note: string };

async function lintPaths(args: ParsedArgs, ctx: CliContext): Promise<{ findings: Finding[]; sets: RunnerSet[]; notes: string[] }> {
  // A CLI run is short: optimising the parser module costs more than it saves. Must precede the
  // WASM compile; the launcher sets it (and COMMAND_V8_FLAGS.lint's others) before anything runs.
  if (!isSqlParserLoaded()) setFlagsFromString('--liftoff-only');
  // The parser compiles off the main thread while the inputs are read.
  const parser = loadSqlParser();
  const [jobs] = await Promise.all([readInputs(args, ctx), parser]);
  const findings: Finding[] = [];
  const sets: RunnerSet[] = [];
  const notes: string[] = [];
  let prismaModels: import('../../core/app-code/prisma-models').PrismaModelCache | undefined;
  // Each set's schema after its migrations: loose query files and code run against the nearest one.
  const schemas: Array<{ folder: string; schema: SchemaModel | undefined }> = [];
  const setFindings = new Map<Job, Finding[]>();
  const workspaceSchema = (file: string): { workspaceSchema?: SchemaModel } => {
    const near = nearestSchema(schemas, file);
    return near ? { workspaceSchema: near } : {};
  };
  // Migration sets first; then folders of queries (sets that are not migrations) see the nearest one's schema.
  const setJobs = jobs.filter((j): j is Extract<Job, { kind: 'set' }> => j.kind === 'set');
  const migrationSets = setJobs.filter((j) => isMigrationSet(j.rs, j.config));
  for (const job of [...migrationSets, ...setJobs.filter((j) => !migrationSets.includes(j))]) {
    const only = job.only && job.only.size === 1 ? { onlyFile: [...job.only][0] } : {};
    const folder = path.join(job.rs.root, ...job.rs.set.folder.split('/').filter(Boolean));
    const context = migrationSets.includes(job)
      ? { onSchema: (schema: SchemaModel | undefined): void => void schemas.push({ folder, schema }) }
      : workspaceSchema(path.join(folder, 'query.sql'));
    const found = lintRunnerSet(job.rs, job.read, job.config, { ...ONE_SHOT, ...only, ...context });
    setFindings.set(job, job.only ? found.filter((f) => job.only!.has(f.file)) : found);
  }
  for (const job of jobs) {
    if (job.kind === 'sql' && job.note) notes.push(job.note);
    if (job.kind === 'note') notes.push(job.note);
    if (job.kind === 'set') {
      sets.push(job.rs);
      findings.push(...(setFindings.get(job) ?? []));
    }
    else if (job.kind === 'prisma') {
      // Loaded on demand: the Prisma parser is heavy and SQL-only runs (CI on migrations) should not pay for it.
      // require, not import(): the same lazy load in the CommonJS bundle, and it also resolves under the TS test runner.
      /* eslint-disable @typescript-eslint/no-require-imports -- lazy load, bundled by esbuild: only runs that lint these files pay for the parser */
      const { lintPrismaDocument, unsupportedProvider } = require('../../core/prisma/lint') as typeof import('../../core/prisma/lint');
      const { parsePrismaFiles } = require('../../core/prisma/parse') as typeof import('../../core/prisma/parse');
      /* eslint-enable @typescript-eslint/no-require-imports */
      const doc = parsePrismaFiles(job.files);
      const provider = unsupportedProvider(doc);
      if (provider !== undefined) {
        throw new PglensError(
          'bad-input',
          `${displayPath(ctx.cwd, job.files[0].file)}: the datasource provider is "${provider}", and pglens checks PostgreSQL schemas (its types, locks and indexes)`,
          'lint the PostgreSQL schema, or leave this file out',
        );
      }
      findings.push(...lintPrismaDocument(doc, job.config));
    } else if (job.kind === 'code') {
      // Loaded on demand: the TypeScript parser is only needed when code files are linted.
      /* eslint-disable @typescript-eslint/no-require-imports -- lazy load, bundled by esbuild: only runs that lint these files pay for the parser */
      const { lintCodeFile } = require('../../core/app-code/lint-code-file') as typeof import('../../core/app-code/lint-code-file');
      const { PrismaModelCache } = require('../../core/app-code/prisma-models') as typeof import('../../core/app-code/prisma-models');
      /* eslint-enable @typescript-eslint/no-require-imports */
      prismaModels ??= new PrismaModelCache();
      const result = lintCodeFile(job.file, job.text, job.config, { prisma: prismaModels.forCodeFile(job.file), cacheParses: false, ...workspaceSchema(job.file) });
      const shown = displayPath(ctx.cwd, job.file);
      if (result.skipped) notes.push(`${shown}: not read, ${result.skipped}`);
      if (result.parseError) {
        const at = result.parseError.range.start;
        notes.push(`${shown}:${at.line + 1}:${at.character + 1}: does not parse (${result.parseError.message}); its loops were not checked`);
      }
      findings.push(...result.findings);
    } else if (job.kind === 'sql') findings.push(...lintSqlFile(job.file, job.text, job.config, { ...ONE_SHOT, ...workspaceSchema(job.file) }));
  }
  return { findings, sets, notes };
}

/**
 * The schema of the set nearest to a file in the folder tree (ties: the first), as the editor's
 * navigation picks it; none when that set did not replay fully (not a farther set's instead).
 */
function nearestSchema(schemas: ReadonlyArray<{ folder: string; schema: SchemaModel | undefined }>, file: string): SchemaModel | undefined {
  let best: SchemaModel | undefined;
  let bestScore = -1;
  const dir = path.dirname(file).split(path.sep);
  for (const { folder, schema } of schemas) {
    const parts = folder.split(path.sep);
    let score = 0;
    while (score < parts.length && score < dir.length && parts[score] === dir[score]) score++;
    if (score > bestScore) [best, bestScore] = [schema, score];
  }
  return best;
}

/** Reads every input (synchronously: an async function only so a bad input rejects alongside the parser load). */
async function readInputs(args: ParsedArgs, ctx: CliContext): Promise<Job[]> {
  const explicitConfig = flagString(args, 'config');
  const inputs = args.positionals.length > 0 ? args.positionals : ['.'];
  const configs = new Map<string, PglensConfig>();
  const configFor = (p: string): PglensConfig => {
    const key = explicitConfig ?? path.dirname(p);
    let config = configs.get(key);
    if (!config) {
      config = loadConfig(p, explicitConfig && path.resolve(ctx.cwd, explicitConfig));
      configs.set(key, config);
    }
    return config;
  };
  const jobs: Job[] = [];
  // Checked reads (a binary or unreadable file is a clear error), each file once.
  const texts = new Map<string, string>();
  const read = (file: string): string => {
    let t = texts.get(file);
    if (t === undefined) texts.set(file, (t = readText(file, ctx.cwd)));
    return t;
  };
  // Sets already queued, by folder: several file arguments of one set lint it once.
  const setJobs = new Map<string, Extract<Job, { kind: 'set' }>>();
  // What the runner model reads through pglens's checked read: migration files that exist (side files and absent ones go to the disk reader).
  // A file that cannot be read as text (binary, unreadable) goes to the model as undefined: it
  // fails the run only if its runner runs it (then `read` reports it), not as a sibling.
  const readSql = (file: string): string | undefined => {
    if (!file.toLowerCase().endsWith('.sql') || !isFile(file)) return undefined;
    try {
      return read(file);
    } catch {
      return '';
    }
  };
  const setKey = (rs: RunnerSet): string => path.join(rs.root, ...rs.set.folder.split('/').filter(Boolean));
  // Files of a multi-file Prisma schema already linted with an earlier input of the same folder.
  const prismaDone = new Set<string>();
  // Code files already queued (a file given and its folder too is linted once).
  const codeDone = new Set<string>();
  const codeJob = (file: string, config: PglensConfig, inFolder: boolean): void => {
    if (codeDone.has(file)) return;
    codeDone.add(file);
    let text: string;
    try {
      text = read(file);
    } catch (e) {
      // A folder holds files that are named .ts without being TypeScript (HLS video segments,
      // UTF-16 exports): one of them must not stop the run. A file named on the command line
      // is what the user asked for, so there it stays an error.
      if (!inFolder || !(e instanceof PglensError)) throw e;
      const shown = displayPath(ctx.cwd, file);
      const message = e.hint && e.message.endsWith(` — ${e.hint}`) ? e.message.slice(0, -(e.hint.length + 3)) : e.message;
      const reason = message.startsWith(`${shown} is `) ? message.slice(shown.length + 4) : message;
      jobs.push({ kind: 'note', note: `${shown}: not read, ${reason}` });
      return;
    }
    jobs.push({ kind: 'code', file, text, config });
  };
  const prismaJob = (files: string[], config: PglensConfig): void => {
    if (files.every((f) => prismaDone.has(f))) return;
    for (const f of files) prismaDone.add(f);
    jobs.push({ kind: 'prisma', files: files.map((file) => ({ file, text: readText(file, ctx.cwd) })), config });
  };
  // A migration is linted with its set (as its runner runs it), reporting on this file only.
  const fileInput = (abs: string, config: PglensConfig): void => {
    const found = runnerSetOfFile(abs, { config, read: (f) => (f === abs ? read(f) : readSql(f)) });
    if (!found?.runs) {
      const note = found && `${displayPath(ctx.cwd, abs)}: ${found.rs.set.runner} does not run this file (it is not one of the migrations of ${displayPath(ctx.cwd, setKey(found.rs)) || '.'}): linted on its own`;
      jobs.push({ kind: 'sql', file: abs, text: read(abs), config, ...(note && { note }) });
      return;
    }
    const key = setKey(found.rs);
    const queued = setJobs.get(key);
    if (queued) queued.only?.add(abs);
    else {
      const job: Job = { kind: 'set', rs: found.rs, config, read, only: new Set([abs]) };
      setJobs.set(key, job);
      jobs.push(job);
    }
  };
  for (const input of inputs) {
    const abs = path.resolve(ctx.cwd, input);
    let isDir: boolean;
    try {
      isDir = statSync(abs).isDirectory();
    } catch (e) {
      throw new PglensError('bad-input', `cannot read ${input}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 'check the path');
    }
    const config = configFor(abs);
    if (isDir) {
      // One Prisma or diesel migration's own folder (`<name>/migration.sql`, `<name>/up.sql`): its files, each in its set.
      const own = ['migration.sql', 'up.sql', 'down.sql'].map((f) => path.join(abs, f)).filter(isFile);
      if (own.length > 0) {
        for (const f of own) fileInput(f, config);
        continue;
      }
      // Application code (.ts/.js…): N+1 queries and the SQL in its template literals.
      const code = codeFilesUnder(abs, config);
      for (const f of code) codeJob(f, config, true);
      const files = sqlFilesUnder(abs);
      // A Liquibase changelog may hold its changes inline: a folder with one is a migration set even without .sql files.
      if (files.length > 0 || isRunnerFolder(abs)) {
        const rel = files.map((f) => path.relative(abs, f).split(path.sep).join('/'));
        for (const rs of runnerSetsUnder(abs, { config, read: readSql }, rel)) {
          const key = setKey(rs);
          const queued = setJobs.get(key);
          if (queued) delete queued.only;
          else {
            const job: Job = { kind: 'set', rs, config, read };
            setJobs.set(key, job);
            jobs.push(job);
          }
        }
        continue;
      }
      // A multi-file Prisma schema folder (prisma/schema/): one schema, its relations cross files.
      const prisma = prismaFilesUnder(abs);
      if (prisma.length === 0) {
        if (code.length > 0) continue;
        throw new PglensError('bad-input', `no .sql, .prisma or code files under ${input}`, 'pass a migrations folder, .sql files, a .prisma file, a Prisma schema folder or a folder of .ts/.js files');
      }
      prismaJob(prisma, config);
    } else if (abs.endsWith('.prisma')) {
      prismaJob(prismaSchemaFiles(abs), config);
    } else if (abs.endsWith('.sql')) {
      fileInput(abs, config);
    } else if (isCodeFile(abs)) {
      codeJob(abs, config, false);
    } else {
      throw new UsageError(`${input}: pglens lint takes .sql files, .prisma files and folders, and code files (.ts, .tsx, .js, .jsx, .mts, .cts)`);
    }
  }
  return jobs;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function readText(file: string, cwd: string): string {
  return readTextInput(file, () => displayPath(cwd, file));
}

/** Every .sql file under a folder, in name order of their paths (Prisma's `<timestamp>_name/migration.sql` sorts by folder). */
function sqlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    // `d` is resolved and an entry's name is one component: path.join's normalising (~5 µs a
    // path, a few ms on a Prisma folder of hundreds of migration folders) would change nothing.
    const prefix = d.endsWith(path.sep) ? d : d + path.sep;
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) visit(prefix + entry.name);
      } else if (entry.name.endsWith('.sql') && (entry.isFile() || isFile(prefix + entry.name))) out.push(prefix + entry.name);
    }
  };
  visit(dir);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function displayPath(cwd: string, file: string): string {
  const rel = path.isAbsolute(file) ? path.relative(cwd, file) : file;
  const shown = rel.startsWith('..') ? file : rel;
  return shown.split(path.sep).join('/');
}

export function oneBased(range: SourceRange): { line: number; column: number; endLine: number; endColumn: number } {
  return { line: range.start.line + 1, column: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 };
}

export function renderText(findings: Finding[]): string {
  if (findings.length === 0) return 'No problems found.\n';
  let out = '';
  for (const f of findings) {
    const { line, column } = oneBased(f.range);
    out += `${escapeControl(f.file)}:${line}:${column}  ${f.severity}  ${f.ruleId}  ${escapeControl(f.message)}\n`;
    if (f.fix) out += `    fix: ${escapeControl(f.fix.title)}\n`;
  }
  const count = (s: Severity): string => {
    const n = findings.filter((f) => f.severity === s).length;
    return `${n} ${s}${n === 1 || s === 'info' ? '' : 's'}`;
  };
  out += `\n${findings.length} problem${findings.length === 1 ? '' : 's'} (${count('error')}, ${count('warning')}, ${count('info')})\n`;
  return out;
}

/** What the CLI says about a migration set it linted: where, which runner, how many migrations. */
interface SetSummary {
  folder: string;
  runner: RunnerId;
  migrations: number;
  downs: number;
  /** `.sql` files of the folder the runner never runs (not linted). */
  notRun: string[];
}

function setSummary(rs: RunnerSet, cwd: string): SetSummary {
  const folder = displayPath(cwd, path.join(rs.root, ...rs.set.folder.split('/').filter(Boolean))) || '.';
  return {
    folder,
    runner: rs.set.runner,
    migrations: rs.set.migrations.length,
    downs: rs.set.migrations.filter((m) => m.down).length,
    notRun: rs.notRun.map((f) => displayPath(cwd, f)),
  };
}

function summaryText(s: SetSummary): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  let line = `${escapeControl(s.folder)}: ${s.runner}, ${plural(s.migrations, 'migration')}`;
  if (s.downs > 0) line += ` (${s.downs} with a down)`;
  if (s.notRun.length > 0) {
    const list = s.notRun.slice(0, 3).map(escapeControl).join(', ') + (s.notRun.length > 3 ? ', …' : '');
    line += `; ${plural(s.notRun.length, '.sql file')} the runner does not run, not linted: ${list}`;
  }
  return line + '\n';
}

export function findingJson(f: Finding & { runner?: RunnerId }): Record<string, unknown> {
  const out: Record<string, unknown> = { file: f.file, ...oneBased(f.range), rule: f.ruleId, severity: f.severity, message: f.message };
  if (f.runner) out.runner = f.runner;
  if (f.fix) {
    out.fix = {
      title: f.fix.title,
      edits: f.fix.edits.map((e) => ({ ...oneBased(e.range), newText: e.newText })),
    };
  }
  return out;
}

function sarifLevel(s: Severity): 'error' | 'warning' | 'note' {
  return s === 'info' ? 'note' : s;
}

/** SARIF 2.1.0 for GitHub code scanning; columns are UTF-16 code units, SARIF's default. */
function sarif(findings: Finding[], sets: SetSummary[], notes: string[]): Record<string, unknown> {
  const ruleIds = [...new Set(findings.map((f) => f.ruleId))].sort();
  const describe = (id: string): string => rules.find((r) => r.id === id)?.docs.description ?? (id === 'syntax-error' ? 'Postgres cannot parse this statement.' : id);
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pglens',
            version,
            rules: ruleIds.map((id) => ({
              id,
              name: id,
              shortDescription: { text: describe(id) },
              // The docs ship with pglens (docs/rules/<id>.md, also inside the .vsix); no web page is assumed.
              help: { text: `${describe(id)} See docs/rules/${id}.md in pglens.` },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        // Which runner pglens read each migration folder as (src/core/migrations).
        properties: { migrationSets: sets.map(({ folder, runner, migrations, notRun }) => ({ folder, runner, migrations, notRun })), notes },
        results: findings.map((f) => {
          const { line, column, endLine, endColumn } = oneBased(f.range);
          return {
            ruleId: f.ruleId,
            ruleIndex: ruleIds.indexOf(f.ruleId),
            level: sarifLevel(f.severity),
            message: { text: f.fix ? `${f.message} (fix: ${f.fix.title})` : f.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: f.file.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' },
                  region: { startLine: line, startColumn: column, endLine, endColumn },
                },
              },
            ],
          };
        }),
      },
    ],
  };
}

/** GitHub's encoding of `%` (and of `:` and `,` in properties); line breaks are spelled out before, so none starts a line. */
const escapeData = (s: string): string => escapeControl(s).replace(/%/g, '%25');
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** A GitHub Actions workflow command, so findings show up on the pull request's diff. */
export function githubAnnotation(f: Finding): string {
  const level = f.severity === 'info' ? 'notice' : f.severity;
  const { line, column, endLine, endColumn } = oneBased(f.range);
  const props = [`file=${escapeProperty(f.file)}`, `line=${line}`, `col=${column}`, `endLine=${endLine}`, `endColumn=${endColumn}`, `title=${escapeProperty(`pglens ${f.ruleId}`)}`];
  return `::${level} ${props.join(',')}::${escapeData(f.message)}\n`;
}
