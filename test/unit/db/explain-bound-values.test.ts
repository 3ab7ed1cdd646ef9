import * as assert from 'node:assert/strict';
import { refuseUnclearedBoundValues, runExplain, type SqlSession } from '../../../src/core/db/explain-runner';
import { isPglensError } from '../../../src/core/errors';

/**
 * How plain EXPLAIN binds values for $n when a parameter's type is a domain (whose input runs
 * its CHECK constraints), against a scripted session: what pglens sends, in what order, and that
 * a value never becomes SQL text.
 */
interface Sent {
  sql: string;
  params?: unknown[];
}

interface BoundTypeRow {
  ord: number;
  declared: string;
  bound: string | null;
  domains: string[];
  bound_domains: boolean;
  text_cast: boolean;
}

function scripted(types: BoundTypeRow[], domainChecks: Record<string, unknown>[] = []): { session: SqlSession; sent: Sent[] } {
  const sent: Sent[] = [];
  const answer = (sql: string, params: unknown[] = []): Record<string, unknown>[] => {
    if (sql.includes('SHOW standard_conforming_strings')) return [{ standard_conforming_strings: 'on' }];
    if (sql.includes("current_setting('jit'")) return [{ jit: 'on' }];
    if (sql.includes('pg_get_function_identity_arguments')) {
      // The call analysis resolving names: app.side_effect is a LANGUAGE c function, which pglens cannot inspect.
      const wanted = JSON.parse(String(params[0])) as { i: number; name: string }[];
      return wanted
        .filter((w) => w.name === 'side_effect')
        .map((w) => ({ i: w.i, oid: '16600', schema: 'app', name: 'side_effect', vol: 'v', kind: 'f', lang: 'c', args: 'integer', builtin: false, ext: false, def: null, support: null, defaults: null, internal_of: null, rettype: '16' }));
    }
    if (sql.includes('pg_prepared_statements') && sql.includes('bound_domains')) return types as unknown as Record<string, unknown>[];
    if (sql.includes('co.contypid <> 0') && sql.includes('AS domain')) return domainChecks;
    if (sql.startsWith('EXPLAIN')) return [{ 'QUERY PLAN': [{ Plan: { 'Node Type': 'Result' } }] }];
    return [];
  };
  const session: SqlSession = {
    run: async (sql, params) => {
      sent.push({ sql, params });
      return { rows: answer(sql, params) };
    },
    runSingle: async (sql, params) => {
      sent.push({ sql, params });
      return { rows: answer(sql, params) };
    },
    versionNum: async () => 150000,
    takeNotices: () => [],
  };
  return { session, sent };
}

const env = { setStatementTimeout: true, errorContext: () => ({ target: 'test' }) };
const hostile = "5'); DELETE FROM t; --";

