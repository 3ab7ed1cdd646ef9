import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createEmbeddedConnection, type EmbeddedConnection, type EmbeddedConnectionOptions } from '../../../src/core/db/embedded-connection';
import { explainStatement } from '../../../src/core/explain';
import { sandboxDataNote } from '../../../src/core/db/sandbox-report';
import { parseArgs } from '../../../src/cli/args';
import type { CliContext } from '../../../src/cli/context';
import { command as explainCommand } from '../../../src/cli/commands/explain';
import { sandboxWorker, tempCacheDir } from './test-env';

/**
 * The embedded sandbox filled with generated data after the migrations (issue #16): by
 * default, from `.pglens.json` `sandbox.data` (row counts, a stats file, false), from the
 * CLI's flags; cached with the build; the note and the empty-table warning on every Explain.
 */
const MIGRATION = `
CREATE TABLE plans (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  plan_id integer NOT NULL REFERENCES plans,
  email text NOT NULL UNIQUE,
  status text NOT NULL CHECK (status IN ('active', 'trial', 'closed')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accounts_plan_idx ON accounts (plan_id);
CREATE TABLE events (
  id bigserial PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts,
  kind text NOT NULL,
  at timestamptz NOT NULL
);
`;

describe('Embedded sandbox data', function () {
  this.timeout(240_000);
  const cache = tempCacheDir();
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'pglens-sandbox-data-'));
  let conn: EmbeddedConnection | undefined;
  const progress: string[] = [];

  const open = (extra: Partial<EmbeddedConnectionOptions> = {}) =>
    createEmbeddedConnection({ workspaceRoot: workspace, cacheDir: cache.dir, ...sandboxWorker(), onProgress: (m) => progress.push(m), ...extra });
  const config = (value: unknown) => writeFileSync(path.join(workspace, '.pglens.json'), JSON.stringify(value));
  const count = async (table: string) => Number((await conn!.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`)).rows[0].n);
  const reopen = async (extra: Partial<EmbeddedConnectionOptions> = {}) => {
    await conn?.close();
    progress.length = 0;
    conn = open(extra);
    return conn.sandboxReport();
  };

  before(() => {
    mkdirSync(path.join(workspace, 'migrations'));
    writeFileSync(path.join(workspace, 'migrations', '001_init.sql'), MIGRATION);
  });
  after(async () => {
    await conn?.close();
    await cache.remove();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('fills every table after the migrations by default, keeping the constraints, and says so', async () => {
    const report = await reopen();
    assert.deepEqual(report.failed, []);
    const data = report.data!;
    assert.ok(data, 'a data report');
    assert.equal(data.source, 'defaults');
    assert.equal(data.error, undefined);
    assert.deepEqual(data.problems, []);
    assert.deepEqual(data.emptyTables, []);
    assert.equal(data.tables, 3);
    assert.ok((await count('accounts')) >= 10_000, 'an ordinary table gets thousands of rows');
    assert.ok((await count('plans')) <= 1000, 'a lookup table fewer');
    assert.equal(data.rows, (await count('plans')) + (await count('accounts')) + (await count('events')));
    // The generated database passes its own constraints.
    const orphans = await conn!.query<{ n: string }>(`SELECT count(*)::text AS n FROM events e LEFT JOIN accounts a ON a.id = e.account_id WHERE a.id IS NULL`);
    assert.equal(orphans.rows[0].n, '0');
    const statuses = await conn!.query<{ s: string }>(`SELECT DISTINCT status AS s FROM accounts ORDER BY 1`);
    assert.ok(statuses.rows.every((r) => ['active', 'trial', 'closed'].includes(r.s)));
    // Triggers and FK checks are on again for the session.
    const role = await conn!.query<{ r: string }>(`SELECT current_setting('session_replication_role') AS r`);
    assert.equal(role.rows[0].r, 'origin');
    assert.ok(progress.some((m) => /filling public\.accounts/.test(m)), progress.join('; '));
    const outcome = await explainStatement(conn!, `SELECT * FROM accounts WHERE email = 'x'`, { analyze: true, timeoutMs: 30_000 });
    assert.ok(
      outcome.result.notices.some((n) => /^sandbox data: generated, [\d,]+ rows in 3 table\(s\).*not production timings/.test(n)),
      outcome.result.notices.join('\n'),
    );
    assert.ok(!outcome.result.notices.some((n) => /is empty in the sandbox/.test(n)), outcome.result.notices.join("\n"));
  });

  it('starts warm from the filled build, without filling again', async () => {
    const first = conn!.report!;
    const rows = await count('accounts');
    const report = await reopen();
    assert.equal(report.fromCache, true);
    assert.equal(report.data?.rows, first.data?.rows);
    assert.equal(await count('accounts'), rows);
    assert.ok(!progress.some((m) => /filling/.test(m)), progress.join('; '));
    assert.ok(report.phases?.fill === undefined, JSON.stringify(report.phases));
    const names = readdirSync(cache.dir);
    assert.equal(names.filter((n) => n.startsWith('filled-')).length, 1, names.join(', '));
    assert.equal(names.filter((n) => n.startsWith('sandbox-')).length, 1, names.join(', '));
  });

  it('fills again from the cached migrations\' build when the data settings change, with the counts asked for', async () => {
    config({ sandbox: { data: { rows: { accounts: 3000, 'public.events': 500 }, seed: 7 } } });
    const report = await reopen();
    assert.equal(report.fromCache, true, 'the migrations are not replayed');
    assert.ok(report.phases?.replay === undefined && report.phases?.fill !== undefined, JSON.stringify(report.phases));
    assert.equal(await count('accounts'), 3000);
    assert.equal(await count('events'), 500);
  });

  it('follows a stats file: row counts at the scale asked for, most common values with their frequencies', async () => {
    const stats = {
      format: 1,
      tables: {
        'public.accounts': {
          rows: 40_000,
          columns: { status: { nullFrac: 0, nDistinct: 3, mcv: { values: ['active', 'closed', 'trial'], freqs: [0.8, 0.15, 0.05] } }, email: { nDistinct: -1, histogram: ['a@x', 'b@x', 'c@x'] } },
        },
        'public.events': {
          rows: 10_000,
          // `at` holds a date in a style the column cannot read: that column loses its values, not the table its plan.
          columns: { kind: { nullFrac: 0, mcvFreqs: [0.9, 0.1] }, gone: { nullFrac: 0.5 }, at: { nullFrac: 0, mcv: { values: ['31/12/2020 25:00'], freqs: [0.5] } } },
        },
        'public.no_longer_here': { rows: 5 },
      },
    };
    writeFileSync(path.join(workspace, 'stats.json'), JSON.stringify(stats));
    config({ sandbox: { data: { stats: 'stats.json', scale: 0.5 } } });
    const report = await reopen();
    const data = report.data!;
    assert.equal(data.source, 'stats');
    assert.equal(data.statsFile, 'stats.json');
    assert.equal(data.scale, 0.5);
    assert.deepEqual(data.problems, [], 'a unique column (email) is not drawn from its histogram: no duplicates dropped');
    assert.equal(await count('accounts'), 20_000);
    assert.equal(await count('events'), 5_000);
    const share = await conn!.query<{ s: string; f: number }>(`SELECT status AS s, count(*)::float8 / sum(count(*)) OVER () AS f FROM accounts GROUP BY 1 ORDER BY 2 DESC`);
    assert.equal(share.rows[0].s, 'active');
    assert.ok(Math.abs(share.rows[0].f - 0.8) < 0.03, JSON.stringify(share.rows));
    // Value-less most common values: invented, with their frequencies.
    const kinds = await conn!.query<{ f: number }>(`SELECT count(*)::float8 / sum(count(*)) OVER () AS f FROM events GROUP BY kind ORDER BY 1 DESC LIMIT 1`);
    assert.ok(Math.abs(kinds.rows[0].f - 0.9) < 0.03, JSON.stringify(kinds.rows));
    assert.ok(data.notes.some((n) => /1 table\(s\) not in this schema, ignored: public\.no_longer_here/.test(n)), data.notes.join('\n'));
    assert.ok(data.notes.some((n) => /column\(s\) not in this schema, ignored: public\.events\.gone/.test(n)), data.notes.join('\n'));
    assert.ok(data.notes.some((n) => /no statistics for 1 table\(s\), generated with the defaults: public\.plans/.test(n)), data.notes.join('\n'));
    assert.ok(data.notes.some((n) => /values the column's type cannot read, left out \(their frequencies kept\): public\.events\.at \(timestamp with time zone\)/.test(n)), data.notes.join('\n'));
    const at = await conn!.query<{ f: number }>(`SELECT count(*)::float8 / sum(count(*)) OVER () AS f FROM events GROUP BY at ORDER BY 1 DESC LIMIT 1`);
    assert.ok(Math.abs(at.rows[0].f - 0.5) < 0.03, `the frequency stays: ${JSON.stringify(at.rows)}`);
    const outcome = await explainStatement(conn!, `SELECT count(*) FROM accounts`, { analyze: false, timeoutMs: 30_000 });
    assert.ok(outcome.result.notices.some((n) => /^sandbox data: shaped by stats\.json at scale 0\.5/.test(n)), outcome.result.notices.join('\n'));
  });

  it('fills with the defaults when the stats file cannot be read, and says why', async () => {
    writeFileSync(path.join(workspace, 'stats.json'), '{ not json');
    const report = await reopen();
    const data = report.data!;
    assert.equal(data.source, 'defaults');
    assert.match(data.statsError ?? '', /the stats file stats\.json is not JSON.*filled with the default sizes instead/);
    assert.ok((await count('accounts')) > 0);
  });

  it('leaves the tables empty with sandbox.data false, and Explain says the table is empty', async () => {
    config({ sandbox: { data: false } });
    const report = await reopen();
    assert.equal(report.data, undefined);
    assert.equal(await count('accounts'), 0);
    const outcome = await explainStatement(conn!, `SELECT * FROM accounts a JOIN plans p ON p.id = a.plan_id`, { analyze: true, timeoutMs: 30_000 });
    const notes = outcome.result.notices.join('\n');
    assert.match(notes, /sandbox data: none generated \(sandbox\.data is false\)/);
    assert.match(notes, /table accounts is empty in the sandbox \(no data is generated: sandbox\.data is false, or --no-data\): this plan shows nothing/);
    assert.match(notes, /table plans is empty in the sandbox/);
  });

  it('takes the CLI\'s overrides over the config: --no-data, --scale', async () => {
    config({ sandbox: { data: { rows: { accounts: 1000, events: 100, plans: 10 } } } });
    let report = await reopen({ data: { enabled: false } });
    assert.equal(report.data, undefined);
    assert.equal(await count('accounts'), 0);
    report = await reopen({ data: { scale: 2 } });
    assert.equal(report.data?.scale, 2);
    assert.equal(await count('accounts'), 2000);
  });

  it('refuses bad data flags before anything starts, naming the flag and the next step', async () => {
    const run = async (argv: string[]) => {
      let stdout = '';
      let stderr = '';
      const ctx: CliContext = { cwd: workspace, env: {}, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) };
      try {
        const code = await explainCommand.run(parseArgs([...argv, '--embedded', 'SELECT 1'], explainCommand.flags), ctx);
        return { code, out: stdout + stderr };
      } catch (e) {
        return { code: 2, out: (e as Error).message };
      }
    };
    assert.match((await run(['--data', 'missing.json'])).out, /cannot read the stats file missing\.json: no such file — write one with `pglens stats export/);
    assert.match((await run(['--scale', '0'])).out, /--scale 0: give a number above 0 and at most 100/);
    assert.match((await run(['--scale', 'abc'])).out, /--scale abc: give a number/);
    assert.match((await run(['--scale', ' 0x10'])).out, /--scale  0x10: give a number/);
    assert.match((await run(['--no-data', '--scale', '2'])).out, /--no-data leaves the tables empty: it cannot be combined/);
    writeFileSync(path.join(workspace, 'not-stats.json'), '[1, 2]');
    assert.match((await run(['--data', 'not-stats.json'])).out, /not-stats\.json is not a pglens stats file \(no "tables" object\)/);
  });
});

