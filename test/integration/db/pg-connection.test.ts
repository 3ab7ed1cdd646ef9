import * as assert from 'node:assert/strict';
import { PgConnection } from '../../../src/core/db/pg-connection';
import { isPglensError } from '../../../src/core/errors';
import { describeConnectionContract } from './connection-contract';
import { describeExplainSafety } from './explain-safety-contract';
import { describeCallAnalysis } from './call-analysis-contract';
import { Client } from 'pg';
import { requireServer, serverConfig, uniqueName } from './test-env';

const create = async (ctx: Mocha.Context) => {
  await requireServer(ctx);
  return new PgConnection(serverConfig());
};

describeConnectionContract('PgConnection (real server)', { create, longQuery: 'SELECT pg_sleep(60)', startTimeoutMs: 20_000 });
describeExplainSafety('PgConnection (real server)', { create, startTimeoutMs: 20_000 });
describeCallAnalysis('PgConnection (real server)', { create, startTimeoutMs: 20_000 });

describe('PgConnection errors', function () {
  before(async function () {
    await requireServer(this);
  });

  it('maps a refused connection to a one-line cause with the next step', async () => {
    const conn = new PgConnection({ host: '127.0.0.1', port: 1, user: 'postgres', database: 'test' });
    await assert.rejects(conn.query('SELECT 1'), (e: unknown) => {
      assert.ok(isPglensError(e));
      assert.equal(e.code, 'connection-refused');
      assert.match(e.message, /could not connect to 127\.0\.0\.1:1\/test: connection refused — is the server running\? check host\/port/);
      return true;
    });
    await conn.close();
  });

  it('maps an unknown database', async () => {
    const conn = new PgConnection({ ...serverConfig(), connectionString: undefined, database: 'pglens_no_such_db' });
    await assert.rejects(conn.query('SELECT 1'), (e: unknown) => isPglensError(e) && e.code === 'unknown-database' && /pglens_no_such_db/.test(e.message));
    await conn.close();
  });

  it('never puts the password in its label or errors', async () => {
    const conn = new PgConnection({ connectionString: 'postgresql://someone:hunter2secret@127.0.0.1:1/test' });
    assert.doesNotMatch(conn.label, /hunter2secret/);
    await assert.rejects(conn.query('SELECT 1'), (e: unknown) => isPglensError(e) && !/hunter2secret/.test(e.message));
    await conn.close();
  });

  it('applies statementTimeoutMs to every statement of its session (the CLI\'s --timeout)', async () => {
    const conn = new PgConnection({ ...serverConfig(), statementTimeoutMs: 1500 });
    try {
      assert.equal((await conn.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0].statement_timeout, '1500ms');
      await assert.rejects(conn.query('SELECT pg_sleep(10)'), (e: unknown) => isPglensError(e) && e.code === 'timeout' && /ran longer than the statement timeout/.test(e.message));
    } finally {
      await conn.close();
    }
  });

  it('explains a generic plan (the $n stay parameters) through a prepared statement, on PostgreSQL 12+', async () => {
    const conn = new PgConnection(serverConfig());
    try {
      const r = await conn.explain('SELECT * FROM pg_class WHERE oid = $1', { analyze: false, timeoutMs: 10_000, genericPlan: true });
      assert.match(JSON.stringify(r.plan), /\$1/);
      // The session reset ended the prepared statement with the Explain.
      const left = await conn.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements');
      assert.equal(left.rows[0].n, 0);
    } finally {
      await conn.close();
    }
  });

  it('asks for parameter values when a statement has $n and none were given', async () => {
    const conn = new PgConnection(serverConfig());
    try {
      await assert.rejects(conn.explain('SELECT * FROM pg_class WHERE oid = $1 AND relname = $2', { analyze: false, timeoutMs: 10_000, params: [1] }), (e: unknown) => isPglensError(e) && e.code === 'bad-input' && /\$1…\$2/.test(e.message));
    } finally {
      await conn.close();
    }
  });
});

describe('PgConnection: a statement that will not stop', function () {
  this.timeout(60_000);

  it('ends its session when it outlives the timeout (a function the user allowed catches query_canceled)', async function () {
    await requireServer(this);
    const s = uniqueName('pglens_stubborn');
    const conn = new PgConnection(serverConfig());
    const watcher = new Client(serverConfig());
    await watcher.connect();
    try {
      await conn.query(`CREATE SCHEMA ${s}`);
      await conn.query(`CREATE FUNCTION ${s}.stubborn() RETURNS int LANGUAGE plpgsql AS $$
        BEGIN LOOP BEGIN PERFORM pg_sleep(0.2); EXCEPTION WHEN query_canceled THEN NULL; END; END LOOP; END $$`);
      const started = Date.now();
      await assert.rejects(
        conn.explain(`SELECT ${s}.stubborn() AS ${s}`, { analyze: true, timeoutMs: 1000, allowFunctions: [`${s}.stubborn`] }),
        (e: unknown) => isPglensError(e) && e.code === 'timeout' && /ended its session/.test(e.message),
      );
      assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
      // pg_terminate_backend signals the backend; it leaves pg_stat_activity once it has exited,
      // which a loaded machine may take a moment to get to.
      let running = -1;
      for (let i = 0; i < 50 && running !== 0; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        const left = await watcher.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%' || $1 || '%'",
          [`${s}.stubborn`],
        );
        running = left.rows[0].n;
      }
      assert.equal(running, 0, 'the statement no longer runs on the server (5 s after its session was ended)');
      // The next call gets a fresh session.
      assert.equal((await conn.query<{ one: number }>('SELECT 1 AS one')).rows[0].one, 1);
    } finally {
      await conn.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => undefined);
      await conn.close();
      await watcher.end();
    }
  });
});
