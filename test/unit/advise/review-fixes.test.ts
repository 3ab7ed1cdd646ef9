/**
 * The pure parts of the advisor's review fixes: the DDL for a partitioned table (D7), operator
 * classes qualified with their schema (D11, SQL and Prisma), what the advisor reads from a plan
 * (the slow node, the table each index scan reads: D1), and the predicate SQL it tests on
 * pg_stats values (D1).
 */
import { strict as assert } from 'node:assert';
import type { Suggestion } from '../../../src/core/advise/advise';
import { candidateDdl, emittedDdl, MAX_RECIPE_PARTITIONS, partitionNote, type IndexCandidate, type PartitionInfo } from '../../../src/core/advise/candidates';
import { predicateSql } from '../../../src/core/advise/expression-sql';
import { indexMigrationSpec, suggestedIndexName } from '../../../src/core/advise/index-migration';
import { planFacts } from '../../../src/core/advise/plan-nodes';
import { prismaIndexPlan } from '../../../src/core/advise/prisma-index';
import { parsePrismaSchema } from '../../../src/core/prisma/parse';
import { loadSqlParser, parseSql } from '../../../src/core/sql/parse';

const part = (name: string, parent = 'events', kind = 'r', schema = 'public'): PartitionInfo => ({ schema, name, kind, parentSchema: 'public', parent, indexes: [] });

function candidate(over: Partial<IndexCandidate> = {}): IndexCandidate {
  return { schema: 'public', table: 'events', columns: ['tenant_id'], descending: [false], include: [], name: 'events_tenant_id_idx', reason: 'equality on tenant_id', ...over };
}

