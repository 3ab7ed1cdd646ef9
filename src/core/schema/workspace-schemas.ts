import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { codeFilesUnder, tooLargeReason } from '../app-code/code-files';
import { defaultConfig, loadConfig, type PglensConfig } from '../config';
import { migrationParts, parsePart, type LintPart } from '../lint/engine';
import { isMigrationSet, runnerSetsUnder } from '../lint/migration-lint';
import { listSqlFiles } from '../migrations/read';
import { parsePrismaFiles } from '../prisma/parse';
import { prismaFilesUnder, prismaSchemaFiles } from '../prisma/schema-files';
import { prismaToSchema } from '../prisma/to-schema';
import type { ParsedSqlFile } from '../sql/parse';
import type { ReferenceFile } from './navigation';
import { attachPrisma, buildSchemaIndex, prismaSchemaIndex, type SchemaIndex } from './schema-index';

/**
 * The schemas of one workspace folder, for navigation: one SchemaIndex per migration set (found
 * and read as `pglens lint` reads them: src/core/migrations, the lint engine's parts), with the
 * schema.prisma next to it linked; a schema.prisma with no migrations is a schema of its own.
 * Built on first use; `invalidate` after a migration, schema.prisma or `.pglens.json` changes,
 * and the next use rebuilds — re-parsing only the files whose text changed (a replay of 300
 * migrations is milliseconds; their parse is most of the cost).
 */
export interface WorkspaceSchemasOptions {
  /** Text of an absolute path before the disk is tried (unsaved editor documents). */
  read?: (file: string) => string | undefined;
  /** The workspace's `.pglens.json` (default: loaded from the root). */
  config?: () => PglensConfig;
  /** Told after each build (the editor logs it). */
  onBuild?: (indexes: SchemaIndex[], ms: number) => void;
}

export class WorkspaceSchemas {
  private built: SchemaIndex[] | undefined;
  /** The last build's migration files: which files are migrations does not need a rebuild to answer. */
  private migrationFiles: Set<string> | undefined;
  /** Parses of migration parts by file and offset, kept while their text is unchanged. */
  private parses = new Map<string, { text: string; parsed: ParsedSqlFile }>();
  /** Milliseconds the last build took (for the output channel and the bench). */
  lastBuildMs = 0;

  constructor(
    readonly root: string,
    private readonly options: WorkspaceSchemasOptions = {},
  ) {}

  /** Every schema of the workspace; the parser must be loaded. */
  indexes(): SchemaIndex[] {
    return (this.built ??= this.build());
  }

  /** Forgets the built indexes (parses of unchanged files are kept). */
  invalidate(): void {
    this.built = undefined;
  }

  /**
   * The schema a document's names resolve against: the set it is a migration of, else the one
   * nearest to it in the folder tree (ties: the largest). Undefined when the workspace has none.
   */
  indexFor(file?: string): SchemaIndex | undefined {
    const all = this.indexes();
    if (file) {
      const own = all.find((i) => i.texts.has(file));
      if (own) return own;
    }
    let best: SchemaIndex | undefined;
    let bestScore = -1;
    for (const index of all) {
      const score = file ? sharedPrefix(path.dirname(file), index.folder) : 0;
      if (score > bestScore || (score === bestScore && best && index.files.length > best.files.length)) [best, bestScore] = [index, score];
    }
    return best;
  }

  /** Whether a file is one of the migrations the workspace's schemas are replayed from (as of the last build, when invalidated since). */
  isMigration(file: string): boolean {
    if (!this.migrationFiles) this.indexes();
    return this.migrationFiles!.has(file);
  }

  /** The workspace's query files (.sql that no set replays) and code files, for find references. */
  referenceFiles(): ReferenceFile[] {
    const config = this.config();
    const out: ReferenceFile[] = [];
    for (const rel of listSqlFiles(this.root)) {
      const file = path.join(this.root, ...rel.split('/'));
      const text = this.read(file);
      if (text !== undefined) out.push({ file, text, language: 'sql' });
    }
    for (const file of codeFilesUnder(this.root, config)) {
      const text = this.read(file);
      if (text !== undefined && !tooLargeReason(text) && text.includes('`')) out.push({ file, text, language: 'script' });
    }
    return out;
  }

  private config(): PglensConfig {
    if (this.options.config) return this.options.config();
    try {
      return loadConfig(this.root);
    } catch {
      return defaultConfig(this.root);
    }
  }

