import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import { PgConnection } from '../../../src/core/db/pg-connection';
import { fillDatabase } from '../../../src/core/sandbox-data';
import { exportStats, type StatsExport } from '../../../src/core/sandbox-data/stats-export';
import { quoteIdent } from '../../../src/core/sql/quote-ident';
import { version } from '../../../src/cli/version';
import { repoRoot, requireServer, serverConfig, serverUrl, uniqueName } from '../db/test-env';

/**
 * `pglens stats export` against the local PostgreSQL: a scratch database with skewed data
 * (an MCV-heavy column, NULLs, a correlated column, a partitioned table, a table never
 * analyzed, a column added since ANALYZE, control characters in names and values), exported
 * with and without values, by a role that may not read everything, and read back by the
 * sandbox generator. The database and the role are dropped at the end.
 */
describe('pglens stats export', function () {
  this.timeout(120_000);
  const db = uniqueName('pglens_stats');
  const fillDb = uniqueName('pglens_stats_fill');
  const emptyDb = uniqueName('pglens_stats_empty');
  const role = uniqueName('pglens_stats_reader');
  const weird = 'we\nird\u001b[31m';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pglens-stats-'));
  let admin: Client | undefined;
  let created = false;

  const urlFor = (database: string, user?: { name: string; password: string }): string => {
    const u = new URL(serverUrl());
    u.pathname = `/${encodeURIComponent(database)}`;
    if (user) {
      u.username = encodeURIComponent(user.name);
      u.password = encodeURIComponent(user.password);
    }
    return u.toString();
  };

  // By file URL: the process runs in a scratch folder, where `--import tsx` would not resolve.
  const tsxLoader = pathToFileURL(path.join(repoRoot(), 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  /** The pglens process, from the TypeScript sources (runCli loads commands with import(), which needs tsx's ESM hook). */
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', tsxLoader, path.join(repoRoot(), 'src', 'cli', 'main.ts'), 'stats', ...args], {
        cwd: dir,
        env: { PATH: process.env.PATH, ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  before(async function () {
    await requireServer(this, 'pglens stats export');
    admin = new Client({ ...serverConfig(), database: 'postgres' });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    await admin.query(`CREATE DATABASE ${emptyDb}`);
    created = true;
    const c = new Client({ ...serverConfig(), database: db });
    await c.connect();
    try {
      await c.query(`
        CREATE SCHEMA app;
        CREATE SCHEMA audit;
        CREATE TABLE app.orders (
          id bigint PRIMARY KEY,
          status text NOT NULL,
          note text,
          created_at timestamptz NOT NULL,
          amount numeric(10, 2) NOT NULL,
          customer_id int
        ) WITH (autovacuum_enabled = off);
        INSERT INTO app.orders
        SELECT i,
               CASE WHEN i % 20 < 16 THEN 'done' WHEN i % 20 < 19 THEN 'pending' ELSE 'failed' END,
               CASE WHEN i % 10 < 7 THEN NULL ELSE 'note ' || i END,
               timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute',
               (i * 7919 % 10000) / 100.0,
               CASE WHEN i % 2 = 0 THEN NULL ELSE (i * 31) % 500 END
        FROM generate_series(1, 10000) i;
        CREATE TABLE app.labels (id int, label text) WITH (autovacuum_enabled = off);
        INSERT INTO app.labels SELECT i, CASE i % 3 WHEN 0 THEN E'red\\x1b[31m' WHEN 1 THEN E'line\\u2028sep' ELSE E'nel\\u0085x' END
        FROM generate_series(1, 300) i;
        ALTER TABLE app.labels ENABLE ROW LEVEL SECURITY;
        CREATE TABLE app.never (x int) WITH (autovacuum_enabled = off);
        CREATE TABLE app.${quoteIdent(weird)} (x int) WITH (autovacuum_enabled = off);
        CREATE TABLE app.empty (x int) WITH (autovacuum_enabled = off);
        CREATE TABLE app.events (id int, kind text) PARTITION BY RANGE (id);
        CREATE TABLE app.events_1 PARTITION OF app.events FOR VALUES FROM (0) TO (100) WITH (autovacuum_enabled = off);
        CREATE TABLE app.events_2 PARTITION OF app.events FOR VALUES FROM (100) TO (300) WITH (autovacuum_enabled = off);
        INSERT INTO app.events SELECT i, 'k' || (i % 4) FROM generate_series(0, 299) i;
        CREATE TABLE audit.log (id int, at timestamptz) WITH (autovacuum_enabled = off);
        INSERT INTO audit.log SELECT i, now() FROM generate_series(1, 50) i;
        ANALYZE app.orders;
        ANALYZE app.labels;
        ANALYZE app.empty;
        ANALYZE app.events_1;
        ANALYZE app.events_2;
        ANALYZE audit.log;
        ALTER TABLE app.orders ADD COLUMN added int;
        CREATE ROLE ${role} LOGIN PASSWORD 'reader-pw';
        GRANT USAGE ON SCHEMA app TO ${role};
        GRANT SELECT (id, status) ON app.orders TO ${role};
        GRANT SELECT ON app.labels TO ${role};
      `);
    } finally {
      await c.end();
    }
  });

  after(async () => {
    if (admin) {
      for (const d of [db, fillDb, emptyDb]) await admin.query(`DROP DATABASE IF EXISTS ${d} WITH (FORCE)`).catch(() => undefined);
      if (created) await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
      await admin.end();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  let full: StatsExport;
  let bare: StatsExport;

  it('writes the FillStats shape with a header: rows, null fractions, MCVs, histograms, correlation', async () => {
    const r = await cli(['export', '--db', urlFor(db), '-o', 'stats.json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Wrote statistics of 5 table\(s\), \d+ column\(s\) to stats\.json \(PostgreSQL \d+\.\d+; with most common values and histogram bounds: real data, review before committing\)\n$/);
    const text = readFileSync(path.join(dir, 'stats.json'), 'utf8');
    full = JSON.parse(text) as StatsExport;
    assert.deepEqual(Object.keys(full).slice(0, 5), ['format', 'pglensVersion', 'serverVersion', 'exportedAt', 'values']);
    assert.equal(full.format, 1);
    assert.equal(full.pglensVersion, version);
    assert.match(full.serverVersion, /^\d+\.\d+$/);
    assert.ok(Math.abs(Date.parse(full.exportedAt) - Date.now()) < 60_000);
    assert.equal(full.values, true);
    assert.deepEqual(Object.keys(full.tables), ['app.empty', 'app.events', 'app.labels', 'app.orders', 'audit.log']);

    const orders = full.tables['app.orders'];
    assert.equal(orders.rows, 10000);
    assert.ok(orders.pages > 0);
    assert.deepEqual(Object.keys(orders.columns), ['id', 'status', 'note', 'created_at', 'amount', 'customer_id']);
    const status = orders.columns.status;
    assert.equal(status.nullFrac, 0);
    assert.equal(status.nDistinct, 3);
    assert.deepEqual(status.mcv!.values, ['done', 'pending', 'failed']);
    assert.deepEqual(status.mcv!.freqs.map((f) => Math.round(f * 100) / 100), [0.8, 0.15, 0.05]);
    assert.equal(status.histogram, undefined);
    assert.ok(Math.abs(orders.columns.note.nullFrac! - 0.7) < 0.01);
    assert.ok(Math.abs(orders.columns.customer_id.nullFrac! - 0.5) < 0.01);
    const id = orders.columns.id;
    assert.equal(id.nDistinct, -1);
    assert.equal(id.mcv, undefined);
    assert.equal(id.correlation, 1);
    assert.ok(id.histogram!.length > 10);
    const hist = id.histogram!.map(Number);
    assert.deepEqual(hist, [...hist].sort((a, b) => a - b));
    // Values print in fixed styles: ISO, UTC.
    assert.match(orders.columns.created_at.histogram![0], /^2024-01-01 \d\d:\d\d:00\+00$/);
    assert.ok(orders.columns.created_at.correlation! > 0.99);
    assert.ok(Math.abs(orders.columns.amount.correlation!) < 0.2);

    // Partitioned: the parent's rows from its partitions, which are not listed themselves.
    assert.equal(full.tables['app.events'].rows, 300);
    assert.ok(!('app.events_1' in full.tables));
    assert.equal(full.tables['app.empty'].rows, 0);
    assert.equal(full.tables['audit.log'].rows, 50);

    assert.deepEqual(full.missing.notAnalyzed, ['app.never', `app.${weird}`].sort());
    assert.deepEqual(full.missing.noColumnStats, ['app.empty', 'app.events']);
    assert.deepEqual(full.missing.hiddenColumns, {});
    assert.deepEqual(full.missing.columnsNotAnalyzed, { 'app.orders': ['added'] });

    // Control characters: JSON escapes, never raw, and the values come back exactly.
    assert.deepEqual([...full.tables['app.labels'].columns.label.mcv!.values].sort(), ['line\u2028sep', 'nel\u0085x', 'red\u001b[31m'].sort());
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/.test(text));
    assert.match(text, /"line\\u2028sep"/);
    assert.match(text, /"red\\u001b\[31m"/);
    // Notes on stderr, one line each, names escaped.
    assert.match(r.stderr, /^pglens stats: 2 table\(s\) never analyzed, left out \(row count unknown\): app\.never, app\.we\\nird\\u001b\[31m — run ANALYZE/m);
    assert.match(r.stderr, /^pglens stats: 2 table\(s\) without column statistics .*: app\.empty, app\.events — run ANALYZE/m);
    assert.match(r.stderr, /^pglens stats: columns without statistics \(added since the last ANALYZE, or statistics target 0\): app\.orders\(added\)$/m);
    assert.ok(!r.stderr.includes('\u001b'));
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  });

  it('--no-values keeps the shape (frequencies, bound counts) and no value at all', async () => {
    const r = await cli(['export', '--db', urlFor(db), '-o', 'bare.json', '--no-values']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /values left out\)\n$/);
    const text = readFileSync(path.join(dir, 'bare.json'), 'utf8');
    bare = JSON.parse(text) as StatsExport;
    assert.equal(bare.values, false);
    assert.ok(!/"mcv"|"histogram"/.test(text));
    for (const v of ['done', 'pending', 'note 1', '2024-01-01', 'red', 'sep']) assert.ok(!text.includes(v), v);
    const status = bare.tables['app.orders'].columns.status;
    assert.deepEqual(status.mcvFreqs, full.tables['app.orders'].columns.status.mcv!.freqs);
    assert.equal(status.nDistinct, 3);
    const id = bare.tables['app.orders'].columns.id;
    assert.equal(id.histogramBounds, full.tables['app.orders'].columns.id.histogram!.length);
    assert.equal(id.correlation, 1);
    assert.deepEqual(Object.keys(bare.tables), Object.keys(full.tables));
  });

  it('prints to stdout without -o; --schema narrows the tables', async () => {
    const r = await cli(['export', '--db', urlFor(db), '--schema', 'audit']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as StatsExport;
    assert.deepEqual(out.schemas, ['audit']);
    assert.deepEqual(Object.keys(out.tables), ['audit.log']);
    assert.deepEqual(Object.keys(out.tables['audit.log'].columns), ['id', 'at']);
    assert.equal(r.stderr, '');
  });

  it('names the columns pg_stats hides from the role (column privileges, row-level security)', async () => {
    const r = await cli(['export', '--db', urlFor(db, { name: role, password: 'reader-pw' }), '--schema', 'app']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as StatsExport;
    assert.deepEqual(Object.keys(out.tables['app.orders'].columns), ['id', 'status']);
    // Columns the role may not read at all show no statistics either way: hidden, not "not analyzed".
    assert.deepEqual(out.missing.hiddenColumns, {
      'app.empty': ['x'],
      'app.events': ['id', 'kind'],
      'app.labels': ['id', 'label'],
      'app.orders': ['note', 'created_at', 'amount', 'customer_id', 'added'],
    });
    assert.deepEqual(out.missing.noColumnStats, []);
    assert.deepEqual(out.tables['app.labels'].columns, {});
    assert.match(r.stderr, /^pglens stats: columns whose statistics pg_stats hides from this role .*: app\.empty\(x\), app\.events\(id, kind\), app\.labels\(id, label\), app\.orders\(note, created_at, amount, customer_id, added\) — export as a role that may read them$/m);
  });

  it('runs read-only: one READ ONLY transaction with the timeout, no transaction id, rolled back', async () => {
    const conn = new PgConnection({ connectionString: urlFor(db), label: 'test', statementTimeoutMs: 30_000 });
    const probes: Array<Record<string, unknown>> = [];
    let denied: string | undefined;
    const sent: string[] = [];
    const spy = {
      query: async (sql: string) => {
        sent.push(sql);
        if (sql === 'ROLLBACK') {
          // Still inside the export's transaction: what it is, and that it refuses a write.
          probes.push((await conn.query(`SELECT current_setting('transaction_read_only') AS ro, current_setting('statement_timeout') AS timeout, pg_current_xact_id_if_assigned()::text AS xid`)).rows[0]);
          await conn.query('SAVEPOINT probe');
          denied = await conn.query('CREATE TEMP TABLE pglens_probe (x int)').then(
            () => 'created',
            (e: Error) => e.message,
          );
          await conn.query('ROLLBACK TO SAVEPOINT probe');
        }
        return conn.query(sql);
      },
    };
    try {
      const out = await exportStats(spy, { timeoutMs: 12_345, pglensVersion: version, serverVersion: await conn.serverVersion() });
      assert.equal(out.tables['app.orders'].rows, 10000);
      assert.deepEqual(probes, [{ ro: 'on', timeout: '12345ms', xid: null }]);
      assert.match(denied!, /read-only transaction/);
      assert.equal(sent.length, 2);
      assert.match(sent[0], /^BEGIN TRANSACTION READ ONLY;\nSET LOCAL statement_timeout = 12345;/);
      assert.equal(sent[1], 'ROLLBACK');
      // The session is out of the transaction afterwards.
      const after = (await conn.query(`SELECT current_setting('transaction_read_only') AS ro, current_setting('statement_timeout') AS timeout`)).rows[0];
      assert.deepEqual(after, { ro: 'off', timeout: '30s' });
    } finally {
      await conn.close();
    }
  });

  it('gives the sandbox generator what it reads: skew and NULLs with values, a plain fill without', async () => {
    await admin!.query(`CREATE DATABASE ${fillDb}`);
    const c = new Client({ ...serverConfig(), database: fillDb });
    await c.connect();
    try {
      const ddl = `CREATE SCHEMA IF NOT EXISTS app;
        CREATE TABLE app.orders (id bigint PRIMARY KEY, status text NOT NULL, note text, created_at timestamptz NOT NULL, amount numeric(10, 2) NOT NULL, customer_id int)`;
      await c.query(ddl);
      const query = async (q: string) => (await c.query(q)).rows;
      const exec = async (q: string) => void (await c.query(q));
      const report = await fillDatabase(query, exec, { stats: full, scale: 0.2, schemas: ['app'] });
      const filled = report.tables.find((t) => t.table === 'app.orders');
      // The generator draws the primary key from its histogram too (duplicates, retried ON
      // CONFLICT DO NOTHING): a few rows short of the target until it keeps unique keys injective.
      assert.equal(filled?.tier, 'stats');
      assert.ok(filled && filled.status === 'filled' && filled.rows >= 1700, JSON.stringify(report.tables));
      const rows = filled.rows;
      const dist = (await c.query(`SELECT status, count(*)::int AS n FROM app.orders GROUP BY status ORDER BY n DESC`)).rows;
      assert.deepEqual(dist.map((d) => d.status), ['done', 'pending', 'failed']);
      assert.ok(Math.abs(dist[0].n / rows - 0.8) < 0.05, JSON.stringify(dist));
      const nulls = (await c.query(`SELECT avg((note IS NULL)::int)::float8 AS f FROM app.orders`)).rows[0].f;
      assert.ok(Math.abs(nulls - 0.7) < 0.05, String(nulls));

      await c.query('DROP TABLE app.orders');
      await c.query(ddl);
      const plain = await fillDatabase(query, exec, { stats: bare, scale: 0.2, schemas: ['app'] });
      assert.equal(plain.tables.find((t) => t.table === 'app.orders')?.rows, 2000, JSON.stringify(plain.tables));
    } finally {
      await c.end();
    }
  });

  it('exit 2 with one line and the next step: unreachable server, bad URL, no server, unwritable -o, no tables, bad usage', async () => {
    const cases: Array<{ args: string[]; env?: NodeJS.ProcessEnv; error: RegExp }> = [
      { args: ['export', '--db', 'postgresql://postgres:s3cret@127.0.0.1:1/x'], error: /^pglens stats: could not connect to 127\.0\.0\.1:1\/x: connection refused — is the server running\? check host\/port$/ },
      { args: ['export', '--db', 'mysql://root:s3cret@localhost/x'], error: /^pglens stats: --db must be a postgresql:\/\/ URL, got "mysql:\/\/root:\*\*\*@localhost\/x" — pass --db / },
      { args: ['export'], error: /^pglens stats: stats export reads a real server's statistics, and there is none to read \(no --db, .*\) — pass --db postgresql:/ },
      { args: ['export', '--db', urlFor(db), '-o', 'no/such/dir/s.json'], error: /^pglens stats: cannot write -o no\/such\/dir\/s\.json: no such folder no\/such\/dir — create the folder or pick another path$/ },
      { args: ['export', '--db', urlFor(db), '-o', '.'], error: /^pglens stats: cannot write -o \.: it is a folder — name a file/ },
      { args: ['export', '--db', urlFor(db), '-o', 'afile/s.json'], error: /^pglens stats: cannot write -o afile\/s\.json: afile is not a folder — pick another path$/ },
      { args: ['export', '--db', urlFor(db), '--schema', 'nope'], error: /^pglens stats: no tables in schema nope — check the --schema names/ },
      { args: ['export', '--db', urlFor(emptyDb)], error: /^pglens stats: no tables outside the system schemas — check that --db names the application's database$/ },
      { args: ['import'], error: /^pglens stats: unknown subcommand "import": pglens stats export --db URL \[-o FILE\]$/ },
      { args: ['export', '--db', urlFor(db), '-o'], error: /^pglens stats: -o needs a file name/ },
      { args: ['export', '--db', urlFor(db), '--timeout', '0'], error: /^pglens stats: --timeout must be a number of seconds above 0/ },
    ];
    writeFileSync(path.join(dir, 'afile'), '');
    const results = await Promise.all(cases.map((c) => cli(c.args, c.env)));
    results.forEach((r, i) => {
      const c = cases[i];
      assert.equal(r.code, 2, `${c.args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '', c.args.join(' '));
      assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
      assert.match(r.stderr.trimEnd(), c.error);
      assert.ok(!r.stderr.includes('s3cret'));
    });
    assert.ok(!existsSync(path.join(dir, 'no')));
  });

  it('a statement past --timeout is a one-line timeout error naming --timeout', async () => {
    // The catalogs answer in milliseconds: a pg_sleep on each row of the export's SELECT makes it slow.
    const conn = new PgConnection({ connectionString: urlFor(db), label: 'test' });
    try {
      const slow = { query: (sql: string) => conn.query(sql.replace(/;\nSELECT /, ';\nSELECT pg_sleep(0.2) IS NULL AS slept, ')) };
      await assert.rejects(
        exportStats(slow, { timeoutMs: 50, pglensVersion: version, serverVersion: '15' }),
        /reading the statistics ran longer than the 0\.05 s timeout and was cancelled — raise --timeout SECONDS, or export fewer schemas with --schema/,
      );
      assert.equal((await conn.query(`SELECT current_setting('transaction_read_only') AS ro`)).rows[0].ro, 'off');
    } finally {
      await conn.close();
    }
  });
});