describe('advise: a partitioned table (D7)', () => {
  it('writes ON ONLY the parent, CONCURRENTLY per partition and ATTACH PARTITION, sub-partitions first', () => {
    const c = candidate({ partitions: [part('events_2024'), part('events_2025', 'events', 'p'), part('events_2025_h0', 'events_2025'), part('events_2025_h1', 'events_2025', 'r', 'archive')] });
    assert.equal(
      emittedDdl(c),
      [
        'CREATE INDEX events_tenant_id_idx ON ONLY public.events (tenant_id);',
        'CREATE INDEX CONCURRENTLY events_2024_tenant_id_idx ON public.events_2024 (tenant_id);',
        'ALTER INDEX public.events_tenant_id_idx ATTACH PARTITION public.events_2024_tenant_id_idx;',
        'CREATE INDEX events_2025_tenant_id_idx ON ONLY public.events_2025 (tenant_id);',
        'CREATE INDEX CONCURRENTLY events_2025_h0_tenant_id_idx ON public.events_2025_h0 (tenant_id);',
        'ALTER INDEX public.events_2025_tenant_id_idx ATTACH PARTITION public.events_2025_h0_tenant_id_idx;',
        'CREATE INDEX CONCURRENTLY events_2025_h1_tenant_id_idx ON archive.events_2025_h1 (tenant_id);',
        'ALTER INDEX public.events_2025_tenant_id_idx ATTACH PARTITION archive.events_2025_h1_tenant_id_idx;',
        'ALTER INDEX public.events_tenant_id_idx ATTACH PARTITION public.events_2025_tenant_id_idx;',
      ].join('\n'),
    );
    // Never CONCURRENTLY on the parent, where PostgreSQL refuses it.
    assert.equal(candidateDdl(c, true), 'CREATE INDEX events_tenant_id_idx ON public.events (tenant_id)');
    assert.match(partitionNote(c) ?? '', /built CONCURRENTLY on each of its 3 partition\(s\) and attached/);
  });

  it('gives a partition index a name the partition does not have yet', () => {
    const c = candidate({ partitions: [{ ...part('events_2024'), indexes: ['events_2024_tenant_id_idx'] }] });
    assert.match(emittedDdl(c), /CONCURRENTLY events_2024_tenant_id_[0-9a-f]{8}_idx ON public\.events_2024/);
  });

  it('falls back to a plain CREATE INDEX with the lock said when a partition is foreign, or there are too many', () => {
    for (const partitions of [[part('events_local'), part('events_remote', 'events', 'f')], Array.from({ length: MAX_RECIPE_PARTITIONS + 1 }, (_, i) => part(`events_p${i}`))]) {
      const c = candidate({ partitions });
      assert.equal(emittedDdl(c), 'CREATE INDEX events_tenant_id_idx ON public.events (tenant_id);');
      assert.match(partitionNote(c) ?? '', /plain CREATE INDEX on the parent: it blocks writes to every partition until the whole index is built/);
    }
  });

  it('a partitioned table without partitions yet: ON ONLY alone (valid at once)', () => {
    assert.equal(emittedDdl(candidate({ partitions: [] })), 'CREATE INDEX events_tenant_id_idx ON ONLY public.events (tenant_id);');
  });

  it('its migration: the recipe, or CREATE INDEX on the parent in a transaction; a down without CONCURRENTLY', () => {
    const c = candidate({ partitions: [part('events_2024')] });
    const s: Suggestion = {
      ddl: emittedDdl(c),
      transactionalDdl: `${candidateDdl(c, true)};`,
      schema: 'public',
      table: 'events',
      columns: ['tenant_id'],
      include: [],
      method: 'hypopg',
      reason: 'equality on tenant_id',
      after: { totalCost: 10 },
      improvement: 100,
    };
    assert.equal(suggestedIndexName(s), 'public.events_tenant_id_idx');
    const sql = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('--'));
    const up = indexMigrationSpec({ before: { totalCost: 1000 }, query: 'SELECT 1' }, s);
    assert.deepEqual(sql(up.content), s.ddl.split('\n'));
    assert.match(up.content, /-- A partitioned table: the index is created ON ONLY the parent/);
    // A partitioned index cannot be dropped CONCURRENTLY.
    assert.deepEqual(sql(up.downContent), ['DROP INDEX IF EXISTS public.events_tenant_id_idx;']);
    const inTransaction = indexMigrationSpec({ before: { totalCost: 1000 }, query: 'SELECT 1' }, s, { concurrently: false });
    assert.deepEqual(sql(inTransaction.content), ['CREATE INDEX events_tenant_id_idx ON public.events (tenant_id);']);
    assert.deepEqual(sql(inTransaction.downContent), ['DROP INDEX IF EXISTS public.events_tenant_id_idx;']);
  });
});

describe('advise: operator classes qualified with their schema (D11)', () => {
  const trigram = candidate({ table: 'posts', columns: ['title'], name: 'posts_title_trgm_idx', using: 'gin', opclasses: ['gin_trgm_ops'], extension: 'pg_trgm' });

  it('writes the schema the catalog gave, quoted when it must be; none for pg_catalog classes', () => {
    assert.equal(candidateDdl({ ...trigram, opclassSchemas: ['extensions'] }, true), 'CREATE INDEX CONCURRENTLY posts_title_trgm_idx ON public.posts USING gin (title extensions.gin_trgm_ops)');
    assert.equal(candidateDdl({ ...trigram, opclassSchemas: ['My Ext'] }, false), 'CREATE INDEX posts_title_trgm_idx ON public.posts USING gin (title "My Ext".gin_trgm_ops)');
    assert.equal(candidateDdl({ ...trigram, opclasses: ['jsonb_path_ops'] }, false), 'CREATE INDEX posts_title_trgm_idx ON public.posts USING gin (title jsonb_path_ops)');
  });

  it('Prisma gets raw("schema.class") for a class outside pg_catalog', () => {
    const doc = parsePrismaSchema('model Post {\n  id    Int    @id\n  title String\n\n  @@map("posts")\n}\n', 'schema.prisma');
    const s: Suggestion = {
      ddl: 'x',
      schema: 'public',
      table: 'posts',
      columns: ['title'],
      include: [],
      method: 'sandbox',
      reason: 'trigram',
      after: { totalCost: 1 },
      improvement: 10,
      using: 'gin',
      opclasses: ['gin_trgm_ops'],
      opclassSchemas: ['extensions'],
    };
    const plan = prismaIndexPlan(doc, s);
    assert.equal(plan?.kind, 'edit');
    assert.equal(plan?.kind === 'edit' ? plan.attribute : undefined, '@@index([title(ops: raw("extensions.gin_trgm_ops"))], type: Gin)');
  });
});

