import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Node } from '@babel/types';
import type { PglensConfig } from '../config';
import { findEmbeddedSql } from '../sql/embedded';
import { keyLookup, statementShape, type KeyLookup } from '../sql/key-lookup';
import { createLineIndex, type LineIndex } from '../sql/line-index';
import { analyzeAppCode, type LoopQuery } from './analyze';
import { codeFilesUnder, tooLargeReason } from './code-files';
import { notTextReason } from '../not-text';
import type { ClientKind, DbCall } from './db-calls';
import { isStackOverflow, parseCode } from './parse';
import { findPrismaSchemaFiles } from './prisma-models';
import { forEachChild, propertyName, unwrap } from './walk';

/** A statement the database saw, to be traced back to the code that sends it. */
export interface SenderTarget {
  /** Its text as pg_stat_statements shows it (constants as `$n`). */
  query: string;
  lookup: KeyLookup;
}

/**
 * What ties a code location to the statement, strongest first: `same-sql` the code's SQL is the
 * statement (same text once constants, parameters, case and spacing are set aside); `lookup` SQL
 * of another shape on the same table by the same columns; `model` an ORM call (Prisma, Drizzle,
 * Kysely, Knex, TypeORM) on the table's model with the column in its condition; `table` a Prisma
 * call on the model whose condition is not written literally.
 */
export type SenderMatch = 'same-sql' | 'lookup' | 'model' | 'table';

export interface CodeLink {
  /** Relative to the scanned root, with `/`. */
  file: string;
  /** 1-based line and column of the call. */
  line: number;
  column: number;
  /** How the call reads: `pool.query`, `prisma.post.findMany`. */
  call: string;
  client: ClientKind | 'sql-template';
  match: SenderMatch;
  /**
   * The call runs once per turn of a loop (the n-plus-one-query analysis): the loop's kind, its
   * 1-based line and the collection it walks; `via` the same-file function the loop calls.
   */
  loop?: { kind: string; line: number; collection?: string; via?: string };
}

export interface SenderScan {
  /** Per target (same order): the code locations, loops first, then by match strength and path. */
  links: CodeLink[][];
  /** Code files read (files that cannot name a target's table are not parsed). */
  filesRead: number;
  /** Files skipped or not parsed, one sentence each. */
  notes: string[];
}

