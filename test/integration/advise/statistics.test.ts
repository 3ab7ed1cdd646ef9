import { strict as assert } from 'node:assert';
import { PGlite, type Results } from '@electric-sql/pglite';
import { verifyStatistics } from '../../../src/core/advise/statistics';
import type { Connection, ExplainOptions, QueryResult } from '../../../src/core/db/connection';
import { runExplain, type SqlSession } from '../../../src/core/db/explain-runner';
import { PgConnection } from '../../../src/core/db/pg-connection';
import { isPglensError } from '../../../src/core/errors';
import { explainStatement } from '../../../src/core/explain';
import { statisticsProposal } from '../../../src/core/plan/findings';
import { serverConfig } from '../db/test-env';

/**
 * Issue 21: a misestimate on correlated columns proposes CREATE STATISTICS, and on the sandbox
 * pglens tries it (created, analyzed, rolled back) and says whether the estimate improved.
 */
const SEED = `
  CREATE TABLE addresses (id int PRIMARY KEY, zip text NOT NULL, city text NOT NULL);
  INSERT INTO addresses SELECT i, lpad((i % 1000)::text, 5, '0'), 'city-' || (i % 1000) FROM generate_series(1, 100000) i;
  CREATE TABLE orders (id int PRIMARY KEY, status text NOT NULL, shipped_at timestamptz);
  INSERT INTO orders SELECT i, s, CASE WHEN s IN ('shipped','delivered') THEN timestamptz '2024-01-01' + i * interval '1 minute' END
    FROM (SELECT i, (ARRAY['pending','shipped','delivered','cancelled','refunded','pending','shipped'])[1 + i % 7] AS s FROM generate_series(1, 100000) i) x;
  CREATE INDEX orders_status_idx ON orders (status);
  ANALYZE;
`;

/** An in-process PGlite behind the Connection contract, with the shared explain runner: the sandbox without its child process. */
class InProcessSandbox implements Connection {
  readonly kind = 'embedded' as const;
  readonly label = 'PGlite (in process)';
  private notices: string[] = [];
  constructor(private readonly db: PGlite) {}
  private last(results: Results[]): { rows: Record<string, unknown>[] } {
    return { rows: (results.at(-1)?.rows ?? []) as Record<string, unknown>[] };
  }
  async query<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    if (!params || params.length === 0) {
      const r = (await this.db.exec(sql)).at(-1);
      return { rows: (r?.rows ?? []) as R[], fields: (r?.fields ?? []).map((f) => ({ name: f.name })), rowCount: r?.rows.length ?? 0 };
    }
    const r = await this.db.query<R>(sql, params);
    return { rows: r.rows, fields: r.fields.map((f) => ({ name: f.name })), rowCount: r.affectedRows ?? r.rows.length };
  }
  async queryOne<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    const r = await this.db.query<R>(sql, params ?? []);
    return { rows: r.rows, fields: r.fields.map((f) => ({ name: f.name })), rowCount: r.affectedRows ?? r.rows.length };
  }
  explain(sql: string, options: ExplainOptions) {
    const onNotice = (n: { message?: string }) => this.notices.push(n.message ?? String(n));
    const session: SqlSession = {
      run: async (text, params) => (params && params.length > 0 ? this.db.query(text, params, { onNotice }) : this.last(await this.db.exec(text, { onNotice }))),
      runSingle: (text, params) => this.db.query(text, params, { onNotice }),
      versionNum: async () => Number(((await this.db.query<{ v: string }>('SHOW server_version_num')).rows[0] as unknown as { server_version_num: string }).server_version_num),
      takeNotices: () => this.notices.splice(0),
    };
    return runExplain(session, sql, options, { setStatementTimeout: false, errorContext: () => ({ target: this.label }) });
  }
  async cancel() {}
  async close() {
    await this.db.close();
  }
  async serverVersion() {
    return '18';
  }
}