describe('advise: what it reads from a plan (D1)', () => {
  it('the slow node is the one with the largest cost of its own; a Bitmap Index Scan reads its heap scan\'s table', () => {
    const plan = {
      'Node Type': 'Hash Join',
      'Total Cost': 1000,
      Plans: [
        { 'Node Type': 'Seq Scan', 'Relation Name': 'orders', Alias: 'o', 'Total Cost': 700 },
        {
          'Node Type': 'Hash',
          'Total Cost': 120,
          Plans: [{ 'Node Type': 'Bitmap Heap Scan', 'Relation Name': 'customers', 'Total Cost': 120, Plans: [{ 'Node Type': 'Bitmap Index Scan', 'Index Name': '<1>btree_customers_region', 'Total Cost': 5, 'Plan Rows': 40 }] }],
        },
      ],
    };
    const facts = planFacts(plan);
    assert.deepEqual(facts.indexUses, [{ index: '<1>btree_customers_region', relation: 'customers', planRows: 40 }]);
    assert.deepEqual(facts.slowNode, { label: 'Seq Scan on orders o', share: 0.7, relations: ['orders'] });
  });

  it('a subquery run by the slow node is not part of it', () => {
    const plan = {
      'Node Type': 'Seq Scan',
      'Relation Name': 'big',
      'Total Cost': 2400,
      Plans: [{ 'Node Type': 'Aggregate', 'Parent Relationship': 'InitPlan', 'Total Cost': 600, Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 'small', 'Total Cost': 590 }] }],
    };
    assert.deepEqual(planFacts(plan).slowNode?.relations, ['big']);
  });

  it('a Limit has no cost of its own: the Sort or scan under it is the slow node', () => {
    const plan = { 'Node Type': 'Limit', 'Total Cost': 10, Plans: [{ 'Node Type': 'Sort', 'Total Cost': 3000, Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 'jobs', 'Total Cost': 1200 }] }] };
    assert.deepEqual(planFacts(plan).slowNode?.relations, ['jobs']);
    assert.equal(planFacts(plan).slowNode?.label, 'Sort');
  });
});

describe('advise: a predicate as SQL, to test on pg_stats values (D1)', () => {
  before(() => loadSqlParser());
  const where = (sql: string) => parseSql(`SELECT 1 FROM t WHERE ${sql}`).statements[0].ast!.SelectStmt.whereClause;

  it('writes =, IN, BETWEEN and LIKE with parameters renumbered', () => {
    const seen: number[] = [];
    const param = (n: number) => {
      seen.push(n);
      return `$${10 + seen.length}`;
    };
    assert.equal(predicateSql(where('lower(email) = $2'), param), '(lower(email) = $11)');
    assert.equal(predicateSql(where("upper(u.status) IN ('A', $1)"), param), "(upper(status) IN ('A', $12))");
    assert.equal(predicateSql(where("date_trunc('day', ts) BETWEEN '2024-01-01' AND $3"), param), "(date_trunc('day', ts) BETWEEN '2024-01-01' AND $13)");
    assert.equal(predicateSql(where("lower(email) LIKE 'a%'"), param), "(lower(email) ~~ 'a%')");
    assert.deepEqual(seen, [2, 1, 3]);
  });

  it('gives up on what it does not cover', () => {
    assert.equal(predicateSql(where('lower(email) = (SELECT max(x) FROM y)'), (n) => `$${n}`), undefined);
  });
});
