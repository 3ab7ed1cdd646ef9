import * as assert from 'node:assert/strict';
import { assignmentParts, callRefusal, collectRefs, type CallAnalysis, type ReachedFunction } from '../../../src/core/db/call-analysis';
import { loadSqlParser } from '../../../src/core/sql/parse';
import { parseStatements } from '../../../src/core/sql/parse-statements';

describe('collectRefs: what a statement names, before anything is resolved', () => {
  before(() => loadSqlParser());
  const refs = (sql: string) => collectRefs(parseStatements(sql)[0].node);
  const names = (list: { schema?: string; name: string }[]) => list.map((r) => (r.schema ? `${r.schema}.${r.name}` : r.name)).sort();

  const table: [string, Partial<Record<'functions' | 'attributes' | 'operators' | 'types' | 'reads' | 'writes', string[]>>][] = [
    ['SELECT lower(v), app.f(1) FROM t', { functions: ['app.f', 'lower'], reads: ['t'] }],
    ['SELECT (pid).pg_terminate_backend FROM pg_stat_activity', { attributes: ['pg_terminate_backend'], reads: ['pg_stat_activity'] }],
    ["SELECT ('t'::regclass::oid).pg_stat_reset_single_table_counters", { attributes: ['pg_stat_reset_single_table_counters'], types: ['oid', 'regclass'] }],
    ['SELECT t.f FROM t', { attributes: ['f'], reads: ['t'] }],
    ['SELECT 1 WHERE 1 OPERATOR(app.===) 2', { operators: ['app.==='] }],
    ['SELECT * FROM t TABLESAMPLE system (10)', { functions: ['system'], reads: ['t'] }],
    ['WITH d AS (DELETE FROM app.a RETURNING *) INSERT INTO b SELECT * FROM d', { writes: ['app.a', 'b'], reads: ['d'] }],
    ['UPDATE a SET x = 1 FROM b WHERE a.id = b.id', { writes: ['a'], reads: ['b'] }],
    ['MERGE INTO a USING b ON a.id = b.id WHEN MATCHED THEN DELETE', { writes: ['a'], reads: ['b'] }],
    // PostgreSQL 18 syntax that a server before 16/17 reads as calls of user-definable functions.
    ["SELECT json_scalar(1), json_serialize('1'), json_object('a': 1), json_array(1)", { functions: ['json_array', 'json_object', 'json_scalar', 'json_serialize'] }],
    ["SELECT json_exists('1', '$'), json_value('1', '$'), json_query('1', '$')", { functions: ['json_exists', 'json_query', 'json_value'] }],
    ['MERGE INTO a USING b ON a.id = b.id WHEN MATCHED THEN UPDATE SET x = merge_action()', { functions: ['merge_action'], writes: ['a'], reads: ['b'] }],
    // Types the statement coerces values to, not only by a cast (their domain CHECKs run then).
    ['SELECT CAST($1 AS app.d1), $2::app.d2[]', { types: ['app.d1', 'app.d2'] }],
    ["SELECT * FROM json_to_record('{}') AS x(a app.d1), ROWS FROM (json_to_record('{}') AS (b app.d2)) AS y", { functions: ['json_to_record', 'json_to_record'], types: ['app.d1', 'app.d2'] }],
    ["SELECT * FROM XMLTABLE('/r' PASSING (x) COLUMNS a app.d1 PATH 'a') AS t", { types: ['app.d1'] }],
    ["SELECT * FROM JSON_TABLE(j, '$' COLUMNS (a app.d1 PATH '$.a')) AS t, t2", { types: ['app.d1'], reads: ['t2'] }],
    ["SELECT JSON_VALUE(j, '$.a' RETURNING app.d1), JSON_OBJECT('a': 1 RETURNING app.d2), XMLSERIALIZE(CONTENT x AS app.d3)", { types: ['app.d1', 'app.d2', 'app.d3'] }],
  ];
  for (const [sql, expected] of table) {
    it(sql, () => {
      const r = refs(sql);
      for (const [key, want] of Object.entries(expected)) assert.deepEqual(names(r[key as keyof typeof r]).filter((n) => n !== '='), want.sort(), key);
    });
  }
});

describe('assignmentParts: a PL/pgSQL assignment, value and target', () => {
  const table: [string, string[]][] = [
    ['x := f(1)', ['f(1)', 'x']],
    ['x = 1', ['1', 'x']],
    ['arr[g(i)] := 1', ['1', 'arr[g(i)]']],
    ["arr[h(a = b)] := ':='", ["':='", 'arr[h(a = b)]']],
    ['rec.field := now()', ['now()', 'rec.field']],
  ];
  for (const [text, parts] of table) it(text, () => assert.deepEqual(assignmentParts(text), parts));
});

describe('callRefusal: what the reached functions call for', () => {
  const f = (over: Partial<ReachedFunction>): ReachedFunction => ({
    signature: 'app.f()',
    schema: 'app',
    name: 'f',
    volatility: 'volatile',
    why: 'it runs dynamic SQL (EXECUTE), which pglens cannot inspect',
    via: 'the statement',
    planTime: false,
    ...over,
  });
  const calls = (over: Partial<CallAnalysis>): CallAnalysis => ({ forbidden: [], unverified: [], foreignTables: [], ...over });

  it('refuses ANALYZE of a forbidden call and points to plain Explain when planning would not run it', () => {
    const e = callRefusal(calls({ forbidden: [f({ schema: 'pg_catalog', name: 'setval', signature: 'pg_catalog.setval(regclass, bigint)', why: 'x' })] }), { analyze: true });
    assert.match(e?.message ?? '', /EXPLAIN ANALYZE would run pg_catalog\.setval/);
    assert.match(e?.hint ?? '', /plain Explain/);
    assert.equal(callRefusal(calls({ forbidden: [f({ name: 'setval' })] }), { analyze: false }), undefined);
  });

  it('refuses plain EXPLAIN only for what the planner may evaluate', () => {
    const stable = f({ volatility: 'stable', planTime: true });
    assert.deepEqual(callRefusal(calls({ unverified: [stable] }), { analyze: false })?.unverifiedFunctions, ['app.f']);
    assert.equal(callRefusal(calls({ unverified: [f({})] }), { analyze: false }), undefined);
  });

  it('lets the user allow an unverified function by schema.name or name, case-insensitively, but never a forbidden one', () => {
    const c = calls({ unverified: [f({})] });
    assert.equal(callRefusal(c, { analyze: true, allowFunctions: ['APP.F'] }), undefined);
    assert.equal(callRefusal(c, { analyze: true, allowFunctions: ['f'] }), undefined);
    assert.ok(callRefusal(c, { analyze: true, allowFunctions: ['other.f'] }));
    assert.ok(callRefusal(calls({ forbidden: [f({})] }), { analyze: true, allowFunctions: ['app.f'] }));
  });

  it('refuses ANALYZE of a statement that reaches a foreign table, not plain EXPLAIN', () => {
    assert.match(callRefusal(calls({ foreignTables: ['app.remote'] }), { analyze: true })?.message ?? '', /foreign table app\.remote/);
    assert.equal(callRefusal(calls({ foreignTables: ['app.remote'] }), { analyze: false }), undefined);
  });
});
