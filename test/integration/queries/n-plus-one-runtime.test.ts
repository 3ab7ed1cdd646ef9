/**
 * `pglens queries` on real servers: an N+1 loop run through `pg` (and one shaped like Prisma's)
 * on the pss cluster, which preloads pg_stat_statements, shows up as candidates with their call
 * counts and the fixture's source lines; the main test server, which does not preload it, gets
 * the one-line explanation and exit 2.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client, Pool } from 'pg';
import { parseArgs } from '../../../src/cli/args';
import { command } from '../../../src/cli/commands/queries';
import type { CliContext } from '../../../src/cli/context';
import type { CodeLink } from '../../../src/core/app-code/query-senders';
import { repoRoot, requireServer, serverUrl, uniqueName } from '../db/test-env';
import { titlesByAuthor } from '../../fixtures/app-code/n-plus-one-runtime/src/posts';
import { commentCounts, type CommentClient } from '../../fixtures/app-code/n-plus-one-runtime/src/comments';
import { pssDatabaseUrl, pssUrl, requirePssServer } from './pss-server';

const FIXTURE = path.join(repoRoot(), 'test', 'fixtures', 'app-code', 'n-plus-one-runtime');

/** The statement Prisma 5 sends for `prisma.comment.findMany({ where: { postId } })` with the fixture's schema. */
const PRISMA_FIND_COMMENTS =
  'SELECT "public"."comments"."id", "public"."comments"."body", "public"."comments"."post_id" FROM "public"."comments" WHERE ("public"."comments"."post_id" = $1 AND 1=1) OFFSET $2';

async function run(argv: string[], cwd = process.cwd()): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = { cwd, env: {}, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) };
  const code = await command.run(parseArgs(argv, command.flags), ctx);
  return { code, stdout, stderr };
}

