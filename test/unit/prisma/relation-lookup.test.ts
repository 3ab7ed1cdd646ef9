import assert from 'node:assert/strict';
import { parsePrismaSchema } from '../../../src/core/prisma/parse';
import { modelRanges, relationLookup, relationLookups } from '../../../src/core/prisma/relation-lookup';
import { fixture } from './helpers';

describe('prisma/relation-lookup', () => {
  const text = fixture('blog.prisma');
  const doc = parsePrismaSchema(text, 'blog.prisma');

  it('the list side reads the child table by its foreign key, as Prisma does', () => {
    const l = relationLookup(doc, 'User', 'posts')!;
    assert.equal(
      l.sql,
      'SELECT "public"."Post"."id", "public"."Post"."title", "public"."Post"."published", "public"."Post"."price", "public"."Post"."authorId", "public"."Post"."updatedAt" ' +
        'FROM "public"."Post" WHERE "public"."Post"."authorId" = $1',
    );
    assert.equal(l.sampleSql, 'SELECT "authorId" FROM "public"."Post" WHERE "authorId" IS NOT NULL LIMIT 1');
    assert.deepEqual([l.schema, l.table, l.columns], ['public', 'Post', ['authorId']]);
    assert.equal(text.slice(l.range.startOffset, l.range.endOffset), 'posts');
    assert.equal(l.description, 'Post rows of one User, by "authorId"');
  });

  it('the side holding fields: reads the parent by its key, sampling values from the foreign key', () => {
    const l = relationLookup(doc, 'Post', 'author')!;
    assert.match(l.sql, /FROM "public"\."User" WHERE "public"\."User"\."id" = \$1$/);
    assert.equal(l.sampleSql, 'SELECT "authorId" FROM "public"."Post" WHERE "authorId" IS NOT NULL LIMIT 1');
  });

  it('implicit many-to-many reads the join table by its own column', () => {
    const l = relationLookup(doc, 'Post', 'categories')!;
    assert.equal(l.sql, 'SELECT "public"."_CategoryToPost"."A", "public"."_CategoryToPost"."B" FROM "public"."_CategoryToPost" WHERE "public"."_CategoryToPost"."B" = $1');
    assert.equal(relationLookup(doc, 'Category', 'posts')!.columns[0], 'A');
  });

  it('uses mapped names and schemas, and every relation field gets a lookup (scalars none)', () => {
    const mapped = parsePrismaSchema(fixture('mapped-multischema.prisma'), 'm.prisma');
    const l = relationLookup(mapped, 'Account', 'invoices')!;
    assert.match(l.sql, /FROM "billing"\."invoices" WHERE "billing"\."invoices"\."account_id" = \$1$/);
    assert.match(l.sql, /"billing"\."invoices"\."total_amount"/);
    assert.equal(relationLookup(mapped, 'Account', 'email'), undefined);
    assert.deepEqual(relationLookups(doc).map((x) => `${x.model}.${x.field}`), [
      'User.posts', 'User.comments', 'Post.author', 'Post.comments', 'Post.categories', 'Comment.post', 'Comment.author', 'Category.posts',
    ]);
  });

  it('composite foreign keys bind one parameter per column', () => {
    const composite = parsePrismaSchema(fixture('composite-keys.prisma'), 'c.prisma');
    const l = relationLookup(composite, 'Member', 'grants')!;
    assert.match(l.sql, /WHERE "public"\."Grant"\."tenantId" = \$1 AND "public"\."Grant"\."userId" = \$2$/);
    assert.equal(l.sampleSql, 'SELECT "tenantId", "userId" FROM "public"."Grant" WHERE "tenantId" IS NOT NULL AND "userId" IS NOT NULL LIMIT 1');
  });

  it('modelRanges: each model with its table and the range of its header line', () => {
    const mapped = fixture('mapped-multischema.prisma');
    const ranges = modelRanges(parsePrismaSchema(mapped, 'm.prisma'));
    assert.deepEqual(ranges.map((r) => [r.model, r.schema, r.table, mapped.slice(r.range.startOffset, r.range.endOffset)]), [
      ['Account', 'auth', 'accounts', 'model Account {'],
      ['Invoice', 'billing', 'invoices', 'model Invoice {'],
    ]);
    assert.equal(ranges[0].range.start.line, mapped.split('\n').indexOf('model Account {'));
  });
});
