import { accessSync, constants, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { flagChoice, flagNames, flagString, UsageError, type ParsedArgs } from '../args';
import { COMMON_VALUE_FLAGS, type CliContext, type Command } from '../context';
import { serverConnection, timeoutSeconds } from '../connection';
import { connectionJson, type ConnectionJson } from '../connection-json';
import { cancelOnInterrupt } from '../interrupt';
import { readTextInput } from '../read-input';
import { resolveConnection } from '../../core/db/resolve';
import { PglensError, errorMessage } from '../../core/errors';
import { escapeControl } from '../../core/escape-control';
import { readCatalog } from '../../core/health/catalog';
import { loadConfig, type PglensConfig } from '../../core/config';
import { isMigrationSet, runnerSetsUnder, type RunnerSet } from '../../core/lint/migration-lint';
import { prismaFilesUnder, prismaSchemaFiles } from '../../core/prisma/schema-files';
import { loadSqlParser } from '../../core/sql/parse';
import { diagramSubset, outsideLabel, type DiagramModel, type DiagramTable } from '../../core/erd/diagram';
import { toMermaid } from '../../core/erd/mermaid';
import { findDiagramSources, liveDiagram, migrationsDiagram, prismaDiagram } from '../../core/erd/sources';

const FORMATS = ['mermaid', 'json', 'text'] as const;
type Format = (typeof FORMATS)[number];

/** What was drawn, and how stderr names where it came from. */
interface Drawn {
  model: DiagramModel;
  /** `the migrations in migrations/ (found under the current folder)`: for the stderr line. */
  said: string;
  connection?: ConnectionJson;
}

/** `-o FILE` (parseArgs leaves it with the positionals) or `--output FILE`; undefined: stdout. */
function outputFrom(args: ParsedArgs): string | undefined {
  let output = flagString(args, 'output');
  const rest = args.positionals;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '-o') {
      if (rest[i + 1] === undefined) throw new UsageError('-o needs a file name (or - for stdout)');
      output = rest[++i];
    } else if (a.startsWith('-o') && a.length > 2) {
      output = a.slice(a[2] === '=' ? 3 : 2);
    } else {
      throw new UsageError(`schema takes no arguments, got "${escapeControl(a)}" — name the source with --migrations DIR, --prisma FILE or --db URL`);
    }
  }
  if (output === '') throw new UsageError('-o needs a file name (or - for stdout)');
  return output === '-' ? undefined : output;
}