describe('CREATE STATISTICS for a correlated-columns misestimate, verified on the sandbox', function () {
  this.timeout(120_000);
  let conn: InProcessSandbox;

  before(async () => {
    const db = new PGlite();
    await db.exec(SEED);
    conn = new InProcessSandbox(db);
  });
  after(() => conn?.close());

  const leftovers = async () => (await conn.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_statistic_ext')).rows[0].n;

  it('Explain Analyze on the sandbox: the statistics fix the estimate of two equal-moving columns, and the finding says so', async () => {
    const sql = "SELECT id FROM addresses WHERE zip = '00042' AND city = 'city-42'";
    const outcome = await explainStatement(conn, sql, { analyze: true, timeoutMs: 30_000 });
    const f = outcome.report.findings.find((x) => x.ruleId === 'misestimate');
    assert.ok(f, JSON.stringify(outcome.report.findings.map((x) => x.ruleId)));
    assert.equal(f.evidence.cause, 'correlated columns');
    assert.equal(f.evidence.statisticsVerified, 'improved', f.fix);
    assert.ok(Math.abs((f.evidence.estimateWithStatistics as number) - 100) <= 20, String(f.evidence.estimateWithStatistics));
    assert.match(f.fix, /^CREATE STATISTICS addresses_zip_city_stats \(dependencies\) ON zip, city FROM addresses; ANALYZE addresses; Verified on the sandbox \(created, analyzed and rolled back\): 1 → \d+ rows estimated, 100 returned\.$/);
    assert.equal(await leftovers(), 0, 'the statistics object was rolled back');
  });

  it('says when the statistics do not help (IS NOT NULL on a column with a value per row), instead of promising a fix', async () => {
    const sql = "SELECT count(*) FROM orders WHERE status = 'pending' AND shipped_at IS NOT NULL";
    const outcome = await explainStatement(conn, sql, { analyze: true, timeoutMs: 30_000 });
    const f = outcome.report.findings.find((x) => x.ruleId === 'misestimate');
    assert.ok(f, JSON.stringify(outcome.report.findings.map((x) => x.ruleId)));
    assert.equal(f.evidence.actualRows, 0);
    assert.equal(f.evidence.columns, 'status, shipped_at');
    console.log(`      PGlite: ${f.fix}`);
    if (f.evidence.statisticsVerified === 'improved') {
      assert.match(f.fix, /^CREATE STATISTICS orders_status_shipped_at_stats .* Verified on the sandbox/);
    } else {
      assert.equal(f.evidence.statisticsVerified, 'no better');
      assert.match(f.fix, /^ANALYZE orders; Tried on the sandbox \(created, analyzed and rolled back; \(dependencies, mcv\), \(dependencies\), \(mcv\)\): the estimate barely moves .*do not capture this correlation/);
    }
    assert.equal(await leftovers(), 0);
  });

  it('verifyStatistics works on parameters, and leaves the table statistics as they were', async () => {
    const before = (await conn.query<{ s: string }>("SELECT string_agg(attname || ':' || n_distinct, ',' ORDER BY attname) AS s FROM pg_stats WHERE tablename = 'addresses'")).rows[0].s;
    const outcome = await explainStatement(conn, 'SELECT id FROM addresses WHERE zip = $1 AND city = $2', { analyze: true, timeoutMs: 30_000, params: ['00042', 'city-42'], verifyStatistics: false });
    const f = outcome.report.findings.find((x) => x.ruleId === 'misestimate');
    assert.ok(f);
    assert.equal(f.evidence.statisticsVerified, undefined, 'verifyStatistics: false leaves the finding alone');
    const node = outcome.report.nodes[f.nodeId - 1];
    const proposal = statisticsProposal(node);
    assert.ok(proposal);
    const check = await verifyStatistics(conn, 'SELECT id FROM addresses WHERE zip = $1 AND city = $2', ['00042', 'city-42'], proposal, {
      relation: 'addresses',
      alias: node.alias,
      planRows: node.planRows,
      actualRows: node.actualRows ?? 0,
    });
    assert.equal(check.improved, true, check.summary);
    const after = (await conn.query<{ s: string }>("SELECT string_agg(attname || ':' || n_distinct, ',' ORDER BY attname) AS s FROM pg_stats WHERE tablename = 'addresses'")).rows[0].s;
    assert.equal(after, before);
    assert.equal(await leftovers(), 0);
  });

  it('is never tried on a server (ANALYZE would read the production table)', async () => {
    const server = new PgConnection(serverConfig());
    try {
      const proposal = {
        table: 'addresses',
        columns: ['zip', 'city'],
        name: 's',
        kinds: ['dependencies' as const],
        createStatistics: 'CREATE STATISTICS s (dependencies) ON zip, city FROM addresses;',
        analyze: 'ANALYZE addresses;',
      };
      await assert.rejects(
        verifyStatistics(server, 'SELECT 1', undefined, proposal, { relation: 'addresses', planRows: 1, actualRows: 100 }),
        (e: unknown) => isPglensError(e) && e.code === 'refused' && /only on the embedded sandbox/.test(e.message),
      );
    } finally {
      await server.close();
    }
  });
});
