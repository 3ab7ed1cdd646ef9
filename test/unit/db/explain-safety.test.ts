import * as assert from 'node:assert/strict';
import { classifyForExplain } from '../../../src/core/db/explain-safety';

describe('classifyForExplain', () => {
  const analyzable = [
    'SELECT 1',
    'VALUES (1), (2)',
    'INSERT INTO t VALUES (1)',
    "UPDATE t SET a = 1 WHERE b = 'x'",
    'DELETE FROM t',
    'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE',
    'CREATE TABLE t2 AS SELECT * FROM t',
    'DECLARE c CURSOR FOR SELECT 1',
    'WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d',
    'SELECT * FROM t FOR UPDATE',
  ];
  for (const sql of analyzable) {
    it(`allows EXPLAIN and ANALYZE of: ${sql}`, async () => {
      const r = await classifyForExplain(sql);
      assert.equal(r.explainAllowed, true, r.reason);
      assert.equal(r.analyzeAllowed, true, r.reason);
      assert.equal(r.reason, undefined);
    });
  }

  const refusedBoth: [string, RegExp][] = [
    ['CREATE INDEX CONCURRENTLY i ON t (a)', /CONCURRENTLY cannot run inside a transaction block/],
    ['CREATE INDEX i ON t (a)', /CREATE INDEX has no plan/],
    ['VACUUM t', /VACUUM cannot run inside a transaction block/],
    ['ANALYZE t', /ANALYZE \(statistics collection\) has no plan/],
    ["ALTER SYSTEM SET work_mem = '1GB'", /ALTER SYSTEM/],
    ['DROP DATABASE d', /DROP DATABASE cannot run/],
    ['CREATE DATABASE d', /CREATE DATABASE cannot run/],
    ['BEGIN', /transaction control/],
    ['COMMIT', /transaction control/],
    ['ROLLBACK', /transaction control/],
    ['SAVEPOINT a', /transaction control/],
    ["COPY t TO PROGRAM 'gzip > /tmp/x'", /PROGRAM runs a shell command/],
    ["COPY t FROM PROGRAM 'cat'", /PROGRAM runs a shell command/],
    ['COPY t TO STDOUT', /COPY has no plan/],
    ['SELECT 1; SELECT 2', /2 statements were given/],
    ['ALTER TABLE t ADD COLUMN c int', /ALTER TABLE has no plan/],
    ['CREATE TABLE t (a int)', /CREATE has no plan|CREATE TABLE has no plan/],
    ['EXPLAIN SELECT 1', /already an EXPLAIN/],
    ['REFRESH MATERIALIZED VIEW m', /REFRESH MATERIALIZED VIEW has no plan/],
    ['CALL p()', /CALL has no plan/],
    ['  -- only a comment\n', /no statement/],
  ];
  for (const [sql, reason] of refusedBoth) {
    it(`refuses EXPLAIN and ANALYZE of: ${sql.trim()}`, async () => {
      const r = await classifyForExplain(sql);
      assert.equal(r.explainAllowed, false);
      assert.equal(r.analyzeAllowed, false);
      assert.match(r.reason ?? '', reason);
    });
  }

  it('allows plain EXPLAIN of EXECUTE but not ANALYZE: the prepared text is not pglens\'s to inspect', async () => {
    const r = await classifyForExplain('EXECUTE my_plan(1)');
    assert.equal(r.explainAllowed, true);
    assert.equal(r.analyzeAllowed, false);
    assert.match(r.reason ?? '', /prepared statement/);
  });

  const writing: [string, boolean][] = [
    ['SELECT * FROM t', false],
    ['SELECT nextval(\'s\')', false],
    ['INSERT INTO t VALUES (1)', true],
    ['WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', true],
    ['SELECT * FROM t FOR SHARE', true],
    ['SELECT * FROM (SELECT * FROM t FOR UPDATE) s', true],
    ['SELECT 1 INTO new_table', true],
    ['CREATE TABLE t2 AS SELECT 1', true],
    ['DECLARE c CURSOR FOR SELECT * FROM t FOR UPDATE', true],
  ];
  for (const [sql, expected] of writing) {
    it(`${expected ? 'writes' : 'does not write'} (ANALYZE ${expected ? 'read-write' : 'READ ONLY'}): ${sql}`, async () => {
      assert.equal((await classifyForExplain(sql)).writes, expected);
    });
  }

  it('reports the statement without its semicolon, its offset and its highest parameter', async () => {
    const sql = '\n  -- find one\n  SELECT * FROM t WHERE a = $1 AND b = $3;  ';
    const r = await classifyForExplain(sql);
    assert.equal(r.statement, 'SELECT * FROM t WHERE a = $1 AND b = $3');
    assert.equal(r.statementOffset, sql.indexOf('SELECT'));
    assert.equal(r.paramCount, 3);
    assert.equal(r.kind, 'SelectStmt');
  });

  it('reports a syntax error with its character offset, also after multi-byte text', async () => {
    const sql = "SELECT 'ééé' AS x FROMM t";
    const r = await classifyForExplain(sql);
    assert.equal(r.explainAllowed, false);
    assert.ok(r.syntaxError);
    assert.equal(r.syntaxError.position, sql.indexOf('FROMM'));
  });
});
