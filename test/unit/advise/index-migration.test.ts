/**
 * Where an advised index is written: the SQL migration (header with the evidence, the DDL,
 * a down file that drops it, named after the folder's convention) and the `@@index` a Prisma
 * model gets (field names, sort order, fallbacks for what Prisma cannot express).
 */
import { strict as assert } from 'node:assert';
import type { AdviceResult, Suggestion } from '../../../src/core/advise/advise';
import { evidenceLine, indexMigrationSpec, suggestedIndexName } from '../../../src/core/advise/index-migration';
import { prismaIndexPlan } from '../../../src/core/advise/prisma-index';
import { planMigration, type MigrationEntry } from '../../../src/core/health/migration-file';
import { parsePrismaSchema } from '../../../src/core/prisma/parse';

function suggestion(over: Partial<Suggestion> = {}): Suggestion {
  return {
    ddl: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS events_tenant_id_kind_idx ON public.events (tenant_id, kind);',
    schema: 'public',
    table: 'events',
    columns: ['tenant_id', 'kind'],
    include: [],
    method: 'sandbox',
    reason: 'equality on tenant_id, kind',
    after: { totalCost: 12.5, executionTimeMs: 0.31 },
    improvement: 100,
    ...over,
  };
}

const advice: Pick<AdviceResult, 'before' | 'query'> = {
  before: { totalCost: 1250, executionTimeMs: 18.4 },
  query: "SELECT id\nFROM events\nWHERE tenant_id = 42 AND kind = 'buy'",
};

const now = new Date('2024-05-06T07:08:09Z');
const files = (...names: string[]): MigrationEntry[] => names.map((name) => ({ name, isDirectory: false }));