describe('runExplain with values for parameters of a domain type', () => {
  it('binds a domain parameter as its base type: EXECUTE of a statement prepared with it, the value read from a transaction-local setting', async () => {
    const { session, sent } = scripted([
      { ord: 1, declared: 'integer', bound: 'integer', domains: [], bound_domains: false, text_cast: false },
      { ord: 2, declared: 'app.positive', bound: 'integer', domains: ['16500'], bound_domains: false, text_cast: false },
      { ord: 3, declared: 'app.positive[]', bound: 'integer[]', domains: ['16500'], bound_domains: false, text_cast: false },
    ]);
    const r = await runExplain(session, 'INSERT INTO app.payments VALUES ($1, $2, $3)', { analyze: false, timeoutMs: 5000, params: ['1', hostile, null] }, env);
    const texts = sent.map((s) => s.sql);
    assert.ok(texts.some((t) => t === 'PREPARE pglens_probe (unknown, unknown, unknown) AS INSERT INTO app.payments VALUES ($1, $2, $3)'), texts.join('\n'));
    assert.ok(texts.some((t) => t === 'PREPARE pglens_bound (integer, integer, integer[]) AS INSERT INTO app.payments VALUES ($1, $2, $3)'), texts.join('\n'));
    const settings = sent.find((s) => s.sql.includes("set_config('pglens.param_1'"));
    assert.ok(settings, texts.join('\n'));
    assert.match(settings.sql, /set_config\('pglens\.param_2', \$2, true\)/);
    assert.match(settings.sql, /set_config\('plan_cache_mode', 'force_custom_plan', true\)/);
    assert.deepEqual(settings.params, ['1', hostile], 'the values travel as bound parameters; NULL needs none');
    const explain = texts.find((t) => t.startsWith('EXPLAIN'));
    assert.equal(
      explain,
      "EXPLAIN (FORMAT JSON, BUFFERS, SETTINGS) EXECUTE pglens_bound(CAST(pg_catalog.current_setting('pglens.param_1') AS integer), CAST(pg_catalog.current_setting('pglens.param_2') AS integer), NULL::integer[])",
    );
    assert.ok(!texts.some((t) => t.includes('DELETE FROM t')), 'a value never becomes SQL text');
    assert.ok(!sent.some((s) => s.sql.startsWith('EXPLAIN') && (s.params ?? []).length > 0), 'the domain is never bound as such');
    assert.match(r.notices[0], /\$2 app\.positive as integer, \$3 app\.positive\[\] as integer\[\]/);
    assert.match(texts[texts.length - 1], /^ROLLBACK; /);
  });

  it('explains a statement whose parameters hold no domain as before: the values bound to EXPLAIN itself, no note', async () => {
    const { session, sent } = scripted([{ ord: 1, declared: 'integer', bound: 'integer', domains: [], bound_domains: false, text_cast: false }]);
    const r = await runExplain(session, 'SELECT * FROM t WHERE id = $1', { analyze: false, timeoutMs: 5000, params: ['5'] }, env);
    const explain = sent.find((s) => s.sql.startsWith('EXPLAIN'));
    assert.deepEqual(explain, { sql: 'EXPLAIN (FORMAT JSON, BUFFERS, SETTINGS) SELECT * FROM t WHERE id = $1', params: ['5'] });
    assert.ok(!sent.some((s) => s.sql.includes('pglens_bound') || s.sql.includes("set_config('pglens.param")));
    assert.deepEqual(r.notices, []);
  });

  it('marks what the server said as a server NOTICE, so a function cannot forge pglens\'s own notes', async () => {
    const { session } = scripted([{ ord: 1, declared: 'integer', bound: 'integer', domains: [], bound_domains: false, text_cast: false }]);
    // Notices pending before the EXPLAIN are dropped; what its run said is the second take.
    let takes = 0;
    session.takeNotices = () => (takes++ === 0 ? [] : ['sandbox data: shaped by db/prod-stats.json, 48,000,000 rows']);
    const r = await runExplain(session, 'SELECT * FROM t WHERE id = $1', { analyze: false, timeoutMs: 5000, params: ['5'] }, env);
    assert.deepEqual(r.notices, ['NOTICE: sandbox data: shaped by db/prod-stats.json, 48,000,000 rows']);
  });

  const checked: [string, BoundTypeRow, boolean][] = [
    ['a composite holding a domain', { ord: 1, declared: 'app.pair', bound: 'app.pair', domains: ['16500'], bound_domains: true, text_cast: false }, false],
    ['an array of a domain over an array', { ord: 1, declared: 'app.boxes[]', bound: null, domains: ['16501'], bound_domains: false, text_cast: false }, false],
    ['a base type a user function casts text to', { ord: 1, declared: 'app.positive_tag', bound: 'app.tag', domains: ['16502'], bound_domains: false, text_cast: true }, false],
    ['EXPLAIN ANALYZE of a plain domain', { ord: 1, declared: 'app.positive', bound: 'integer', domains: ['16500'], bound_domains: false, text_cast: false }, true],
  ];
  for (const [label, row, analyze] of checked) {
    it(`${label}: the domain's CHECKs are checked as code that runs, and refused when they reach an unverified function`, async () => {
      const { session, sent } = scripted([row], [{ name: 'positive_check', domain: 'app.positive', sql: 'SELECT app.side_effect(VALUE)' }]);
      await assert.rejects(runExplain(session, 'SELECT $1', { analyze, timeoutMs: 5000, params: ['5'] }, env), (e: unknown) => {
        assert.ok(isPglensError(e));
        assert.equal(e.code, 'refused');
        assert.match(e.message, /CHECK positive_check of domain app\.positive ← the value bound to \$1/);
        return true;
      });
      const lookup = sent.find((s) => s.sql.includes('co.contypid <> 0'));
      assert.deepEqual(lookup?.params, [JSON.stringify(row.domains)]);
      assert.ok(!sent.some((s) => s.sql.startsWith('EXPLAIN')), 'nothing was explained');
    });
  }

  it('a domain CHECK reaching an unverified function the user allows: the values are bound as before', async () => {
    const { session, sent } = scripted(
      [{ ord: 1, declared: 'app.pair', bound: 'app.pair', domains: ['16500'], bound_domains: true, text_cast: false }],
      [{ name: 'positive_check', domain: 'app.positive', sql: 'SELECT app.side_effect(VALUE)' }],
    );
    await runExplain(session, 'SELECT $1', { analyze: false, timeoutMs: 5000, params: ['(5)'], allowFunctions: ['app.side_effect'] }, env);
    assert.deepEqual(sent.find((s) => s.sql.startsWith('EXPLAIN')), { sql: 'EXPLAIN (FORMAT JSON, BUFFERS, SETTINGS) SELECT $1', params: ['(5)'] });
  });

  it('CREATE TABLE AS, which PREPARE does not take: every domain is checked, without a probe', async () => {
    const { session, sent } = scripted([], [{ name: 'positive_check', domain: 'app.positive', sql: 'SELECT app.side_effect(VALUE)' }]);
    await assert.rejects(runExplain(session, 'CREATE TABLE c AS SELECT $1 AS a', { analyze: false, timeoutMs: 5000, params: ['5'] }, env), (e: unknown) => isPglensError(e) && e.code === 'refused');
    assert.ok(!sent.some((s) => s.sql.startsWith('PREPARE')));
    assert.deepEqual(sent.find((s) => s.sql.includes('co.contypid <> 0'))?.params, [null]);
  });

  describe('refuseUnclearedBoundValues, for code that binds values itself (index advisor, statistics)', () => {
    const single = (session: SqlSession) => async (sql: string, params: unknown[]) => (await session.runSingle(sql, params)).rows;

    it('lets values without domains through and deallocates its probe', async () => {
      const { session, sent } = scripted([{ ord: 1, declared: 'integer', bound: 'integer', domains: [], bound_domains: false, text_cast: false }]);
      await refuseUnclearedBoundValues(single(session), { statement: 'SELECT * FROM t WHERE id = $1', kind: 'SelectStmt', paramCount: 1 }, ['5'], { analyze: false });
      assert.deepEqual(
        sent.map((s) => s.sql.split('\n')[0]),
        [
          'PREPARE pglens_probe (unknown) AS SELECT * FROM t WHERE id = $1',
          // The types query runs with JIT off (its estimates pass jit_above_cost), the setting put back after.
          "SELECT pg_catalog.current_setting('jit', true) AS jit",
          "SELECT pg_catalog.set_config('jit', 'off', true)",
          'WITH RECURSIVE p AS (',
          "SELECT pg_catalog.set_config('jit', $1, true)",
          'DEALLOCATE pglens_probe',
        ],
      );
    });

    it('checks the CHECKs of a plain domain too (the caller binds it as such), and still deallocates', async () => {
      const { session, sent } = scripted(
        [{ ord: 1, declared: 'app.positive', bound: 'integer', domains: ['16500'], bound_domains: false, text_cast: false }],
        [{ name: 'positive_check', domain: 'app.positive', sql: 'SELECT app.side_effect(VALUE)' }],
      );
      await assert.rejects(
        refuseUnclearedBoundValues(single(session), { statement: 'UPDATE t SET amount = $1', kind: 'UpdateStmt', paramCount: 1 }, ['5'], { analyze: false }),
        (e: unknown) => isPglensError(e) && e.code === 'refused' && /app\.side_effect/.test(e.message),
      );
      assert.equal(sent[sent.length - 1].sql, 'DEALLOCATE pglens_probe');
      assert.ok(!sent.some((s) => s.sql.includes('pglens_bound')));
    });

    it('does nothing without values', async () => {
      const { session, sent } = scripted([]);
      await refuseUnclearedBoundValues(single(session), { statement: 'SELECT 1', kind: 'SelectStmt', paramCount: 0 }, [], { analyze: false });
      assert.deepEqual(sent, []);
    });
  });
});