/** What real migrations do that the fill must survive: session state, open transactions, seed rows, views. */
const HOSTILE = `
CREATE TABLE audit (id serial PRIMARY KEY, what text);
CREATE FUNCTION audit_fn() RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN INSERT INTO audit (what) VALUES ('policy ran'); RETURN true; END $$;
CREATE TABLE secrets (id bigint PRIMARY KEY, body text);
ALTER TABLE secrets ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON secrets USING (audit_fn());
CREATE TABLE users (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE);
INSERT INTO users (email) VALUES ('service@example.com'), ('deleted@example.com');
CREATE TABLE item_status (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
INSERT INTO item_status (name) VALUES ('new'), ('open'), ('blocked'), ('review'), ('done'), ('archived');
CREATE TABLE posts (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users, status_id int REFERENCES item_status, path text NOT NULL);
CREATE TABLE events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2020 PARTITION OF events FOR VALUES FROM ('2000-01-01') TO ('2100-01-01');
CREATE TABLE events_2200 PARTITION OF events FOR VALUES FROM ('2200-01-01') TO ('2300-01-01');
CREATE TABLE skipped (id int);
CREATE MATERIALIZED VIEW posts_per_user AS SELECT user_id, count(*) AS n FROM posts GROUP BY user_id;
CREATE ROLE app;
GRANT ALL ON ALL TABLES IN SCHEMA public TO app;
GRANT CREATE ON SCHEMA public TO app;
SET ROLE app;
SET standard_conforming_strings = off;
`;

