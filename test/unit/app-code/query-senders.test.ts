import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findQuerySenders, type CodeLink, type SenderTarget } from '../../../src/core/app-code/query-senders';
import { defaultConfig } from '../../../src/core/config';
import { keyLookup } from '../../../src/core/sql/key-lookup';
import { loadSqlParser } from '../../../src/core/sql/parse';

const FILES: Record<string, string> = {
  'package.json': '{ "name": "blog" }\n',
  'prisma/schema.prisma': `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id    Int    @id
  posts Post[]

  @@map("users")
}

model Post {
  id       Int    @id
  title    String
  authorId Int    @map("author_id")
  author   User   @relation(fields: [authorId], references: [id])

  @@map("posts")
}
`,
  'src/loop.ts': `import { Pool } from 'pg';
const pool = new Pool();

export async function titles(authorIds: number[]) {
  for (const id of authorIds) {
    await pool.query('SELECT id, title FROM posts WHERE author_id = $1', [id]);
  }
}
`,
  'src/one.ts': `import { Pool } from 'pg';
const pool = new Pool();

export const latest = (id: number) => pool.query('SELECT title FROM posts WHERE author_id = $1 ORDER BY id DESC', [id]);
export const byId = (id: number) => pool.query('SELECT title FROM posts WHERE id = $1', [id]);
`,
  'src/feed.ts': `import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();

export async function feed() {
  const users = await prisma.user.findMany();
  for (const user of users) {
    await prisma.post.findMany({ where: { authorId: user.id } });
  }
  await prisma.post.findMany({ where: { title: 'x' } });
  await prisma.post.findMany({ where: { authorId: { in: [1, 2] } } });
}

export const search = (where: object) => prisma.post.findMany({ where });
`,
  'src/knex.ts': `import knex from 'knex';
const db = knex({ client: 'pg' });

export const first = (id: number) => db('posts').where('author_id', id).first();
export const other = (id: number) => db('posts').where('title', id).first();
`,
  'src/broken.ts': `import postgres from 'postgres';
const sql = postgres();
export async function half(id: number) {
  return sql\`SELECT id, title FROM posts WHERE author_id = \${id}\`;
  if (
`,
  'node_modules/lib/index.ts': `pool.query('SELECT id, title FROM posts WHERE author_id = $1', [id]);\n`,
  'src/unrelated.ts': `export const x = 1;\n`,
};

function target(query: string): SenderTarget {
  const lookup = keyLookup(query);
  assert.ok(lookup, query);
  return { query, lookup };
}

const show = (l: CodeLink): string => `${l.file}:${l.line} ${l.call} ${l.match}${l.loop ? ` loop@${l.loop.line}` : ''}`;

describe('findQuerySenders (the code behind a pg_stat_statements statement)', () => {
  let root = '';
  before(async () => {
    await loadSqlParser();
    root = mkdtempSync(join(tmpdir(), 'pglens-senders-'));
    for (const [file, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('links a statement written in the code to its call, marks the loop, and leaves the looser matches out', () => {
    const { links, notes } = findQuerySenders(root, [target('SELECT id, title FROM posts WHERE author_id = $1')], defaultConfig(root));
    assert.deepEqual(links[0].map(show), ['src/loop.ts:6 pool.query same-sql loop@5', 'src/broken.ts:4 sql`…` same-sql']);
    assert.deepEqual(links[0][0].loop, { kind: 'for…of loop', line: 5, collection: 'authorIds' });
    assert.equal(links[0][0].client, 'pg');
    assert.ok(notes.some((n) => n.startsWith('src/broken.ts:') && n.includes('only its SQL templates were read')), notes.join('\n'));
  });

  it('links an ORM statement to Prisma calls through @@map/@map, and to SQL and builders doing the same lookup', () => {
    const prismaText = 'SELECT "public"."posts"."id", "public"."posts"."title" FROM "public"."posts" WHERE ("public"."posts"."author_id" = $1 AND $2=$3) OFFSET $4';
    const { links } = findQuerySenders(root, [target(prismaText)], defaultConfig(root));
    assert.deepEqual(links[0].map(show), [
      'src/loop.ts:6 pool.query lookup loop@5',
      'src/feed.ts:7 prisma.post.findMany model loop@6',
      'src/broken.ts:4 sql`…` lookup',
      'src/one.ts:4 pool.query lookup',
      'src/knex.ts:4 db(\'posts\') model',
      'src/feed.ts:13 prisma.post.findMany table',
    ]);
  });

  it('tells statements apart by kind, table and column', () => {
    const { links } = findQuerySenders(
      root,
      [target('SELECT title FROM posts WHERE id = $1'), target('DELETE FROM posts WHERE author_id = $1'), target('SELECT * FROM users WHERE id = $1')],
      defaultConfig(root),
    );
    assert.deepEqual(links[0].map(show), ['src/one.ts:5 pool.query same-sql']);
    assert.deepEqual(links[1].map(show), []);
    assert.deepEqual(links[2].map(show), []);
  });

  it('leaves a binary or UTF-16 code file unread, with the note lint gives, and does not count it as read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pglens-senders-bin-'));
    try {
      mkdirSync(join(dir, 'src'));
      const sql = "pool.query('SELECT id, title FROM posts WHERE author_id = $1', [id]);\n";
      writeFileSync(join(dir, 'src', 'utf16.ts'), Buffer.from(`\ufeff${sql}`, 'utf16le'));
      writeFileSync(join(dir, 'src', 'blob.ts'), Buffer.concat([Buffer.from('const a = 1;\nconst b = 2;\n'), Buffer.from([0, 1, 2, 255])]));
      writeFileSync(join(dir, 'src', 'bom.ts'), `\ufeff${sql}`);
      const { links, notes, filesRead } = findQuerySenders(dir, [target('SELECT id, title FROM posts WHERE author_id = $1')], defaultConfig(dir));
      assert.equal(filesRead, 1, 'only the UTF-8 file is read');
      assert.deepEqual(notes, [
        'src/blob.ts: not read, not a text file (a NUL byte on line 3: binary, or UTF-16)',
        'src/utf16.ts: not read, not a text file (a NUL byte on line 1: binary, or UTF-16)',
      ]);
      // A UTF-8 byte order mark is dropped, as lint does: line and column are the ones an editor shows.
      assert.deepEqual(links[0].map((l) => `${l.file}:${l.line}:${l.column}`), ['src/bom.ts:1:1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads no file appCode.skip leaves out', () => {
    const config = { ...defaultConfig(root), appCode: { skip: ['**/node_modules', 'src/loop.ts', 'src/broken.ts'] } };
    const { links } = findQuerySenders(root, [target('SELECT id, title FROM posts WHERE author_id = $1')], config);
    // Without the statement itself in the code, every call doing the same lookup is listed.
    assert.deepEqual(links[0].map(show), [
      'src/feed.ts:7 prisma.post.findMany model loop@6',
      'src/one.ts:4 pool.query lookup',
      "src/knex.ts:4 db('posts') model",
      'src/feed.ts:13 prisma.post.findMany table',
    ]);
  });
});