/** 1-based line of the first line of a fixture file containing `text`. */
function lineOf(file: string, text: string): number {
  const i = readFileSync(path.join(FIXTURE, file), 'utf8').split('\n').findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${text} not in ${file}`);
  return i + 1;
}

interface JsonCandidate {
  query: string;
  calls: number;
  rows: number;
  rowsPerCall: number;
  totalMs: number;
  severity: string;
  table: { schema: string | null; name: string; found: boolean };
  columns: string[];
  key: string;
  references?: string;
  indexed: boolean | null;
  message: string;
  code?: CodeLink[];
}

describe('pglens queries: N+1 candidates from pg_stat_statements (pss cluster)', function () {
  this.timeout(60_000);
  const database = uniqueName('pglens_pss');
  let admin: Client | undefined;

  before(async function () {
    await requirePssServer(this, 'pglens queries runtime tests');
    admin = new Client({ connectionString: pssUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const setup = new Client({ connectionString: pssDatabaseUrl(database) });
    await setup.connect();
    try {
      await setup.query(`
        CREATE EXTENSION pg_stat_statements;
        CREATE TABLE authors (id int PRIMARY KEY, name text NOT NULL);
        CREATE TABLE posts (id int PRIMARY KEY, title text NOT NULL, author_id int NOT NULL REFERENCES authors (id));
        CREATE INDEX posts_author_id_idx ON posts (author_id);
        CREATE TABLE comments (id int PRIMARY KEY, body text NOT NULL, post_id int NOT NULL REFERENCES posts (id));
        INSERT INTO authors SELECT g, 'author ' || g FROM generate_series(1, 200) g;
        INSERT INTO posts SELECT g, 'post ' || g, (g - 1) % 200 + 1 FROM generate_series(1, 300) g;
        INSERT INTO comments SELECT g, 'comment ' || g, (g - 1) % 150 + 1 FROM generate_series(1, 150) g;
      `);
      // Only this database's counts: the setup above is not the application's traffic.
      await setup.query(`SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)`);
    } finally {
      await setup.end();
    }
    // The application: 200 authors, one query each; 150 posts, one Prisma findMany each.
    const pool = new Pool({ connectionString: pssDatabaseUrl(database), max: 2 });
    try {
      const titles = await titlesByAuthor(pool, Array.from({ length: 200 }, (_, i) => i + 1));
      assert.equal(titles.length, 300);
      const prisma: CommentClient = {
        comment: {
          findMany: async ({ where }) => (await pool.query<{ id: number; body: string }>(PRISMA_FIND_COMMENTS, [where.postId, 0])).rows,
        },
      };
      const counts = await commentCounts(prisma, Array.from({ length: 150 }, (_, i) => i + 1));
      assert.equal([...counts.values()].reduce((a, b) => a + b, 0), 150);
    } finally {
      await pool.end();
    }
  });

  after(async function () {
    if (!admin) return;
    try {
      // The cluster keeps a dropped database's entries until they are evicted: forget them now.
      await admin.query(`SELECT pg_stat_statements_reset(0, oid, 0) FROM pg_database WHERE datname = $1`, [database]);
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  });

  it('lists the loops as candidates with their call counts, keys and the fixture lines that send them', async () => {
    const { code, stdout, stderr } = await run(['--db', pssDatabaseUrl(database), '--workspace', FIXTURE, '--format', 'json', '--fail-on', 'info']);
    assert.equal(code, 1, stderr);
    const out = JSON.parse(stdout) as { available: boolean; thresholds: { minCalls: number }; candidates: JsonCandidate[]; code: { filesRead: number } };
    assert.equal(out.available, true);
    assert.equal(out.thresholds.minCalls, 100, "the fixture's .pglens.json sets minCalls");
    assert.deepEqual(
      out.candidates.map((c) => `${c.table.schema}.${c.table.name}.${c.columns.join(',')}`).sort(),
      ['public.comments.post_id', 'public.posts.author_id'],
      'the two loops, and none of pglens\'s own catalog reads',
    );

    const posts = out.candidates.find((c) => c.table.name === 'posts');
    assert.ok(posts);
    assert.equal(posts.query, 'SELECT id, title FROM posts WHERE author_id = $1');
    assert.equal(posts.calls, 200);
    assert.equal(posts.rows, 300);
    assert.equal(posts.rowsPerCall, 1.5);
    assert.deepEqual([posts.key, posts.references, posts.indexed, posts.severity], ['foreign key', 'authors', true, 'info']);
    assert.match(posts.message, /^public\.posts read by author_id \(a foreign key to authors\): 200 calls, 1\.50 rows per call/);
    assert.deepEqual(posts.code?.[0], {
      file: 'src/posts.ts',
      line: lineOf('src/posts.ts', 'pool.query'),
      column: readFileSync(path.join(FIXTURE, 'src/posts.ts'), 'utf8').split('\n')[lineOf('src/posts.ts', 'pool.query') - 1].indexOf('pool.query') + 1,
      call: 'pool.query',
      client: 'pg',
      match: 'same-sql',
      loop: { kind: 'for…of loop', line: lineOf('src/posts.ts', 'for (const authorId of authorIds)'), collection: 'authorIds' },
    });

    const comments = out.candidates.find((c) => c.table.name === 'comments');
    assert.ok(comments);
    assert.equal(comments.calls, 150);
    assert.equal(comments.rowsPerCall, 1);
    // pg_stat_statements shows the constants of Prisma's text as parameters too.
    assert.match(comments.query, /WHERE \("public"\."comments"\."post_id" = \$1 AND \$\d+ ?= ?\$\d+\) OFFSET \$\d+$/);
    // No index on comments.post_id: each call reads the whole table, so it is a warning.
    assert.deepEqual([comments.key, comments.references, comments.indexed, comments.severity], ['foreign key', 'posts', false, 'warning']);
    assert.deepEqual(
      comments.code?.map((l) => `${l.file}:${l.line} ${l.call} ${l.match} ${l.loop?.kind ?? '-'}`),
      [`src/comments.ts:${lineOf('src/comments.ts', 'prisma.comment.findMany')} prisma.comment.findMany model for…of loop`],
    );
  });

  it('prints the candidates in text and exits by --fail-on', async () => {
    const { code, stdout, stderr } = await run(['--db', pssDatabaseUrl(database), '--workspace', FIXTURE]);
    // comments.post_id is a warning (no index), at the default --fail-on warning.
    assert.equal(code, 1, stderr);
    assert.equal(stderr, '');
    assert.match(stdout, /^N\+1 candidates \(2, most total time first\):$/m);
    assert.match(stdout, /^ {2}info {4}n-plus-one-candidate {2}public\.posts\.author_id$/m);
    assert.match(stdout, /^ {10}query: SELECT id, title FROM posts WHERE author_id = \$1$/m);
    assert.match(stdout, new RegExp(`^ {12}src/posts\\.ts:${lineOf('src/posts.ts', 'pool.query')}:\\d+ {2}pool\\.query {2}\\(the same statement; in a for…of loop over authorIds at line \\d+: n-plus-one-query\\)$`, 'm'));
    const quiet = await run(['--db', pssDatabaseUrl(database), '--workspace', FIXTURE, '--fail-on', 'error', '--no-code']);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stdout, /sent from/);
  });

  it('keeps the default thresholds without a .pglens.json: 200 calls are not "very many"', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'pglens-queries-'));
    try {
      const { code, stdout, stderr } = await run(['--db', pssDatabaseUrl(database), '--workspace', empty], empty);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /No N\+1 candidates: no statement ran ≥ 1,000 times with ≤ 2 rows per call/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('pglens queries: namesakes, hidden statements and a missing extension (pss cluster)', function () {
  this.timeout(60_000);
  const database = uniqueName('pglens_pss_names');
  const bare = uniqueName('pglens_pss_bare');
  const role = uniqueName('pglens_pss_lo');
  let admin: Client | undefined;
  let dir = '';

  before(async function () {
    await requirePssServer(this, 'pglens queries namesake tests');
    admin = new Client({ connectionString: pssUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.query(`CREATE DATABASE ${bare}`);
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pglens-test'`);
    dir = mkdtempSync(path.join(tmpdir(), 'pglens-queries-names-'));
    writeFileSync(path.join(dir, '.pglens.json'), JSON.stringify({ rules: { 'n-plus-one-candidate': ['info', { minCalls: 100 }] } }));
    const app = new Client({ connectionString: pssDatabaseUrl(database) });
    await app.connect();
    try {
      // public.acct has no index; app2.acct has a primary key. The application reads app2's.
      await app.query(`
        CREATE EXTENSION pg_stat_statements;
        CREATE TABLE public.acct (id int, name text);
        CREATE SCHEMA app2;
        CREATE TABLE app2.acct (id int PRIMARY KEY, name text);
        INSERT INTO app2.acct SELECT g, 'n' || g FROM generate_series(1, 150) g;
      `);
      await app.query(`SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)`);
      await app.query('SET search_path = app2');
      for (let id = 1; id <= 150; id++) await app.query('SELECT name FROM acct WHERE id = $1', [id]);
    } finally {
      await app.end();
    }
  });

  after(async function () {
    if (!admin) return;
    try {
      await admin.query(`SELECT pg_stat_statements_reset(0, oid, 0) FROM pg_database WHERE datname = ANY ($1)`, [[database, bare]]);
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.query(`DROP DATABASE IF EXISTS ${bare} WITH (FORCE)`);
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await admin.end();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not judge an unqualified table two schemas have: key unknown, the namesakes named', async () => {
    const { code, stdout, stderr } = await run(['--db', pssDatabaseUrl(database), '--workspace', dir, '--no-code', '--format', 'json']);
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout) as { candidates: Array<JsonCandidate & { namesakes?: string[] }>; notes: string[] };
    const acct = out.candidates.find((c) => c.table.name === 'acct');
    assert.ok(acct, stdout);
    assert.deepEqual([acct.key, acct.indexed, acct.namesakes, acct.severity], ['unknown', null, ['app2.acct', 'public.acct'], 'info']);
    assert.doesNotMatch(acct.message, /no index/);
    assert.match(acct.message, /2 schemas have a table acct: app2\.acct, public\.acct/);
    assert.ok(out.notes.some((n) => /^acct is named without a schema and 2 schemas have a table of that name \(app2\.acct, public\.acct\)/.test(n)), out.notes.join('\n'));
  });

  it('as a role that may not read other roles\' texts: says how many frequent statements were hidden and not judged', async () => {
    const url = new URL(pssDatabaseUrl(database));
    url.username = role;
    url.password = 'pglens-test';
    const { code, stdout, stderr } = await run(['--db', url.toString(), '--workspace', dir, '--no-code']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^No N\+1 candidates among the statements this role may read: .* But [1-9]\d* statements? of other roles (was|were) run that often with that few rows, and (its|their) text is hidden \(<insufficient privilege>\), so (it|they) could not be judged: grant this role pg_read_all_stats and run it again\.$/m);
    assert.match(stdout, /^Note: [\d,]+ statements? (is|are) other roles', whose text this role may not read \([1-9][\d,]* of them ran ≥ 100 times with ≤ 2 rows per call, and could not be judged\)/m);
  });

  it('says only CREATE EXTENSION is needed when the server preloads the library', async () => {
    const { code, stdout, stderr } = await run(['--db', pssDatabaseUrl(bare), '--no-code']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(
      stderr,
      `pglens queries: cannot list N+1 candidates on ${bare}: pg_stat_statements is loaded by the server (shared_preload_libraries) but not created in this database: ` +
        'run CREATE EXTENSION pg_stat_statements; in it (no restart needed)\n',
    );
  });
});