describe('Embedded sandbox data: what real migrations leave behind', function () {
  this.timeout(240_000);
  const cache = tempCacheDir();
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'pglens-sandbox-data-hostile-'));
  let conn: EmbeddedConnection | undefined;
  const count = async (sql: string) => Number((await conn!.query<{ n: string }>(sql)).rows[0].n);

  before(() => {
    mkdirSync(path.join(workspace, 'migrations'));
    writeFileSync(path.join(workspace, 'migrations', '001_init.sql'), HOSTILE);
    writeFileSync(path.join(workspace, 'migrations', '002_forgot_commit.sql'), 'BEGIN;\nCREATE TABLE forgot_commit (id int);\n');
    writeFileSync(path.join(workspace, 'stats.json'), JSON.stringify({ tables: { 'public.posts': { rows: 3000, columns: { path: { mcv: { values: ['C:\\temp\\', "it's"], freqs: [0.5, 0.3] } } } } } }));
    writeFileSync(path.join(workspace, '.pglens.json'), JSON.stringify({ sandbox: { data: { stats: 'stats.json', rows: { skipped: 0, users: 500 } } } }));
  });
  after(async () => {
    await conn?.close();
    await cache.remove();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('fills as a fresh superuser session: no role, no string setting, no open transaction of a migration reaches it', async () => {
    conn = createEmbeddedConnection({ workspaceRoot: workspace, cacheDir: cache.dir, ...sandboxWorker() });
    const report = await conn.sandboxReport();
    assert.deepEqual(
      report.failed.map((f) => `${f.file}:${f.line}: ${f.message}`),
      ['migrations/002_forgot_commit.sql:1: the migration leaves a transaction open (BEGIN without COMMIT), so the sandbox rolled it back — add the COMMIT'],
    );
    assert.equal(await count(`SELECT count(*)::text AS n FROM audit WHERE what = 'policy ran'`), 0, 'the row-level security policy never ran');
    assert.ok((await count(`SELECT count(*)::text AS n FROM secrets`)) > 0);
    assert.deepEqual(report.data!.problems, [], JSON.stringify(report.data!.problems));
    // The stats' values, backslashes and quotes included, came through as written.
    const paths = await conn.query<{ path: string; n: string }>(`SELECT path, count(*)::text AS n FROM posts GROUP BY 1 ORDER BY count(*) DESC LIMIT 2`);
    assert.deepEqual(paths.rows.map((r) => r.path), ['C:\\temp\\', "it's"]);
    const who = await conn.query<{ u: string; s: string }>(`SELECT current_user AS u, current_setting('standard_conforming_strings') AS s`);
    assert.equal(who.rows[0].s, 'on');
  });

  it('adds rows next to a few seed rows, so the rest does not hang off them, and says so', async () => {
    const report = conn!.report!;
    assert.equal(await count(`SELECT count(*)::text AS n FROM users`), 500);
    assert.equal(await count(`SELECT count(*)::text AS n FROM users WHERE email = 'service@example.com'`), 1);
    const top = await count(`SELECT max(n)::text AS n FROM (SELECT count(*) AS n FROM posts GROUP BY user_id) x`);
    assert.ok(top < 0.2 * 3000, `the busiest user has ${top} of 3,000 posts`);
    assert.ok(report.data!.notes.includes('public.users: 2 row(s) from the migrations, 498 generated next to them'), report.data!.notes.join('\n'));
    // Six statuses are reference data the migration seeded on purpose: kept as they are.
    assert.equal(await count(`SELECT count(*)::text AS n FROM item_status`), 6);
    assert.equal(report.data!.keptRows, 8);
  });

  it('refreshes materialized views over the generated rows, and leaves a table asked for 0 rows empty without calling it a problem', async () => {
    assert.ok((await count(`SELECT count(*)::text AS n FROM posts_per_user`)) > 0);
    assert.equal(await count(`SELECT count(*)::text AS n FROM skipped`), 0);
    assert.ok(!conn!.report!.data!.problems.some((p) => p.table === 'public.skipped'));
  });

  it('says a partition is empty only when its whole tree is, and names empty tables', async () => {
    const notes = async (sql: string) => (await explainStatement(conn!, sql, { analyze: false, timeoutMs: 30_000 })).result.notices.join('\n');
    assert.doesNotMatch(await notes(`SELECT * FROM events_2200`), /is empty in the sandbox/);
    assert.match(await notes(`SELECT * FROM skipped`), /table skipped is empty in the sandbox \(nothing was generated for it\)/);
  });

  it('reports a stats file it cannot read, with a cache entry of its own', async () => {
    writeFileSync(path.join(workspace, '.pglens.json'), JSON.stringify({ sandbox: { data: { stats: 'missing.json' } } }));
    await conn!.close();
    conn = createEmbeddedConnection({ workspaceRoot: workspace, cacheDir: cache.dir, ...sandboxWorker() });
    const report = await conn.sandboxReport();
    assert.equal(report.fromCache, true, 'the migrations come from the cache');
    assert.ok(report.phases?.fill !== undefined, 'but the data is filled anew');
    assert.match(report.data!.statsError ?? '', /^cannot read the stats file missing\.json: no such file — .*: filled with the default sizes instead$/);
    assert.match(sandboxDataNote(report.data), /^sandbox data: generated \(the stats file could not be read\)/);
  });
});