const MATCH_RANK: Record<SenderMatch, number> = { 'same-sql': 0, lookup: 1, model: 2, table: 3 };
const PRISMA_READS = new Set(['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'count', 'aggregate', 'groupBy']);
const PRISMA_UPDATES = new Set(['update', 'updateMany', 'updateManyAndReturn', 'upsert']);
const PRISMA_DELETES = new Set(['delete', 'deleteMany']);

/** Table and column names compared across naming styles: `author_id` ~ `authorId`, `posts` ~ `Post`. */
function loose(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function singular(name: string): string {
  if (name.endsWith('ies') && name.length > 4) return `${name.slice(0, -3)}y`;
  if (/(ses|xes|zes|ches|shes)$/.test(name)) return name.slice(0, -2);
  if (name.endsWith('s') && !name.endsWith('ss') && name.length > 2) return name.slice(0, -1);
  return name;
}

function sameTableLoosely(codeName: string, table: string): boolean {
  const a = loose(codeName);
  const b = loose(table);
  return a === b || singular(a) === singular(b);
}

/** The last name of an expression's source: `schema.posts` → posts, `Post` → Post. */
function lastName(text: string): string {
  const m = /([A-Za-z_$][\w$]*)\W*$/.exec(text);
  return m ? m[1] : text;
}

interface PrismaModelInfo {
  table: string;
  schema: string;
  /** Field name → column name (`@map`). */
  columnOf: Map<string, string>;
}

/** Prisma delegates (`post`) → model tables and columns, per schema, read once per scan. */
class PrismaTables {
  private readonly bySchemaFiles = new Map<string, Map<string, PrismaModelInfo> | undefined>();
  private readonly filesOfDir = new Map<string, string[]>();

  forCodeFile(file: string): Map<string, PrismaModelInfo> | undefined {
    const dir = path.dirname(file);
    let files = this.filesOfDir.get(dir);
    if (!files) this.filesOfDir.set(dir, (files = findPrismaSchemaFiles(file)));
    if (files.length === 0) return undefined;
    const key = files.join('|');
    if (!this.bySchemaFiles.has(key)) this.bySchemaFiles.set(key, this.load(files));
    return this.bySchemaFiles.get(key);
  }

  private load(files: string[]): Map<string, PrismaModelInfo> | undefined {
    try {
      // Loaded on demand, as the lint does: only projects with a schema.prisma pay for the parser.
      /* eslint-disable @typescript-eslint/no-require-imports -- lazy load, bundled by esbuild: only projects with a schema.prisma pay for the Prisma parser */
      const { parsePrismaFiles } = require('../prisma/parse') as typeof import('../prisma/parse');
      const { columnName, schemaName, tableName } = require('../prisma/to-schema') as typeof import('../prisma/to-schema');
      /* eslint-enable @typescript-eslint/no-require-imports */
      const doc = parsePrismaFiles(files.map((file) => ({ file, text: readFileSync(file, 'utf8') })));
      const out = new Map<string, PrismaModelInfo>();
      for (const m of doc.models) {
        const delegate = m.name.charAt(0).toLowerCase() + m.name.slice(1);
        out.set(delegate, { table: tableName(m), schema: schemaName(m), columnOf: new Map(m.fields.map((f) => [f.name, columnName(f)])) });
      }
      return out;
    } catch {
      return undefined;
    }
  }
}

/**
 * The keys of `{ where: { … } }` in a Prisma call's options, as field names: none without a
 * `where`; undefined when the options or the condition are not written literally.
 */
function prismaWhereFields(call: DbCall): string[] | undefined {
  const options = call.args[0] ? unwrap(call.args[0]) : undefined;
  if (!options) return [];
  if (options.type !== 'ObjectExpression') return undefined;
  if (options.properties.some((p) => p.type === 'SpreadElement')) return undefined;
  const where = options.properties.find((p) => p.type === 'ObjectProperty' && !p.computed && keyName(p.key as Node) === 'where');
  if (!where) return [];
  if (where.type !== 'ObjectProperty') return undefined;
  const value = unwrap(where.value as Node);
  if (value.type !== 'ObjectExpression') return undefined;
  const fields: string[] = [];
  for (const p of value.properties) {
    if (p.type !== 'ObjectProperty' || p.computed) return undefined;
    const name = keyName(p.key as Node);
    if (name === undefined) return undefined;
    const v = unwrap(p.value as Node);
    // `{ authorId: x }`, `{ authorId: { equals: x } }`: an equality; `{ in: ids }`, a relation
    // filter (`author: { id }`) or AND/OR are other statements.
    if (v.type !== 'ObjectExpression') fields.push(name);
    else if (v.properties.some((q) => q.type === 'ObjectProperty' && keyName(q.key as Node) === 'equals')) fields.push(name);
  }
  return fields;
}

function keyName(key: Node): string | undefined {
  if (key.type === 'Identifier') return key.name;
  if (key.type === 'StringLiteral') return key.value;
  return undefined;
}

/** Every name an ORM chain's arguments spell: string literals, object keys, member names (`eq(posts.authorId, id)`). */
function namesInArgs(args: Node[]): Set<string> {
  const out = new Set<string>();
  const visit = (n: Node): void => {
    if (n.type === 'StringLiteral') out.add(n.value);
    else if (n.type === 'ObjectProperty' && !n.computed) {
      const k = keyName(n.key as Node);
      if (k !== undefined) out.add(k);
    } else if (n.type === 'MemberExpression' || n.type === 'OptionalMemberExpression') {
      const p = propertyName(n);
      if (p !== undefined) out.add(p);
    }
    forEachChild(n, visit);
  };
  for (const a of args) visit(a);
  return out;
}

function operationFits(kind: KeyLookup['kind'], operation: string, write: boolean): boolean {
  if (PRISMA_READS.has(operation) || PRISMA_UPDATES.has(operation) || PRISMA_DELETES.has(operation)) {
    return kind === 'select' ? PRISMA_READS.has(operation) : kind === 'update' ? PRISMA_UPDATES.has(operation) : PRISMA_DELETES.has(operation);
  }
  return kind === 'select' ? !write : write;
}

/** Prepared per target: what a call is compared with. */
interface Prepared {
  target: SenderTarget;
  shape: string;
  columns: Set<string>;
  looseColumns: Set<string>;
  /** Lower-case fragments one of which a file must contain to be worth parsing. */
  stems: string[];
}

function prepare(target: SenderTarget): Prepared {
  const name = target.lookup.table.name;
  const stem = singular(loose(name));
  return {
    target,
    shape: statementShape(target.query),
    columns: new Set(target.lookup.columns),
    looseColumns: new Set(target.lookup.columns.map(loose)),
    stems: [...new Set([name.toLowerCase(), stem.length >= 3 ? stem : name.toLowerCase()])],
  };
}

function sameTable(a: KeyLookup['table'], b: KeyLookup['table']): boolean {
  return a.name === b.name && (a.schema === undefined || b.schema === undefined || a.schema === b.schema);
}

/** A code SQL text read once, however many targets it is compared with. */
interface CodeSql {
  shape: string;
  lookup: KeyLookup | undefined;
}

function readSql(sql: string, cache: Map<string, CodeSql>): CodeSql {
  let read = cache.get(sql);
  if (!read) cache.set(sql, (read = { shape: statementShape(sql), lookup: keyLookup(sql) }));
  return read;
}

/** How a call's SQL relates to the target, if it does. */
function sqlMatch(sql: CodeSql, p: Prepared): SenderMatch | undefined {
  if (sql.shape === p.shape) return 'same-sql';
  const { lookup } = sql;
  if (!lookup || lookup.kind !== p.target.lookup.kind || !sameTable(lookup.table, p.target.lookup.table)) return undefined;
  return lookup.columns.length === p.columns.size && lookup.columns.every((c) => p.columns.has(c)) ? 'lookup' : undefined;
}

function callMatch(call: DbCall, p: Prepared, prisma: Map<string, PrismaModelInfo> | undefined, cache: Map<string, CodeSql>): SenderMatch | undefined {
  if (call.sql !== undefined) return sqlMatch(readSql(call.sql, cache), p);
  if (call.model === undefined || !operationFits(p.target.lookup.kind, call.operation, call.write)) return undefined;
  const table = p.target.lookup.table;
  if (call.client === 'prisma') {
    const info = prisma?.get(call.model);
    if (info ? info.table !== table.name || (table.schema !== undefined && info.schema !== table.schema) : !sameTableLoosely(call.model, table.name)) return undefined;
    const fields = prismaWhereFields(call);
    if (fields === undefined) return 'table';
    const columns = fields.map((f) => info?.columnOf.get(f) ?? f);
    const hit = info ? columns.some((c) => p.columns.has(c)) : columns.some((c) => p.looseColumns.has(loose(c)));
    return hit ? 'model' : undefined;
  }
  if (!sameTableLoosely(lastName(call.model), table.name)) return undefined;
  for (const n of namesInArgs(call.args)) if (p.looseColumns.has(loose(n))) return 'model';
  return undefined;
}

function loopOf(q: LoopQuery, lines: LineIndex): NonNullable<CodeLink['loop']> {
  return {
    kind: q.loop.kind,
    line: lines.positionAt(q.loop.start).line + 1,
    ...(q.loop.collectionText !== undefined && { collection: q.loop.collectionText }),
    ...(q.via && { via: q.via.name }),
  };
}

/**
 * The code under `root` that can send each target statement: SQL written in the code (`pg`'s
 * `query`, postgres.js and `$queryRaw` templates, `knex.raw`, …) of the same shape or the same
 * lookup, and ORM calls on the table's model with its key column in the condition (Prisma models
 * map to tables through schema.prisma's `@@map`/`@map`). Calls the n-plus-one-query analysis finds
 * inside a loop say so. Files `.pglens.json` `appCode.skip` leaves out are not read; files that
 * cannot name a target's table (no stem of it in their text) are not parsed. Needs the SQL parser loaded.
 */
export function findQuerySenders(root: string, targets: readonly SenderTarget[], config: PglensConfig): SenderScan {
  const links: CodeLink[][] = targets.map(() => []);
  const notes: string[] = [];
  if (targets.length === 0) return { links, filesRead: 0, notes };
  const prepared = targets.map(prepare);
  const prisma = new PrismaTables();
  const sqlCache = new Map<string, CodeSql>();
  let filesRead = 0;
  for (const file of codeFilesUnder(root, config)) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    let text: string;
    try {
      const bytes = readFileSync(file);
      // Binary or UTF-16 under a code extension: decoded as UTF-8 it would be searched as garbage
      // and counted as read. Left out with a note, as lint refuses it.
      const notText = notTextReason(bytes);
      if (notText) {
        notes.push(`${rel}: not read, ${notText}`);
        continue;
      }
      text = bytes.toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    } catch (e) {
      notes.push(`${rel}: not read (${(e as Error).message})`);
      continue;
    }
    filesRead++;
    const skipped = tooLargeReason(text);
    if (skipped) {
      notes.push(`${rel}: not read, ${skipped}`);
      continue;
    }
    const lower = text.toLowerCase();
    const relevant = prepared.filter((p) => p.stems.some((s) => lower.includes(s)));
    if (relevant.length === 0) continue;
    const lines = createLineIndex(text);
    const add = (p: Prepared, link: Omit<CodeLink, 'file' | 'line' | 'column'>, offset: number): void => {
      const at = lines.positionAt(offset);
      links[prepared.indexOf(p)].push({ file: rel, line: at.line + 1, column: at.character + 1, ...link });
    };
    let analysis;
    try {
      const parsed = parseCode(file, text);
      if (!parsed.ok) {
        notes.push(`${rel}:${parsed.line + 1}: does not parse (${parsed.message}); only its SQL templates were read`);
      } else {
        analysis = analyzeAppCode(parsed.ast, text);
      }
    } catch (e) {
      if (!isStackOverflow(e)) throw e;
      notes.push(`${rel}: too deeply nested to analyse; only its SQL templates were read`);
    }
    if (!analysis) {
      // Half-typed code: the SQL templates are still found by their tags.
      for (const e of findEmbeddedSql(text)) {
        for (const p of relevant) {
          const match = sqlMatch(readSql(e.sql, sqlCache), p);
          if (match) add(p, { call: `${e.tag}\`…\``, client: 'sql-template', match }, e.tagStart);
        }
      }
      continue;
    }
    const loops = new Map<Node, LoopQuery>();
    for (const q of analysis.queries) if (!loops.has(q.call.node)) loops.set(q.call.node, q);
    const schema = analysis.calls.some((c) => c.client === 'prisma' && c.sql === undefined) ? prisma.forCodeFile(file) : undefined;
    for (const call of analysis.calls) {
      for (const p of relevant) {
        const match = callMatch(call, p, schema, sqlCache);
        if (!match) continue;
        const q = loops.get(call.node);
        add(p, { call: call.label, client: call.client, match, ...(q && { loop: loopOf(q, lines) }) }, call.start);
      }
    }
  }
  for (let i = 0; i < links.length; i++) {
    const list = links[i];
    // The code that writes the statement itself leaves the looser matches out: they send other statements.
    const exact = list.some((l) => l.match === 'same-sql');
    links[i] = list
      .filter((l) => !exact || l.match === 'same-sql')
      .sort((a, b) => Number(!a.loop) - Number(!b.loop) || MATCH_RANK[a.match] - MATCH_RANK[b.match] || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  }
  return { links, filesRead, notes };
}

