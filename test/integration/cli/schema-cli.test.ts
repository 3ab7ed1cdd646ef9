import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { repoRoot, requireServer, serverConfig, serverUrl } from '../db/test-env';

/**
 * `pglens schema` as shipped (dist/cli.js, built by `npm run build` before this layer): the
 * example project's migrations and Prisma schema as Mermaid (checked with mermaid's own parser),
 * JSON and text; the errors of a missing source, a migration set that does not replay fully and
 * an unreadable schema.prisma; and the live catalog of the test server (a scratch schema with two
 * related tables, dropped at the end).
 */
describe('pglens schema (dist/cli.js)', function () {
  this.timeout(120_000);
  const cli = path.join(repoRoot(), 'dist', 'cli.js');
  const shop = path.join(repoRoot(), 'examples', 'shop');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pglens-schema-'));

  const run = (args: string[], cwd = shop, env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, [cli, 'schema', ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH, HOME: dir, ...env } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  /** mermaid.parse runs in Node for erDiagram (no DOM needed); it rejects what its grammar does not take. */
  const mermaidParses = async (text: string): Promise<void> => {
    const mermaid = ((await import('mermaid')) as unknown as { default: { parse(t: string): Promise<unknown> } }).default;
    assert.deepEqual(await mermaid.parse(text), { diagramType: 'er', config: {} });
  };

  before(function () {
    if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('mermaid parser: rejects broken erDiagram text (so the checks below mean something)', async () => {
    const mermaid = ((await import('mermaid')) as unknown as { default: { parse(t: string): Promise<unknown> } }).default;
    await assert.rejects(mermaid.parse('erDiagram\n  a {{ bad\n'));
  });

  it('migrations found under the current folder: Mermaid by default, named on stderr, exit 0', async () => {
    const r = run([]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^pglens schema: drawing the migrations in migrations\/ \(found under the current folder; also found: schema\.prisma — pick one with --migrations DIR or --prisma FILE\)\n$/);
    assert.ok(r.stdout.startsWith('erDiagram\n  customers {\n    bigint id PK\n'), r.stdout);
    assert.match(r.stdout, /^ {2}customers \|\|\.\.o\{ orders : "orders_customer_id_fkey"$/m);
    assert.match(r.stdout, /^ {2}orders \|\|--o\{ order_items : "order_items_order_id_fkey"$/m);
    await mermaidParses(r.stdout);
  });

  it('--migrations DIR of the editor test workspace: Mermaid that parses', async () => {
    const r = run(['--migrations', path.join(repoRoot(), 'test', 'vscode', 'workspace', 'migrations')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /drawing the migrations in .*test\/vscode\/workspace\/migrations\/ \(--migrations, runner plain, 2 migrations\)/);
    assert.match(r.stdout, /^erDiagram\n/);
    await mermaidParses(r.stdout);
  });

  it('--format json: the diagram model, with cardinalities and findings located in files relative to the current folder', () => {
    const r = run(['--migrations', 'migrations', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const model = JSON.parse(r.stdout);
    assert.deepEqual(model.source, { kind: 'migrations', label: 'migrations/' });
    assert.deepEqual(model.schemas, ['public']);
    assert.deepEqual(model.tables.map((t: { id: string }) => t.id), ['public.customers', 'public.products', 'public.orders', 'public.order_items']);
    const rel = model.relations.find((x: { from: string; to: string }) => x.from === 'public.orders' && x.to === 'public.customers');
    assert.deepEqual([rel.cardinality, rel.columns, rel.refColumns, rel.optional], ['1:N', ['customer_id'], ['id'], false]);
    assert.ok(model.relations.some((x: { cardinality: string; via?: string }) => x.cardinality === 'N:M' && x.via === 'public.order_items'));
    const orders = model.tables.find((t: { id: string }) => t.id === 'public.orders');
    const fk = orders.findings.find((f: { ruleId: string }) => f.ruleId === 'fk-without-index');
    assert.equal(model.files[fk.location.file], 'migrations/002_orders.sql');
    assert.equal(fk.severity, 'warning');
    assert.deepEqual(model.notes, []);
    assert.equal(model.connection, undefined);
  });

  it('--format text: a short listing', () => {
    const r = run(['--migrations', 'migrations', '--format', 'text']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Schema of migrations\/ \(migrations\): 4 tables, 4 relations\n/);
    assert.match(r.stdout, /^ {2}orders \(customer_id\) → customers \(id\) {2}1:N {2}orders_customer_id_fkey$/m);
    assert.match(r.stdout, /^ {2}warning fk-without-index {2}orders: .*\(migrations\/002_orders\.sql:3\)$/m);
  });

  it('--prisma FILE (a fixture with an implicit many-to-many): Mermaid that parses, JSON with the N:M relation', async () => {
    const blog = path.join(repoRoot(), 'test', 'fixtures', 'prisma', 'blog.prisma');
    const r = run(['--prisma', blog]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /drawing the Prisma schema .*blog\.prisma \(--prisma\)/);
    assert.match(r.stdout, /^ {2}User \{$/m);
    assert.match(r.stdout, / \}o\.\.o\{ /, 'the implicit join table is drawn as its N:M relation');
    await mermaidParses(r.stdout);
    const json = JSON.parse(run(['--prisma', blog, '--format', 'json']).stdout);
    assert.equal(json.source.kind, 'prisma');
    assert.ok(json.relations.some((x: { cardinality: string }) => x.cardinality === 'N:M'));
  });

  it('-o FILE writes the diagram and says so on stdout', () => {
    const out = path.join(dir, 'schema.mmd');
    const r = run(['--prisma', 'schema.prisma', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Wrote the mermaid diagram of schema\.prisma \(3 tables, 2 relations\) to .*schema\.mmd\n$/);
    assert.match(readFileSync(out, 'utf8'), /^erDiagram\n {2}customers \{/);
  });

  it('bad input: one line naming the cause and the next step, exit 2', () => {
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    const none = run([], empty);
    assert.deepEqual([none.code, none.stdout], [2, '']);
    assert.match(none.stderr, /^pglens schema: nothing to draw: no migrations and no schema\.prisma under .*, and no --db, no DATABASE_URL in the environment or in \.env — pass --migrations DIR, --prisma FILE or --db URL\n$/);
    const noMigrations = run(['--migrations', empty]);
    assert.equal(noMigrations.code, 2);
    assert.match(noMigrations.stderr, /^pglens schema: no migrations under --migrations .* — pass the folder that holds the migration \.sql files\n$/);
    const missing = run(['--prisma', 'nope.prisma']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'pglens schema: --prisma nope.prisma: no such file or folder — pass the path of the schema.prisma (or of a prisma/schema folder)\n');
    const binary = path.join(dir, 'binary.prisma');
    writeFileSync(binary, Buffer.from([0x6d, 0, 0x6f, 0]));
    const unreadable = run(['--prisma', binary]);
    assert.equal(unreadable.code, 2);
    assert.match(unreadable.stderr, /^pglens schema: --prisma .*binary\.prisma is not a text file .* — pass a text file saved as UTF-8\n$/);
    const two = run(['--migrations', 'migrations', '--prisma', 'schema.prisma']);
    assert.equal(two.stderr, 'pglens schema: --migrations and --prisma name different sources — give one (the diagram is of one source)\n');
    const failOn = run(['--fail-on', 'error']);
    assert.equal(failOn.code, 2);
    assert.match(failOn.stderr, /^pglens schema: --fail-on: schema draws the schema and judges nothing/);
  });

  it('a migration set that does not replay fully: what was built is printed, stderr says what is missing, exit 2', async () => {
    const project = path.join(dir, 'broken');
    mkdirSync(path.join(project, 'migrations'), { recursive: true });
    writeFileSync(path.join(project, 'migrations', '001_init.sql'), 'CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (id int PRIMARY KEY, a_id int NOT NULL REFERENCES a (id));\n');
    writeFileSync(path.join(project, 'migrations', '002_oops.sql'), 'CREATE TABLE c (id int PRIMARY KEY\nALTER TABLE;\n');
    const r = run([], project);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, 'erDiagram\n  a {\n    integer id PK\n  }\n  b {\n    integer id PK\n    integer a_id FK\n  }\n  a ||..o{ b : "b_a_id_fkey"\n');
    await mermaidParses(r.stdout);
    assert.match(
      r.stderr,
      /\npglens schema: migrations\/ does not replay fully, the diagram printed is partial: 1 syntax error in 002_oops\.sql: the statements that failed to parse are not in the diagram — run pglens lint migrations\/ to see where, fix it and run again\n$/,
    );
    const json = JSON.parse(run(['--format', 'json'], project).stdout);
    assert.equal(json.notes.length, 1);
  });

  describe('live catalog (--db, DATABASE_URL)', () => {
    const schema = `schema_cli_${process.pid}_${Date.now().toString(36)}`;
    let admin: Client | undefined;

    before(async function () {
      await requireServer(this, 'pglens schema --db');
      admin = new Client(serverConfig());
      await admin.connect();
      await admin.query(`
        CREATE SCHEMA ${schema};
        CREATE TABLE ${schema}.authors (id int PRIMARY KEY, name text NOT NULL);
        CREATE TABLE ${schema}.books (id bigint PRIMARY KEY, author_id int NOT NULL REFERENCES ${schema}.authors (id), title text);
        CREATE TABLE ${schema}."we\nird\u001b[31m" (id int PRIMARY KEY, book_id bigint REFERENCES ${schema}.books (id));`);
    });
    after(async () => {
      await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin?.end();
    });

    it('--db URL --schema: the two related tables as Mermaid that parses, and as JSON with the connection', async () => {
      const r = run(['--db', serverUrl(), '--schema', schema], dir);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^pglens schema: drawing the live catalog of postgresql:\/\/.* \(--db\)\n$/);
      assert.match(r.stdout, new RegExp(`^ {2}"${schema}\\.authors" \\{$`, 'm'));
      assert.match(r.stdout, new RegExp(`^ {2}"${schema}\\.authors" \\|\\|\\.\\.o\\{ "${schema}\\.books" : "books_author_id_fkey"$`, 'm'));
      await mermaidParses(r.stdout);

      const json = JSON.parse(run(['--db', serverUrl(), '--schema', schema, '--format', 'json'], dir).stdout);
      assert.equal(json.source.kind, 'live');
      assert.deepEqual(Object.keys(json.connection), ['kind', 'serverVersion', 'label', 'database']);
      assert.deepEqual(json.tables.map((t: { name: string }) => t.name).sort(), ['authors', 'books', 'we\nird\u001b[31m']);
      const rel = json.relations.find((x: { from: string }) => x.from === `${schema}.books`);
      assert.deepEqual([rel.to, rel.cardinality, rel.columns], [`${schema}.authors`, '1:N', ['author_id']]);
      const books = json.tables.find((t: { name: string }) => t.name === 'books');
      assert.ok(books.findings.some((f: { ruleId: string }) => f.ruleId === 'fk-without-index'));
    });

    it('DATABASE_URL when no files are found; text escapes names from the catalog', () => {
      const empty = mkdtempSync(path.join(dir, 'live-'));
      const r = run(['--schema', schema, '--format', 'text'], empty, { DATABASE_URL: serverUrl() });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /drawing the live catalog of .* \(DATABASE_URL\)\n$/);
      assert.match(r.stdout, new RegExp(`^${schema}\\.we\\\\nird\\\\u001b\\[31m$`, 'm'));
      assert.doesNotMatch(r.stdout, /\u001b/);
      assert.match(r.stdout, new RegExp(`^ {2}${schema}\\.books \\(author_id\\) → ${schema}\\.authors \\(id\\) {2}1:N {2}books_author_id_fkey$`, 'm'));
    });

    it('a server that does not answer: one line, exit 2', () => {
      const r = run(['--db', 'postgresql://postgres@127.0.0.1:1/test'], dir);
      assert.deepEqual([r.code, r.stdout], [2, '']);
      assert.match(r.stderr, /^pglens schema: could not connect to 127\.0\.0\.1:1\/test: .*\n$/);
    });
  });
});