describe('Embedded sandbox data: a table the generator cannot fill', function () {
  this.timeout(240_000);
  const cache = tempCacheDir();
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'pglens-sandbox-data-unfilled-'));
  let conn: EmbeddedConnection | undefined;

  before(() => {
    mkdirSync(path.join(workspace, 'migrations'));
    // No generated code passes this CHECK: every attempt (thousands of rows, then fewer) fails.
    writeFileSync(
      path.join(workspace, 'migrations', '001_init.sql'),
      `CREATE TABLE vouchers (id bigint PRIMARY KEY, code text NOT NULL, CONSTRAINT code_signed CHECK (md5(code) = '0'));
       CREATE INDEX vouchers_code_idx ON vouchers (code);
       CREATE TABLE shops (id bigint PRIMARY KEY, name text NOT NULL);`,
    );
  });
  after(async () => {
    await conn?.close();
    await cache.remove();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('says the table is empty, and Explain Analyze shows no misestimate of rows that were never there', async () => {
    conn = createEmbeddedConnection({ workspaceRoot: workspace, cacheDir: cache.dir, ...sandboxWorker() });
    const report = await conn.sandboxReport();
    const problem = report.data!.problems.find((p) => p.table === 'public.vouchers');
    assert.equal(problem?.status, 'failed', JSON.stringify(report.data!.problems));
    assert.match(problem!.cause, /CHECK code_signed/);
    assert.deepEqual(report.data!.emptyTables, ['public.vouchers']);
    const outcome = await explainStatement(conn, `SELECT * FROM vouchers WHERE code <> 'x'`, { analyze: true, timeoutMs: 30_000 });
    const notes = outcome.result.notices.join('\n');
    assert.match(notes, /table vouchers is empty in the sandbox \(the generator could not fill it: .*CHECK code_signed/, notes);
    // The failed attempts' rows are gone and the planner knows the table holds none: no "estimated
    // at 2,000 rows, returned 0" on top of the note that says why.
    assert.deepEqual(outcome.report.findings.filter((f) => f.ruleId === 'misestimate').map((f) => f.message), []);
    assert.equal(outcome.report.root.planRows, 1);
    // A filled table next to it: no such note.
    const shops = await explainStatement(conn, `SELECT * FROM shops`, { analyze: false, timeoutMs: 30_000 });
    assert.ok(!shops.result.notices.some((n) => /is empty/.test(n)), shops.result.notices.join('\n'));
  });
});
