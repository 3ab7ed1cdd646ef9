import assert from 'node:assert/strict';
import { loadSqlParser, parseSql } from '../../../src/core/sql/parse';
import { applyStatement, createReplayState } from '../../../src/core/schema/replay';
import { SessionState, type SessionStateOptions } from '../../../src/core/schema/session-state';

/** The session as each statement of `sql` finds it (before it runs), and the boundary each one is. */
function follow(sql: string, options: Partial<SessionStateOptions> = {}) {
  const replay = createReplayState();
  const session = new SessionState({ partTransactional: () => options.transaction !== undefined && options.transaction !== 'none', searchPath: replay, ...options });
  return parseSql(sql).statements.map((statement) => {
    const seen = { inTransaction: session.inTransaction, lockTimeoutSet: session.lockTimeoutSet, timeZone: session.timeZone, searchPath: session.searchPath };
    const boundary = session.follow(statement);
    applyStatement(replay, statement, 'm.sql', { runnerTransaction: () => session.runnerTransactionOpen() });
    return { ...seen, boundary };
  });
}

describe('migration session state', () => {
  before(() => loadSqlParser());

  it('an explicit BEGIN … COMMIT: in a transaction between them, boundaries reported', () => {
    const s = follow('SELECT 1; BEGIN; SELECT 2; COMMIT; SELECT 3');
    assert.deepEqual(s.map((x) => x.inTransaction), [false, false, true, true, false]);
    assert.deepEqual(s.map((x) => x.boundary), [undefined, 'begin', undefined, 'end', undefined]);
  });

  it("a COMMIT outside a BEGIN ends the runner's transaction: what follows autocommits", () => {
    const s = follow('SELECT 1; COMMIT; SELECT 2', { transaction: 'per-migration' });
    assert.deepEqual(s.map((x) => x.inTransaction), [true, true, false]);
    assert.equal(s[1].boundary, 'runner-end');
  });

  it('lock_timeout: a session SET outlives COMMIT, SET LOCAL ends with it, ROLLBACK undoes both; 0 is unset', () => {
    assert.deepEqual(follow("BEGIN; SET lock_timeout = '5s'; COMMIT; SELECT 1").map((x) => x.lockTimeoutSet), [false, false, true, true]);
    assert.deepEqual(follow("BEGIN; SET LOCAL lock_timeout = '5s'; COMMIT; SELECT 1").map((x) => x.lockTimeoutSet), [false, false, true, false]);
    assert.deepEqual(follow("BEGIN; SET lock_timeout = '5s'; ROLLBACK; SELECT 1").map((x) => x.lockTimeoutSet), [false, false, true, false]);
    assert.deepEqual(follow("SELECT set_config('lock_timeout', '2s', false); SET lock_timeout = 0; SELECT 1").map((x) => x.lockTimeoutSet), [false, true, false]);
  });

  it('SET LOCAL lock_timeout in an autocommit part does nothing', () => {
    assert.deepEqual(follow("SET LOCAL lock_timeout = '5s'; SELECT 1", { transaction: 'none' }).map((x) => x.lockTimeoutSet), [false, false]);
  });

  it('TimeZone: SET LOCAL until COMMIT or ROLLBACK, then the session SET; RESET ALL clears it', () => {
    const s = follow("SET TimeZone = 'UTC'; BEGIN; SET LOCAL TimeZone = 'Europe/Paris'; COMMIT; RESET ALL; SELECT 1");
    assert.deepEqual(s.map((x) => x.timeZone), [undefined, 'UTC', 'UTC', 'Europe/Paris', 'UTC', undefined]);
  });

  it("search_path is the replay's, which asks the session whether the runner's transaction is open", () => {
    const s = follow('SET LOCAL search_path = app; COMMIT; SET LOCAL search_path = b; SELECT 1', { transaction: 'per-migration' });
    // After the runner's transaction ended, a SET LOCAL outside a transaction does nothing.
    assert.deepEqual(s.map((x) => x.searchPath), ['public', 'app', 'public', 'public']);
  });
});
