/**
 * What "Add to migration" writes for the index types beyond the plain B-tree: CREATE EXTENSION
 * only when the index needs one the database lacked, CONCURRENTLY where the runner allows,
 * and Prisma's @@index with `type:` and `ops:` (a SQL migration where Prisma cannot say it).
 */
import { strict as assert } from 'node:assert';
import type { Suggestion } from '../../../src/core/advise/advise';
import { costLine, extensionMigrationSpec, indexMigrationSpec, suggestedIndexName } from '../../../src/core/advise/index-migration';
import { prismaIndexPlan } from '../../../src/core/advise/prisma-index';
import { parsePrismaSchema } from '../../../src/core/prisma/parse';
import { filterIndex } from '../../../src/core/advise/filter-index';

const trigram: Suggestion = {
  ddl: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS posts_title_trgm_idx ON public.posts USING gin (title gin_trgm_ops);',
  schema: 'public',
  table: 'posts',
  columns: ['title'],
  include: [],
  method: 'sandbox',
  reason: "trigram search title ILIKE '%x%'",
  after: { totalCost: 80, executionTimeMs: 1.2, buffers: 40 },
  improvement: 50,
  using: 'gin',
  opclasses: ['gin_trgm_ops'],
  extension: { name: 'pg_trgm', installed: false, available: true },
  sizeBytes: 11_747_328,
  writeOverhead: 'GIN is the slowest index to update',
  before: { totalCost: 4000, executionTimeMs: 30, buffers: 900 },
};
const advice = { before: { totalCost: 4476 }, query: "SELECT id FROM posts WHERE title ILIKE '%x%'" };
const sqlLines = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('--'));

describe('advised index of another type → SQL migration', () => {
  it('creates the extension first when the database did not have it, then the index CONCURRENTLY', () => {
    const spec = indexMigrationSpec(advice, trigram);
    assert.deepEqual(sqlLines(spec.content), ['CREATE EXTENSION IF NOT EXISTS pg_trgm;', trigram.ddl]);
    assert.ok(spec.content.includes('-- verified with a real index on the embedded sandbox (rolled back): cost 4000.0 → 80.0 (50.0× cheaper), measured 30.0 ms → 1.20 ms, 900 → 40 buffers'), spec.content);
    assert.ok(spec.content.includes('-- size 11.2 MB (built on the sandbox); writes: GIN is the slowest index to update'), spec.content);
    assert.deepEqual(sqlLines(spec.downContent), ['DROP INDEX CONCURRENTLY IF EXISTS public.posts_title_trgm_idx;']);
  });

  it('leaves CREATE EXTENSION out when the extension is installed, or when a migration of its own creates it', () => {
    assert.deepEqual(sqlLines(indexMigrationSpec(advice, { ...trigram, extension: { name: 'pg_trgm', installed: true, available: true } }).content), [trigram.ddl]);
    assert.deepEqual(sqlLines(indexMigrationSpec(advice, trigram, { withExtension: false }).content), [trigram.ddl]);
    const ext = extensionMigrationSpec(trigram);
    assert.deepEqual(ext && sqlLines(ext.content), ['CREATE EXTENSION IF NOT EXISTS pg_trgm;']);
    assert.deepEqual(ext && sqlLines(ext.downContent), [], 'the down never drops an extension other objects may use');
    assert.equal(extensionMigrationSpec({ ...trigram, extension: undefined }), undefined);
  });

  it('writes the form without CONCURRENTLY for a runner that runs the file in one transaction, and says writes wait', () => {
    const spec = indexMigrationSpec(advice, trigram, { concurrently: false });
    assert.deepEqual(sqlLines(spec.content), ['CREATE EXTENSION IF NOT EXISTS pg_trgm;', 'CREATE INDEX IF NOT EXISTS posts_title_trgm_idx ON public.posts USING gin (title gin_trgm_ops);']);
    assert.match(spec.content, /writes to the table wait until the index is built/);
    assert.deepEqual(sqlLines(spec.downContent), ['DROP INDEX IF EXISTS public.posts_title_trgm_idx;']);
    assert.equal(suggestedIndexName({ ...trigram, ddl: 'CREATE INDEX IF NOT EXISTS x ON public.posts (a);' }), 'public.x');
  });

  it('says the size and write cost in one line', () => {
    assert.equal(costLine({ ...trigram, method: 'hypopg', sizeBytes: 24_576, writeOverhead: undefined }), 'size 24 kB (HypoPG estimate)');
    assert.equal(costLine({ ...trigram, sizeBytes: undefined, writeOverhead: undefined }), undefined);
  });
});

const SCHEMA = `model Post {
  id    Int      @id
  title String
  meta  Json
  tags  String[]
  email String

  @@map("posts")
}
`;

