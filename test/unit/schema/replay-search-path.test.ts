import assert from 'node:assert/strict';
import { loadSqlParser, parseSql } from '../../../src/core/sql/parse';
import { applyStatement, createReplayState, endPart, replayStatements, type ReplayState } from '../../../src/core/schema/replay';

/** Replays each text as a file of its own (a part: the runner's transaction around it ends with it). */
function replay(...files: string[]): ReplayState {
  const state = createReplayState();
  files.forEach((text, i) => replayStatements(parseSql(text).statements.map((statement) => ({ statement, file: `${i}.sql` })), state));
  return state;
}

/** Where each `CREATE TABLE t<n>` of the text landed, in order: the schema unqualified names resolved to there. */
function schemasOf(text: string, state = replay(text)): string[] {
  return [...state.schema.tables.values()].filter((t) => /^t\d+$/.test(t.name)).sort((a, b) => a.name.localeCompare(b.name)).map((t) => t.schema);
}

describe('schema replay: search_path and transactions', () => {
  before(() => loadSqlParser());

  const cases: Array<[name: string, sql: string, schemas: string[]]> = [
    ['a session SET lasts past COMMIT', 'BEGIN; SET search_path = app; CREATE TABLE t1 (); COMMIT; CREATE TABLE t2 ();', ['app', 'app']],
    ['SET LOCAL ends with COMMIT', 'BEGIN; SET LOCAL search_path = app; CREATE TABLE t1 (); COMMIT; CREATE TABLE t2 ();', ['app', 'public']],
    ['SET LOCAL ends with ROLLBACK (and ABORT, END)', 'BEGIN; SET LOCAL search_path = app; CREATE TABLE t1 (); ABORT; CREATE TABLE t2 (); START TRANSACTION; SET LOCAL search_path = b; END; CREATE TABLE t3 ();', ['app', 'public', 'public']],
    ['a session SET in a transaction rolled back is undone', 'SET search_path = x; BEGIN; SET search_path = app; CREATE TABLE t1 (); ROLLBACK; CREATE TABLE t2 ();', ['app', 'x']],
    ['COMMIT keeps the last session SET, not a later SET LOCAL', 'BEGIN; SET search_path = a; SET LOCAL search_path = b; CREATE TABLE t1 (); COMMIT; CREATE TABLE t2 ();', ['b', 'a']],
    ['ROLLBACK TO SAVEPOINT undoes what was set since; RELEASE keeps it', 'BEGIN; SET search_path = a; SAVEPOINT s; SET search_path = b; CREATE TABLE t1 (); ROLLBACK TO SAVEPOINT s; CREATE TABLE t2 (); SAVEPOINT r; SET search_path = c; RELEASE r; COMMIT; CREATE TABLE t3 ();', ['b', 'a', 'c']],
    ['RESET and SET … TO DEFAULT go back to public', 'SET search_path = a; CREATE TABLE t1 (); RESET search_path; CREATE TABLE t2 (); SET search_path = a; SET search_path TO DEFAULT; CREATE TABLE t3 ();', ['a', 'public', 'public']],
    ['"$user" first or an empty path changes nothing', "SET search_path = a; SET search_path = \"$user\", public; CREATE TABLE t1 (); SELECT pg_catalog.set_config('search_path', '', false); CREATE TABLE t2 ();", ['a', 'a']],
    ['set_config(…, false) lasts for the session', "SELECT set_config('search_path', 'app', false); CREATE TABLE t1 (); BEGIN; COMMIT; CREATE TABLE t2 ();", ['app', 'app']],
    ['pg_catalog.set_config(…, true) is transaction-local', "BEGIN; SELECT pg_catalog.set_config('search_path', 'app, public', true); CREATE TABLE t1 (); COMMIT; CREATE TABLE t2 ();", ['app', 'public']],
    ['set_config reads the path as Postgres does: quoted names kept, others lower-cased; casts and string booleans', "SELECT set_config('search_path'::text, '\"My App\", public', 'off'); CREATE TABLE t1 (); SELECT set_config('search_path', 'Other', false::boolean); CREATE TABLE t2 ();", ['My App', 'other']],
    ['set_config with arguments that are not literals, or over rows, is not followed', "SELECT set_config('search_path', current_setting('app.schema'), false); CREATE TABLE t1 (); SELECT set_config('search_path', name, false) FROM schemas; CREATE TABLE t2 (); SELECT set_config('search_path', 'a', is_local) ; CREATE TABLE t3 ();", ['public', 'public', 'public']],
    ['several calls in one target list, in order', "SELECT set_config('search_path', 'a', false), set_config('search_path', 'b', false); CREATE TABLE t1 ();", ['b']],
    ['a SET LOCAL outside a BEGIN lasts until the end of its file (the runner\'s transaction), not into the next', "SET LOCAL search_path = app; CREATE TABLE t1 ();", ['app']],
  ];
  for (const [name, sql, schemas] of cases) {
    it(name, () => assert.deepEqual(schemasOf(sql), schemas));
  }

  it('the runner\'s transaction ends with the part: a SET LOCAL in one file does not reach the next', () => {
    const state = replay('SET LOCAL search_path = app;\nCREATE TABLE t1 ();', 'CREATE TABLE t2 ();', 'SET search_path = b;', 'CREATE TABLE t3 ();');
    assert.deepEqual(schemasOf('', state), ['app', 'public', 'b']);
  });

  it('outside every transaction (an autocommit part) SET LOCAL does nothing; in the runner\'s it lasts until the part ends', () => {
    const run = (inTransaction: boolean): string[] => {
      const state = createReplayState();
      for (const statement of parseSql('SET LOCAL search_path = app; CREATE TABLE t1 (); SET search_path = x; BEGIN; SET LOCAL search_path = y; CREATE TABLE t2 (); COMMIT; CREATE TABLE t3 ();').statements) {
        applyStatement(state, statement, 'a.sql', { runnerTransaction: () => inTransaction });
      }
      endPart(state);
      return schemasOf('', state).concat(state.defaultSchema);
    };
    assert.deepEqual(run(false), ['public', 'y', 'x', 'x']);
    // In the runner's transaction the BEGIN only warns and its COMMIT commits the runner's transaction.
    assert.deepEqual(run(true), ['app', 'y', 'x', 'x']);
  });
});