  private read(file: string): string | undefined {
    const open = this.options.read?.(file);
    if (open !== undefined) return open;
    try {
      return existsSync(file) && statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  }

  private build(): SchemaIndex[] {
    const started = performance.now();
    const config = this.config();
    const display = (f: string): string => path.relative(this.root, f).split(path.sep).join('/');
    const used = new Map<string, { text: string; parsed: ParsedSqlFile }>();
    const parse = (part: LintPart): ParsedSqlFile => {
      const key = `${part.file}\0${part.slice?.offset ?? 0}`;
      const text = part.slice?.text ?? part.text;
      let hit = this.parses.get(key);
      if (!hit || hit.text !== text) hit = { text, parsed: parsePart(part, false) };
      used.set(key, hit);
      return hit.parsed;
    };
    const out: SchemaIndex[] = [];
    const prismaDirs = new Set<string>();
    for (const rs of runnerSetsUnder(this.root, { config, read: (f) => this.options.read?.(f) })) {
      if (!isMigrationSet(rs, config)) continue;
      const abs = (f: string): string => path.join(rs.root, ...f.split('/').filter(Boolean));
      const folder = abs(rs.set.folder);
      const label = `${display(folder) || '.'}/`;
      const parts = migrationParts(rs.set, (f) => this.read(abs(f)) ?? '', abs);
      const index = buildSchemaIndex(parts, { label, folder, parse, displayPath: display });
      const prisma = this.prismaNear(folder);
      if (prisma) {
        attachPrisma(index, prisma.schema);
        prismaDirs.add(path.dirname(prisma.files[0]));
      }
      out.push(index);
    }
    // A schema.prisma without migrations next to it: its models are the schema.
    for (const files of this.prismaSchemas()) {
      if (prismaDirs.has(path.dirname(files[0]))) continue;
      const loaded = this.loadPrisma(files);
      if (loaded) out.push(prismaSchemaIndex(loaded.schema, { label: display(files[0]), folder: path.dirname(files[0]), files, displayPath: display }));
    }
    this.parses = used;
    this.migrationFiles = new Set(out.filter((i) => i.kind === 'migrations').flatMap((i) => i.files));
    this.lastBuildMs = performance.now() - started;
    this.options.onBuild?.(out, this.lastBuildMs);
    return out;
  }

  /** The schema.prisma of the project a migration folder belongs to (`prisma/migrations` → `prisma/schema.prisma`). */
  private prismaNear(folder: string): { schema: ReturnType<typeof prismaToSchema>; files: string[] } | undefined {
    for (let dir = folder, i = 0; i < 3 && this.inside(dir); i++, dir = path.dirname(dir)) {
      const single = [path.join(dir, 'schema.prisma'), path.join(dir, 'prisma', 'schema.prisma')].find((f) => existsSync(f));
      if (single) return this.loadPrisma([single]);
      const folderSchema = path.join(dir, 'schema');
      const many = existsSync(folderSchema) ? prismaFilesUnder(folderSchema) : [];
      if (many.length) return this.loadPrisma(many);
    }
    return undefined;
  }

  /** Each Prisma schema of the workspace (a schema.prisma, or the files of a `schema/` folder). */
  private prismaSchemas(): string[][] {
    const seen = new Set<string>();
    const out: string[][] = [];
    for (const file of prismaFilesUnder(this.root)) {
      if (seen.has(file) || (path.basename(file) !== 'schema.prisma' && path.basename(path.dirname(file)) !== 'schema')) continue;
      const files = prismaSchemaFiles(file);
      for (const f of files) seen.add(f);
      out.push(files);
    }
    return out;
  }

  private loadPrisma(files: string[]): { schema: ReturnType<typeof prismaToSchema>; files: string[] } | undefined {
    try {
      const doc = parsePrismaFiles(files.map((file) => ({ file, text: this.read(file) ?? '' })));
      const schema = prismaToSchema(doc);
      // A file with a syntax error contributes no models: the schema is not whole.
      schema.diagnostics.unshift(...doc.diagnostics);
      return { schema, files };
    } catch {
      return undefined;
    }
  }

  private inside(dir: string): boolean {
    const rel = path.relative(this.root, dir);
    return !rel.startsWith('..') && !path.isAbsolute(rel);
  }
}

/** Length of the common leading path of two folders, in path segments. */
function sharedPrefix(a: string, b: string): number {
  const x = a.split(path.sep);
  const y = b.split(path.sep);
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  return n;
}