describe('advised index of another type → Prisma @@index', () => {
  const doc = parsePrismaSchema(SCHEMA, '/w/schema.prisma');
  const plan = (over: Partial<Suggestion>) => prismaIndexPlan(doc, { ...trigram, ...over });
  const attribute = (p: ReturnType<typeof plan>) => (p && p.kind === 'edit' ? p.attribute : `${p?.kind}: ${p && 'reason' in p ? p.reason : ''}`);

  const table: [string, Partial<Suggestion>, string][] = [
    ['trigram GIN: ops raw("gin_trgm_ops"), type Gin', {}, '@@index([title(ops: raw("gin_trgm_ops"))], type: Gin)'],
    ['jsonb_path_ops: ops JsonbPathOps', { columns: ['meta'], opclasses: ['jsonb_path_ops'], extension: undefined }, '@@index([meta(ops: JsonbPathOps)], type: Gin)'],
    ['array GIN: default ops', { columns: ['tags'], opclasses: undefined, extension: undefined }, '@@index([tags], type: Gin)'],
    ['GiST', { using: 'gist', opclasses: undefined, extension: undefined }, '@@index([title], type: Gist)'],
    ['SP-GiST', { using: 'spgist', opclasses: undefined, extension: undefined }, '@@index([title], type: SpGist)'],
    ['BRIN', { using: 'brin', opclasses: undefined, extension: undefined }, '@@index([title], type: Brin)'],
    ['expression: SQL', { columns: ['lower(email)'], expressions: [true], using: undefined, opclasses: undefined }, "sql: Prisma's @@index cannot index an expression (lower(email))"],
    ['B-tree with an operator class: SQL', { using: undefined, opclasses: ['text_pattern_ops'] }, "sql: Prisma's @@index takes an operator class (text_pattern_ops) only on Gin, Gist, SpGist and Brin indexes"],
    ['HNSW: SQL', { using: 'hnsw', opclasses: ['vector_cosine_ops'] }, "sql: Prisma's @@index has no type for hnsw indexes"],
  ];
  for (const [what, over, expected] of table) {
    it(what, () => assert.equal(attribute(plan(over)), expected));
  }

  it('notes the extension the index needs, and the edited schema still parses', () => {
    const p = plan({});
    assert.ok(p && p.kind === 'edit');
    assert.match(p.note ?? '', /pg_trgm/);
    const after = SCHEMA.slice(0, p.edit.range.startOffset) + p.edit.newText + SCHEMA.slice(p.edit.range.endOffset);
    assert.equal(parsePrismaSchema(after, 'x').diagnostics.length, 0, after);
  });

  it('recognises an @@index of the same type, and not one of another type', () => {
    const declared = parsePrismaSchema(SCHEMA.replace('@@map("posts")', '@@map("posts")\n  @@index([title(ops: raw("gin_trgm_ops"))], type: Gin)\n  @@index([tags])'), '/w/schema.prisma');
    assert.equal(prismaIndexPlan(declared, trigram)?.kind, 'exists');
    assert.equal(prismaIndexPlan(declared, { ...trigram, columns: ['tags'], opclasses: undefined, extension: undefined })?.kind, 'edit', 'a B-tree @@index([tags]) is no GIN');
  });
});

describe("seq-scan-filter's index for filters a plain B-tree cannot serve", () => {
  const valid: [string, string, string][] = [
    ["(title ~~ '%abc%'::text)", 'trigram', 'title gin_trgm_ops'],
    ["(p.title ~~* 'abc%'::text)", 'trigram', 'title gin_trgm_ops'],
    ["((title)::text ~ 'ab+c'::text)", 'trigram', 'title gin_trgm_ops'],
    ["((status = 'open'::text) AND (title ~~ '%x%'::text))", 'trigram', 'title gin_trgm_ops'],
    ["(title ~~ 'abc%'::text)", 'pattern', 'title text_pattern_ops'],
    ["(lower(email) = 'a@b.c'::text)", 'expression', '(lower(email))'],
    ["((doc ->> 'kind'::text) = 'k1'::text)", 'expression', "(doc ->> 'kind'::text)"],
  ];
  for (const [filter, kind, key] of valid) {
    it(`valid: ${filter} → ${kind}`, () => {
      const f = filterIndex(filter, ['p', 'posts']);
      assert.deepEqual(f && { kind: f.kind, key: f.key }, { kind, key });
    });
  }
  const invalid = ["(status = 'open'::text)", "((title ~~ '%x%'::text) OR (status = 'a'::text))", "(o.title ~~ '%x%'::text)", "(title !~~ '%x%'::text)"];
  for (const filter of invalid) {
    it(`invalid: ${filter}`, () => assert.equal(filterIndex(filter, ['p', 'posts']), undefined));
  }
});