/** A path the diagram could not be written to is refused before anything is read. */
function checkWritable(file: string, shown: string): void {
  let dir;
  try {
    dir = statSync(path.dirname(file));
  } catch {
    throw new PglensError('bad-input', `cannot write -o ${shown}: no such folder ${escapeControl(path.dirname(shown))}`, 'create the folder or pick another path');
  }
  if (!dir.isDirectory()) throw new PglensError('bad-input', `cannot write -o ${shown}: ${escapeControl(path.dirname(shown))} is not a folder`, 'pick another path');
  let existing;
  try {
    existing = statSync(file);
  } catch {
    // A new file: the folder must take it.
  }
  if (existing?.isDirectory()) throw new PglensError('bad-input', `cannot write -o ${shown}: it is a folder`, 'name a file, e.g. -o schema.mmd');
  try {
    accessSync(existing ? file : path.dirname(file), constants.W_OK);
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

/** `rel` from the current folder, `/`-separated (`.` for the folder itself); a path outside it stays absolute. */
function shownPath(cwd: string, abs: string): string {
  const rel = path.relative(cwd, abs);
  if (rel === '') return '.';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return abs;
  return rel.split(path.sep).join('/');
}

/** The disk reader the diagram sources take: undefined for a file that cannot be read. */
function readDisk(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function existingPath(cwd: string, flag: 'migrations' | 'prisma', value: string): { abs: string; dir: boolean } {
  const abs = path.resolve(cwd, value);
  try {
    return { abs, dir: statSync(abs).isDirectory() };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new PglensError(
      'bad-input',
      `--${flag} ${escapeControl(value)}: ${code === 'ENOENT' ? 'no such file or folder' : `cannot read it (${code})`}`,
      flag === 'migrations' ? 'pass the folder that holds the migration .sql files' : 'pass the path of the schema.prisma (or of a prisma/schema folder)',
    );
  }
}

/** The migration sets under an explicit --migrations folder: every set with migrations, those that look like migrations first. */
function migrationSetsOf(dir: string, config: PglensConfig): RunnerSet[] {
  const sets = runnerSetsUnder(dir, { config }).filter((rs) => rs.set.migrations.length > 0);
  return [...sets.filter((rs) => isMigrationSet(rs, config)), ...sets.filter((rs) => !isMigrationSet(rs, config))];
}

function setLabel(cwd: string, rs: RunnerSet): string {
  const folder = path.join(rs.root, ...rs.set.folder.split('/').filter(Boolean));
  const shown = shownPath(cwd, folder);
  return shown.endsWith('/') ? shown : `${shown}/`;
}

async function drawMigrations(cwd: string, value: string, configFile: string | undefined): Promise<Drawn> {
  const { abs, dir } = existingPath(cwd, 'migrations', value);
  if (!dir) throw new PglensError('bad-input', `--migrations ${escapeControl(value)} is a file`, 'pass the folder that holds the migration .sql files');
  const config = loadConfig(abs, configFile);
  const sets = migrationSetsOf(abs, config);
  if (sets.length === 0) {
    throw new PglensError('bad-input', `no migrations under --migrations ${escapeControl(value)} (no .sql file a migration runner would run)`, 'pass the folder that holds the migration .sql files');
  }
  await loadSqlParser();
  const rs = sets[0];
  const label = setLabel(cwd, rs);
  const others = sets.slice(1).map((s) => setLabel(cwd, s));
  const also = others.length > 0 ? `; also under it: ${others.join(', ')} — pass one of those to --migrations to draw it` : '';
  return { model: migrationsDiagram(rs, readDisk, config, label), said: `the migrations in ${label} (--migrations, runner ${rs.set.runner}, ${rs.set.migrations.length} migration${rs.set.migrations.length === 1 ? '' : 's'}${also})` };
}

function drawPrisma(cwd: string, value: string, configFile: string | undefined): Drawn {
  const { abs, dir } = existingPath(cwd, 'prisma', value);
  const files = dir ? prismaFilesUnder(abs) : prismaSchemaFiles(abs);
  if (files.length === 0) throw new PglensError('bad-input', `--prisma ${escapeControl(value)}: no .prisma file in that folder`, 'pass the path of the schema.prisma (or of a prisma/schema folder)');
  const texts = files.map((f) => ({ file: f, text: readTextInput(f, `--prisma ${escapeControl(shownPath(cwd, f))}`) }));
  if (!texts.some((t) => /^\s*model\s+\w+/m.test(t.text))) {
    throw new PglensError('bad-input', `--prisma ${escapeControl(value)} has no model block`, 'pass the schema.prisma that defines the models');
  }
  const config = loadConfig(abs, configFile);
  const label = files.length > 1 ? `${shownPath(cwd, path.dirname(files[0]))}/` : shownPath(cwd, files[0]);
  return { model: prismaDiagram(texts, config, label), said: `the Prisma schema ${label} (--prisma)` };
}

async function drawLive(url: string, how: string, args: ParsedArgs, ctx: CliContext, configFile: string | undefined, schemas: string[]): Promise<Drawn> {
  const config = loadConfig(ctx.cwd, configFile);
  const conn = serverConnection(url, timeoutSeconds(args));
  try {
    await conn.serverVersion();
    const snapshot = await cancelOnInterrupt(conn, ctx.stderr, () => readCatalog(conn, { includeColumns: true, exactSizes: false, schemas }));
    const model = liveDiagram(snapshot, conn.label, config);
    const connection = connectionJson({ kind: conn.kind, serverVersion: snapshot.server.serverVersion, label: conn.label, database: snapshot.server.database });
    return { model, said: `the live catalog of ${conn.label} (${how})`, connection };
  } finally {
    await conn.close();
  }
}

/**
 * The source docs/cli.md "pglens schema" names, the first that applies: --migrations DIR,
 * --prisma FILE, --db URL (at most one of them); else the first migration set found under the
 * current folder, else the first Prisma schema found there, else DATABASE_URL (environment,
 * then ./.env); else none, exit 2.
 */
async function draw(args: ParsedArgs, ctx: CliContext, schemas: string[]): Promise<Drawn> {
  const configFlag = flagString(args, 'config');
  const configFile = configFlag ? path.resolve(ctx.cwd, configFlag) : undefined;
  const migrations = flagString(args, 'migrations');
  const prisma = flagString(args, 'prisma');
  const db = flagString(args, 'db');
  const given = [migrations !== undefined && '--migrations', prisma !== undefined && '--prisma', db !== undefined && '--db'].filter((f): f is string => typeof f === 'string');
  if (given.length > 1) throw new UsageError(`${given.join(' and ')} name different sources — give one (the diagram is of one source)`);
  const liveOnly = (): void => {
    if (args.flags.has('timeout')) ctx.stderr('pglens schema: --timeout bounds the live catalog read: ignored for files\n');
  };
  if (migrations !== undefined) {
    liveOnly();
    return drawMigrations(ctx.cwd, migrations, configFile);
  }
  if (prisma !== undefined) {
    liveOnly();
    return drawPrisma(ctx.cwd, prisma, configFile);
  }
  if (db !== undefined) {
    const resolved = await resolveConnection({ db, env: ctx.env, cwd: ctx.cwd });
    if (resolved.kind !== 'server') throw new PglensError('bad-input', `--db: ${resolved.reason}`, 'pass --db postgresql://user@host:5432/database');
    return drawLive(resolved.url, '--db', args, ctx, configFile, schemas);
  }
  const config = loadConfig(ctx.cwd, configFile);
  const found = findDiagramSources(ctx.cwd, { config, read: readDisk });
  if (found.length > 0) {
    liveOnly();
    const source = found[0];
    const others = found.slice(1).map((s) => s.label);
    const also = others.length > 0 ? `; also found: ${others.join(', ')} — pick one with --migrations DIR or --prisma FILE` : '';
    if (source.kind === 'migrations') await loadSqlParser();
    const what = source.kind === 'migrations' ? `the migrations in ${source.label}` : `the Prisma schema ${source.label}`;
    return { model: source.load(), said: `${what} (found under the current folder${also})` };
  }
  const resolved = await resolveConnection({ env: ctx.env, cwd: ctx.cwd });
  if (resolved.kind === 'server') return drawLive(resolved.url, resolved.source === 'env' ? 'DATABASE_URL' : 'DATABASE_URL in ./.env', args, ctx, configFile, schemas);
  throw new PglensError(
    'bad-input',
    `nothing to draw: no migrations and no schema.prisma under ${escapeControl(ctx.cwd)}, and ${resolved.reason}`,
    'pass --migrations DIR, --prisma FILE or --db URL',
  );
}

/** Only the tables of these schemas, the relations among them, and on each table its keys to the tables left out. */
function onlySchemas(model: DiagramModel, schemas: string[]): DiagramModel {
  if (schemas.length === 0) return model;
  return diagramSubset(model, new Set(model.tables.filter((t) => schemas.includes(t.schema)).map((t) => t.id)));
}

/** The diagram model as JSON: `files` relative to the current folder when inside it; `connection` for the live catalog. */
export function schemaJson(drawn: Drawn, cwd: string): unknown {
  const { model } = drawn;
  return {
    source: model.source,
    ...(drawn.connection && { connection: drawn.connection }),
    schemas: model.schemas,
    tables: model.tables,
    relations: model.relations,
    files: model.files.map((f) => shownPath(cwd, f)),
    notes: model.notes,
  };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Names come from files and servers: every one is escaped, so none can start a line or reach the terminal. */
export function schemaText(model: DiagramModel, cwd: string): string {
  const e = escapeControl;
  const name = (id: string): string => {
    const t = model.tables.find((x) => x.id === id);
    return t ? tableName(t) : e(id);
  };
  const tableName = (t: DiagramTable): string => (t.schema === 'public' ? e(t.name) : `${e(t.schema)}.${e(t.name)}`);
  const out: string[] = [];
  out.push(`Schema of ${e(model.source.label)} (${model.source.kind}): ${plural(model.tables.length, 'table')}, ${plural(model.relations.length, 'relation')}`);
  for (const n of model.notes) out.push(`Note: ${e(n)}`);
  for (const t of model.tables) {
    out.push('');
    out.push(`${tableName(t)}${t.joinTable ? '  (join table)' : ''}`);
    const width = Math.max(0, ...t.columns.map((c) => e(c.name).length));
    const typeWidth = Math.max(0, ...t.columns.map((c) => e(c.type).length));
    for (const c of t.columns) {
      const marks = [c.pk && 'PK', c.fk && 'FK', c.unique && !c.pk && 'UNIQUE', c.notNull && !c.pk && 'NOT NULL'].filter(Boolean).join(', ');
      out.push(`  ${e(c.name).padEnd(width)}  ${e(c.type).padEnd(typeWidth)}${marks ? `  ${marks}` : ''}`.trimEnd());
    }
    for (const o of t.outside ?? []) out.push(`  (${o.columns.map(e).join(', ')}) ${e(outsideLabel(o))}`);
  }
  if (model.relations.length > 0) {
    out.push('');
    out.push('Relations:');
    for (const r of model.relations) {
      const cols = (c: string[]): string => c.map(e).join(', ');
      out.push(
        r.cardinality === 'N:M'
          ? `  ${name(r.from)} N:M ${name(r.to)} via ${name(r.via ?? '')}`
          : `  ${name(r.from)} (${cols(r.columns)}) → ${name(r.to)} (${cols(r.refColumns)})  ${r.cardinality}${r.optional ? ', optional' : ''}${r.name ? `  ${e(r.name)}` : ''}`,
      );
    }
  }
  const findings = model.tables.flatMap((t) => t.findings.map((f) => ({ t, f })));
  if (findings.length > 0) {
    out.push('');
    out.push('Findings:');
    for (const { t, f } of findings) {
      const at = f.location ? `  (${e(shownPath(cwd, model.files[f.location.file]))}:${f.location.line + 1})` : '';
      out.push(`  ${f.severity.padEnd(7)} ${f.ruleId}  ${tableName(t)}: ${e(f.message)}${at}`);
    }
  }
  return out.join('\n') + '\n';
}

function render(drawn: Drawn, format: Format, cwd: string): string {
  if (format === 'json') return JSON.stringify(schemaJson(drawn, cwd), null, 2) + '\n';
  if (format === 'text') return schemaText(drawn.model, cwd);
  return toMermaid(drawn.model);
}

export const command: Command = {
  name: 'schema',
  summary: 'the ER diagram of the migrations, a schema.prisma or the live catalog, as Mermaid, JSON or text',
  usage: [
    'Usage: pglens schema [--migrations DIR | --prisma FILE | --db URL] [--format mermaid|json|text] [-o FILE]',
    '',
    'Draws the schema: tables (grouped by schema) with their columns and keys, foreign keys as relations',
    'with their cardinality (1:1, 1:N; N:M through a join table), and the table-design findings of the lint',
    'rules (missing-primary-key, fk-without-index, money-as-float, row-level security). Mermaid is the',
    'erDiagram text for a README or pull request (put it in a ```mermaid block).',
    '',
    'Source, the first that applies (stderr says which was used):',
    '  --migrations DIR, --prisma FILE or --db URL (at most one); else the first migration set found under',
    '  the current folder (as pglens lint finds them), else the first schema.prisma found there, else the',
    '  live catalog of DATABASE_URL (environment, then ./.env). The live catalog is read with SELECTs only.',
    '',
    'Options:',
    '  --migrations DIR        replay the migrations in DIR (as their runner runs them)',
    '  --prisma FILE           a schema.prisma (or a prisma/schema folder of .prisma files)',
    '  --db URL                the live catalog of this server',
    '  --schema NAME[,NAME]    only the tables of these schemas (repeatable; default: all)',
    '  --format mermaid|json|text   output format (default mermaid)',
    '  -o FILE, --output FILE  write the diagram there (default: stdout)',
    '  --config FILE           .pglens.json for the findings\' severities (default: found from the source upwards)',
    '  --timeout SECONDS       statement timeout of the live catalog read (default 30)',
    '',
    'Exit codes: 0 drawn; 2 could not run (no source, unreadable input, connection error), or drawn only in',
    'part (a migration or Prisma file that does not parse: the diagram is still printed, stderr names the cause).',
    'Findings never make it 1 (schema takes no --fail-on: run pglens lint to fail on them).',
  ].join('\n'),
  flags: {
    values: [...COMMON_VALUE_FLAGS.filter((f) => f !== 'fail-on'), 'migrations', 'prisma', 'db', 'schema', 'output'],
    switches: [],
    refused: { 'fail-on': 'schema draws the schema and judges nothing (its findings are shown, never an exit code) — leave --fail-on out, and run `pglens lint` to fail on findings' },
    shortOptions: ['-o'],
  },
  async run(args, ctx: CliContext) {
    const format = flagChoice(args, 'format', FORMATS, 'mermaid');
    const output = outputFrom(args);
    const file = output === undefined ? undefined : path.resolve(ctx.cwd, output);
    if (file) checkWritable(file, escapeControl(output!));
    const schemas = flagNames(args, 'schema');
    timeoutSeconds(args);

    const drawn = await draw(args, ctx, schemas);
    drawn.model = onlySchemas(drawn.model, schemas);
    ctx.stderr(`pglens schema: drawing ${escapeControl(drawn.said)}\n`);
    const { model } = drawn;
    if (model.tables.length === 0) {
      ctx.stderr(`pglens schema: ${escapeControl(model.source.label)} has no tables${schemas.length > 0 ? ` in ${schemas.map(escapeControl).join(', ')}` : ''}: the diagram is empty\n`);
    }
    const text = render(drawn, format, ctx.cwd);
    if (file) {
      writeAtomically(file, text, escapeControl(output!));
      ctx.stdout(`Wrote the ${format} diagram of ${escapeControl(model.source.label)} (${plural(model.tables.length, 'table')}, ${plural(model.relations.length, 'relation')}) to ${escapeControl(output!)}\n`);
    } else {
      ctx.stdout(text);
    }
    if (model.notes.length > 0) {
      // The picture misses what did not parse: printed anyway, but the run is incomplete (exit 2, as health's failed check).
      const what = model.source.kind === 'prisma' ? 'does not parse fully' : 'does not replay fully';
      ctx.stderr(
        `pglens schema: ${escapeControl(model.source.label)} ${what}, the diagram printed is partial: ${escapeControl(model.notes.join(' ').replace(/\.$/, ''))} — ` +
          `run pglens lint ${escapeControl(model.source.label)} to see where, fix it and run again\n`,
      );
      return 2;
    }
    return 0;
  },
};