describe('advised index → SQL migration', () => {
  it('writes the DDL after a header with the reason, the evidence and the query as comments', () => {
    const spec = indexMigrationSpec(advice, suggestion());
    assert.equal(spec.slug, 'add_index_events_tenant_id_kind');
    const lines = spec.content.split('\n');
    assert.equal(lines[0], '-- pglens: index suggested for public.events');
    assert.ok(lines.includes('-- equality on tenant_id, kind'));
    assert.ok(
      lines.includes('-- verified with a real index on the embedded sandbox (rolled back): cost 1250.0 → 12.5 (100.0× cheaper), measured 18.4 ms → 0.31 ms'),
      spec.content,
    );
    assert.deepEqual(lines.slice(lines.indexOf('-- for the query:') + 1, lines.indexOf('-- for the query:') + 4), ['--   SELECT id', '--   FROM events', "--   WHERE tenant_id = 42 AND kind = 'buy'"]);
    assert.equal(lines.at(-2), suggestion().ddl);
    assert.equal(lines.at(-1), '', 'ends with a newline');
    assert.ok(lines.slice(0, -2).every((l) => l.startsWith('--')), 'everything but the DDL is a comment');
    assert.match(spec.downContent, /^DROP INDEX CONCURRENTLY IF EXISTS public\.events_tenant_id_kind_idx;$/m);
  });

  it('says HypoPG verified it, without a measured time, when it did', () => {
    assert.equal(
      evidenceLine({ before: { totalCost: 1250 } }, suggestion({ method: 'hypopg', after: { totalCost: 25 }, improvement: 50 })),
      'verified with a HypoPG hypothetical index: cost 1250.0 → 25.0 (50.0× cheaper)',
    );
  });

  it('keeps a multi-line query inside comments: nothing of it can run', () => {
    const spec = indexMigrationSpec({ ...advice, query: 'SELECT 1\r\n; DROP TABLE events; --\nFROM x\r; DELETE FROM events' }, suggestion());
    const sqlLines = spec.content.split('\n').filter((l) => l !== '' && !l.startsWith('--'));
    assert.deepEqual(sqlLines, [suggestion().ddl]);
  });

  it('drops a quoted index name as quoted', () => {
    const s = suggestion({ ddl: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Post_authorId_idx" ON "Blog"."Post" ("authorId");' });
    assert.equal(suggestedIndexName(s), '"Blog"."Post_authorId_idx"');
  });

  it('is named after the folder convention, with a down file where the folder pairs them', () => {
    const spec = indexMigrationSpec(advice, suggestion());
    assert.equal(planMigration(spec, files('0001_init.sql', '0002_users.sql'), now).fileName, '0003_add_index_events_tenant_id_kind.sql');
    assert.equal(planMigration(spec, [{ name: '20240101000000_init', isDirectory: true }], now).fileName, '20240506070809_add_index_events_tenant_id_kind/migration.sql');
    const paired = planMigration(spec, files('000001_init.up.sql', '000001_init.down.sql'), now);
    assert.equal(paired.fileName, '000002_add_index_events_tenant_id_kind.up.sql');
    assert.equal(paired.downContent, spec.downContent);
    assert.equal(planMigration(spec, files('V3__init.sql'), now).fileName, 'V4__add_index_events_tenant_id_kind.sql');
  });
});

const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id    Int    @id
  posts Post[]
}

model Post {
  id        Int      @id @default(autoincrement())
  authorId  Int      @map("author_id")
  author    User     @relation(fields: [authorId], references: [id])
  createdAt DateTime @map("created_at")
  status    String

  @@map("posts")
}

model Tag {
  id   Int    @id
  name String

  @@index([name])
}
`;

function apply(text: string, edit: { range: { startOffset: number; endOffset: number }; newText: string }): string {
  return text.slice(0, edit.range.startOffset) + edit.newText + text.slice(edit.range.endOffset);
}

describe('advised index → Prisma @@index', () => {
  const doc = parsePrismaSchema(SCHEMA, '/w/prisma/schema.prisma');

  it('adds @@index with field names (not column names) to the model mapping the table', () => {
    const plan = prismaIndexPlan(doc, suggestion({ table: 'posts', columns: ['author_id', 'created_at'] }));
    assert.ok(plan && plan.kind === 'edit', JSON.stringify(plan));
    assert.equal(plan.model, 'Post');
    assert.equal(plan.file, '/w/prisma/schema.prisma');
    assert.equal(plan.attribute, '@@index([authorId, createdAt])');
    const after = apply(SCHEMA, plan.edit);
    assert.ok(after.includes('  @@map("posts")\n  @@index([authorId, createdAt])\n}\n\nmodel Tag'), after);
    assert.equal(parsePrismaSchema(after, 'x').diagnostics.length, 0, 'the edited schema still parses');
  });

  it('separates the first block attribute from the fields by a blank line, and keeps sort order', () => {
    const plan = prismaIndexPlan(doc, suggestion({ table: 'User', columns: ['id'], descending: [true] }));
    assert.ok(plan && plan.kind === 'exists', 'the primary key already serves id');
    const tags = parsePrismaSchema('model Item {\n  id    Int @id\n  score Int\n  at    Int\n}\n', '/w/schema.prisma');
    const desc = prismaIndexPlan(tags, suggestion({ table: 'Item', columns: ['score', 'at'], descending: [false, true] }));
    assert.ok(desc && desc.kind === 'edit');
    assert.equal(desc.attribute, '@@index([score, at(sort: Desc)])');
    assert.equal(apply(tags.files[0].text, desc.edit), 'model Item {\n  id    Int @id\n  score Int\n  at    Int\n\n  @@index([score, at(sort: Desc)])\n}\n');
  });

  it('falls back to SQL for partial and INCLUDE indexes, and for columns no field maps', () => {
    const partial = prismaIndexPlan(doc, suggestion({ table: 'posts', columns: ['created_at'], where: "status = 'draft'" }));
    assert.deepEqual(partial && { kind: partial.kind, reason: 'reason' in partial ? partial.reason : '' }, {
      kind: 'sql',
      reason: "Prisma's @@index cannot express a partial index (WHERE status = 'draft')",
    });
    const include = prismaIndexPlan(doc, suggestion({ table: 'posts', columns: ['author_id'], include: ['status'] }));
    assert.equal(include?.kind, 'sql');
    assert.match('reason' in include! ? include.reason : '', /INCLUDE columns \(status\)/);
    const expr = prismaIndexPlan(doc, suggestion({ table: 'posts', columns: ['lower(status)'] }));
    assert.equal(expr?.kind, 'sql');
    assert.match('reason' in expr! ? expr.reason : '', /no scalar field of model Post maps column lower\(status\)/);
  });

  it('reports an index the model already declares, and nothing for a table no model maps', () => {
    const plan = prismaIndexPlan(doc, suggestion({ table: 'Tag', columns: ['name'] }));
    assert.deepEqual(plan && { kind: plan.kind, model: plan.model }, { kind: 'exists', model: 'Tag' });
    assert.equal(prismaIndexPlan(doc, suggestion({ table: 'events' })), undefined);
    assert.equal(prismaIndexPlan(doc, suggestion({ schema: 'audit', table: 'posts' })), undefined, 'another schema is another table');
  });
});
