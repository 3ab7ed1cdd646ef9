import * as assert from 'node:assert/strict';
import { keyLookup, statementShape } from '../../../src/core/sql/key-lookup';
import { loadSqlParser } from '../../../src/core/sql/parse';

describe('keyLookup (the statement an N+1 loop sends)', () => {
  before(() => loadSqlParser());

  const lookups: Array<[string, string, string]> = [
    ['a bare lookup', 'SELECT id, title FROM posts WHERE author_id = $1', 'select posts author_id'],
    ['the parameter first', 'SELECT * FROM posts WHERE $1 = author_id', 'select posts author_id'],
    ['a cast parameter', 'SELECT * FROM posts WHERE id = $1::int', 'select posts id'],
    ['a qualified column and alias', 'SELECT p.title FROM shop.posts p WHERE p.author_id = $1', 'select shop.posts author_id'],
    ["Prisma's text (qualified, AND 1=1 normalised, OFFSET)", 'SELECT "public"."Post"."id" FROM "public"."Post" WHERE ("public"."Post"."authorId" = $1 AND $2=$3) OFFSET $4', 'select public.Post authorId'],
    ['other conditions ANDed', 'SELECT * FROM posts WHERE author_id = $1 AND deleted_at IS NULL AND status <> $2', 'select posts author_id'],
    ['a composite key', 'SELECT * FROM memberships WHERE org_id = $1 AND user_id = $2', 'select memberships org_id,user_id'],
    ['an aggregate per key', 'SELECT count(*) FROM comments WHERE post_id = $1', 'select comments post_id'],
    ['LIMIT and FOR UPDATE', 'SELECT * FROM users WHERE email = $1 LIMIT $2 FOR UPDATE', 'select users email'],
    ['an UPDATE by key', 'UPDATE posts SET title = $1 WHERE id = $2', 'update posts id'],
    ['a DELETE by key', 'DELETE FROM sessions WHERE user_id = $1', 'delete sessions user_id'],
    ['quoted names keep their case', 'SELECT 1 FROM "Orders" WHERE "customerId" = $1', 'select Orders customerId'],
  ];
  for (const [title, sql, expected] of lookups) {
    it(`finds ${title}`, () => {
      const l = keyLookup(sql);
      assert.ok(l, `no lookup in ${sql}`);
      assert.equal(`${l.kind} ${l.table.schema ? `${l.table.schema}.` : ''}${l.table.name} ${l.columns.join(',')}`, expected);
    });
  }

  const others: Array<[string, string]> = [
    ['the batched form = ANY', 'SELECT * FROM posts WHERE author_id = ANY($1)'],
    ['the batched form IN', 'SELECT * FROM posts WHERE author_id IN ($1, $2, $3)'],
    ['an OR at the top', 'SELECT * FROM posts WHERE author_id = $1 OR editor_id = $1'],
    ['a join', 'SELECT * FROM posts p JOIN users u ON u.id = p.author_id WHERE u.id = $1'],
    ['two tables in FROM', 'SELECT * FROM posts, users WHERE posts.id = $1'],
    ['a CTE', 'WITH x AS (SELECT 1) SELECT * FROM posts WHERE id = $1'],
    ['a UNION', 'SELECT id FROM a WHERE id = $1 UNION SELECT id FROM b WHERE id = $2'],
    ['no WHERE', 'SELECT * FROM posts'],
    ['a range, not equality', 'SELECT * FROM posts WHERE id > $1'],
    ['two columns compared', 'SELECT * FROM posts WHERE author_id = editor_id'],
    ['an INSERT', 'INSERT INTO posts (title) VALUES ($1)'],
    ['an UPDATE … FROM', 'UPDATE posts SET t = u.t FROM users u WHERE posts.id = $1'],
    ['a subquery in FROM', 'SELECT * FROM (SELECT * FROM posts) p WHERE p.id = $1'],
    ['two statements', 'SELECT 1 FROM a WHERE id = $1; SELECT 1 FROM b WHERE id = $1'],
    ['SQL that does not parse', 'SELEC * FROM posts WHERE id = $1'],
    ['EXPLAIN', 'EXPLAIN SELECT * FROM posts WHERE id = $1'],
  ];
  for (const [title, sql] of others) {
    it(`finds no lookup in ${title}`, () => assert.equal(keyLookup(sql), undefined));
  }
});

describe('statementShape (the same statement as pg_stat_statements counts it)', () => {
  before(() => loadSqlParser());

  const same: Array<[string, string, string]> = [
    ['a constant and a parameter', 'SELECT * FROM posts WHERE id = 5', 'select * from posts where id = $1'],
    ['spacing, newlines, comments, case', 'SELECT id\n  FROM Posts -- by author\n WHERE author_id=$1;', 'select id from posts where author_id = $1'],
    ['a padded template substitution', 'SELECT 1 FROM posts WHERE author_id = $1       ', 'SELECT 1 FROM posts WHERE author_id = $1'],
    ['a quoted lower-case name', 'SELECT 1 FROM "posts" WHERE id = $1', 'SELECT 1 FROM posts WHERE id = $1'],
    ['a string constant', "SELECT 1 FROM posts WHERE status = 'draft'", 'SELECT 1 FROM posts WHERE status = $1'],
  ];
  for (const [title, a, b] of same) it(`equates ${title}`, () => assert.equal(statementShape(a), statementShape(b)));

  const different: Array<[string, string, string]> = [
    ['another column', 'SELECT 1 FROM posts WHERE id = $1', 'SELECT 1 FROM posts WHERE author_id = $1'],
    ['another select list', 'SELECT id FROM posts WHERE id = $1', 'SELECT title FROM posts WHERE id = $1'],
    ['a quoted mixed-case name', 'SELECT 1 FROM "Posts" WHERE id = $1', 'SELECT 1 FROM posts WHERE id = $1'],
  ];
  for (const [title, a, b] of different) it(`tells apart ${title}`, () => assert.notEqual(statementShape(a), statementShape(b)));
});
