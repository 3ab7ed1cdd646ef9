import * as assert from 'node:assert/strict';
import { concurrentDefinition, createIndexSql, dropIndexSql, rebuildIndexSql, sqlDisplayLines } from '../../../src/core/health/fix-sql';
import { findIndexDefinition } from '../../../src/core/health/index-source';
import { parenthesize } from '../../../src/core/health/catalog';
import { canonicalType } from '../../../src/core/health/live-schema';

describe('fix SQL', () => {
  it('drops concurrently and idempotently, always schema-qualified and quoted where needed', () => {
    assert.equal(dropIndexSql('public', 'orders_status_idx'), 'DROP INDEX CONCURRENTLY IF EXISTS public.orders_status_idx;');
    assert.equal(dropIndexSql('App', 'User_email_idx'), 'DROP INDEX CONCURRENTLY IF EXISTS "App"."User_email_idx";');
    assert.equal(dropIndexSql('public', 'order'), 'DROP INDEX CONCURRENTLY IF EXISTS public."order";');
  });

  it('creates an index for a foreign key, quoting columns and keeping expressions, without IF NOT EXISTS (it would hide a taken name)', () => {
    assert.equal(
      createIndexSql('public', 'Post', ['authorId'], 'Post_authorId_idx'),
      'CREATE INDEX CONCURRENTLY "Post_authorId_idx" ON public."Post" ("authorId");',
    );
    assert.equal(createIndexSql('s', 't', ['a', '(lower(b))'], 't_a_idx'), 'CREATE INDEX CONCURRENTLY t_a_idx ON s.t (a, (lower(b)));');
  });

  it('turns pg_get_indexdef output into a concurrent, idempotent statement', () => {
    assert.equal(
      concurrentDefinition('CREATE UNIQUE INDEX coupons_code_key ON s.coupons USING btree (code)'),
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS coupons_code_key ON s.coupons USING btree (code);',
    );
    assert.equal(
      rebuildIndexSql('s', 'i', 'CREATE INDEX i ON s.t USING btree (a) WHERE (b > 0)'),
      'DROP INDEX CONCURRENTLY IF EXISTS s.i;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON s.t USING btree (a) WHERE (b > 0);',
    );
  });
});

describe('findIndexDefinition', () => {
  const sql = [
    'CREATE TABLE orders (id bigint, CONSTRAINT orders_pkey PRIMARY KEY (id));',
    'create index orders_status_idx on orders (status);',
    '-- later recreated:',
    'DROP INDEX orders_status_idx;',
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS public.Orders_Status_Idx ON orders (status, id);',
    'CREATE UNIQUE INDEX "User_email_key" ON "User"("email");',
  ].join('\n');

  it('finds the last CREATE INDEX of an unquoted name, case-insensitively', () => {
    assert.deepEqual(findIndexDefinition(sql, 'orders_status_idx'), { line: 4, character: 47, endCharacter: 64 });
  });
  it('matches quoted names exactly', () => {
    assert.deepEqual(findIndexDefinition(sql, 'User_email_key'), { line: 5, character: 20, endCharacter: 36 });
    assert.equal(findIndexDefinition(sql, 'user_email_key'), undefined);
  });
  it('finds the constraint behind a primary key index', () => {
    assert.deepEqual(findIndexDefinition(sql, 'orders_pkey'), { line: 0, character: 43, endCharacter: 54 });
  });
  it('does not take a longer name for the one asked', () => {
    assert.equal(findIndexDefinition('CREATE INDEX orders_status_idx2 ON t (a);', 'orders_status_idx'), undefined);
  });
});

describe('catalog text helpers', () => {
  it('parenthesizes index expressions once', () => {
    assert.equal(parenthesize('lower(email)'), '(lower(email))');
    assert.equal(parenthesize('(a + b)'), '(a + b)');
    assert.equal(parenthesize('(a) + (b)'), '((a) + (b))');
  });
  it('maps format_type output to the SchemaModel type names', () => {
    assert.deepEqual(canonicalType('numeric(12,2)'), { type: 'numeric', typeModifiers: [12, 2], isArray: false });
    assert.deepEqual(canonicalType('timestamp(3) with time zone'), { type: 'timestamptz', typeModifiers: [3], isArray: false });
    assert.deepEqual(canonicalType('character varying(40)[]'), { type: 'varchar', typeModifiers: [40], isArray: true });
    assert.deepEqual(canonicalType('"Mood"'), { type: 'Mood', typeModifiers: [], isArray: false });
  });
});

describe('sqlDisplayLines', () => {
  it('breaks between statements only: a newline in a quoted name or literal shows as \\n', () => {
    const sql = rebuildIndexSql('public', 'i\n::error::x', `CREATE INDEX "i\n::error::x" ON public.t USING btree (a) WHERE (b <> 'x\ny''s')`);
    assert.deepEqual(sqlDisplayLines(sql), [
      'DROP INDEX CONCURRENTLY IF EXISTS public."i\\n::error::x";',
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS "i\\n::error::x" ON public.t USING btree (a) WHERE (b <> 'x\\ny''s');`,
    ]);
  });

  it('spells out escape sequences, and keeps doubled quotes inside names', () => {
    assert.deepEqual(sqlDisplayLines(dropIndexSql('s', 'a""\x1b[31m\nb')), ['DROP INDEX CONCURRENTLY IF EXISTS s."a""""\\u001b[31m\\nb";']);
  });
});