describe('pglens queries without pg_stat_statements (main test server)', function () {
  this.timeout(60_000);
  const database = uniqueName('pglens_nopss');
  let admin: Client | undefined;
  const url = (): string => {
    const u = new URL(serverUrl());
    u.pathname = `/${database}`;
    return u.toString();
  };

  before(async function () {
    await requireServer(this, 'pglens queries without pg_stat_statements');
    admin = new Client({ connectionString: serverUrl() });
    await admin.connect();
    const preload = await admin.query<{ v: string }>(`SELECT current_setting('shared_preload_libraries') AS v`);
    // The main server must stay as it is: if someone preloaded it, this path cannot be shown there.
    if (/pg_stat_statements/.test(preload.rows[0].v)) this.skip();
    await admin.query(`CREATE DATABASE ${database}`);
  });

  after(async function () {
    if (!admin) return;
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  });

  it('says once, on stderr, how to enable it, and exits 2', async () => {
    const { code, stdout, stderr } = await run(['--db', url(), '--workspace', FIXTURE]);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(
      stderr,
      `pglens queries: cannot list N+1 candidates on ${database}: pg_stat_statements is not installed in this database: add it to shared_preload_libraries, restart the server, then run CREATE EXTENSION pg_stat_statements;\n`,
    );
    const json = await run(['--db', url(), '--format', 'json', '--no-code']);
    assert.equal(json.code, 2);
    assert.deepEqual(
      { ...(JSON.parse(json.stdout) as Record<string, unknown>), connection: undefined },
      { connection: undefined, available: false, installed: false, reason: 'pg_stat_statements is not installed in this database: add it to shared_preload_libraries, restart the server, then run CREATE EXTENSION pg_stat_statements;', candidates: [] },
    );
  });

  it('says the library is not loaded when the extension exists but the server does not preload it', async () => {
    const c = new Client({ connectionString: url() });
    await c.connect();
    try {
      // CREATE EXTENSION in the test's own database; the server's settings are untouched.
      await c.query('CREATE EXTENSION pg_stat_statements');
    } finally {
      await c.end();
    }
    const { code, stdout, stderr } = await run(['--db', url(), '--no-code']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^pglens queries: cannot list N\+1 candidates on \w+: pg_stat_statements is installed but not loaded: add it to shared_preload_libraries in postgresql\.conf and restart the server\n$/);
  });
});
