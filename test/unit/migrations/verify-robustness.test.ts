import * as assert from 'node:assert/strict';
import { withoutClientEncoding } from '../../../src/core/migrations/verify/apply';
import { PartWatchdog } from '../../../src/core/migrations/verify/child';
import { describeDifference } from '../../../src/core/migrations/verify/diff';
import { verdictFindings } from '../../../src/core/migrations/verify/findings';
import { checkServerUrl } from '../../../src/core/migrations/verify/server-url';
import { clusterWideStatements } from '../../../src/core/migrations/verify/targets';
import type { HungMigration, SchemaDifference } from '../../../src/core/migrations/verify/types';
import { isEmptyPart, type MigrationVerdict } from '../../../src/core/migrations/verify/verify';
import { loadSqlParser } from '../../../src/core/sql/parse';

/** Rollback verification (issue #15): what keeps it from hanging, misreading or misreporting. */

const range = ({ line }: { line: number }) => ({ start: { line: line - 1, character: 0 }, end: { line: line - 1, character: 0 }, startOffset: 0, endOffset: 0 });
const findings = (verdicts: MigrationVerdict[]) => verdictFindings(verdicts, { describe: describeDifference, lineRange: range });
const base = { id: '00002_users', runner: 'goose' as const, folder: 'db', up: { file: '00002_users.sql', line: 2 }, down: { file: '00002_users.sql', line: 5 } };
const left = (kind: SchemaDifference['kind'], name: string): SchemaDifference => ({ change: 'extra', kind, name, attributes: {} });

describe('rollback verification: an empty down', () => {
  before(() => loadSqlParser());

  it('a down of only comments, blanks and semicolons is empty; one statement is not', () => {
    assert.equal(isEmptyPart(''), true);
    assert.equal(isEmptyPart('\n-- nothing to undo\n/* really */ ;\n'), true);
    assert.equal(isEmptyPart("SELECT 'down';"), false);
  });

  it('is one finding, saying it undoes nothing, not a failure plus one finding per thing the up made', () => {
    const differences = [left('table', 'public.users'), left('index', 'users_name_idx'), left('type', 'public.mood'), left('function', 'public.f()')];
    const verdict: MigrationVerdict = {
      ...base,
      kind: 'reapply-fails',
      emptyDown: true,
      differences,
      dataLoss: [],
      failure: { message: 'relation "users" already exists', file: '00002_users.sql', line: 3 },
    };
    const out = findings([verdict]);
    assert.deepEqual(out.map((f) => [f.ruleId, f.range.start.line + 1]), [['rollback-fails', 5]]);
    assert.equal(
      out[0].message,
      'The down of 00002_users is empty: it undoes nothing — what the up changed stays (table public.users, index users_name_idx, type public.mood, and 1 more), and the up fails when applied again (relation "users" already exists).',
    );
    const incomplete = findings([{ ...verdict, kind: 'incomplete', failure: undefined, differences: differences.slice(0, 1) }]);
    assert.deepEqual(incomplete.map((f) => [f.ruleId, f.message]), [['rollback-incomplete', 'The down of 00002_users is empty: it undoes nothing — what the up changed stays (table public.users).']]);
    // An up that changes no schema (data only): an empty down has nothing to undo there.
    assert.deepEqual(findings([{ ...verdict, kind: 'verified', failure: undefined, differences: [] }]), []);
  });
});

describe('rollback verification: a part that runs too long', () => {
  it('is reported at the part, with the migration and the limit, as unverifiable', () => {
    const up = findings([{ ...base, kind: 'unverifiable', timedOut: { part: 'up', seconds: 60 }, reason: 'its up ran longer than 60 s and was stopped' }]);
    assert.deepEqual(up.map((f) => [f.ruleId, f.range.start.line + 1]), [['rollback-unverifiable', 2]]);
    assert.match(up[0].message, /^Cannot verify 00002_users or the migrations after it: its up ran longer than 60 s on an empty database and was stopped/);
    assert.doesNotMatch(up[0].message, /sandbox/);
    const down = findings([{ ...base, kind: 'unverifiable', timedOut: { part: 'down', seconds: 2.5 } }]);
    assert.deepEqual(down.map((f) => [f.ruleId, f.range.start.line + 1]), [['rollback-unverifiable', 5]]);
    assert.match(down[0].message, /^Cannot verify the down of 00002_users: it ran longer than 2\.5 s on an empty database and was stopped/);
  });

  it("the parent's watchdog counts from each part the child announces, and names the one that ran too long", async () => {
    const hung: HungMigration[] = [];
    const dog = new PartWatchdog(80, 60, (h) => hung.push(h));
    assert.equal(dog.line('verifying rollbacks: 25/300'), false);
    assert.equal(dog.line('@@pglens-part {"index":0,"folder":"db","id":"1_a","part":"up"}'), true);
    await new Promise((r) => setTimeout(r, 50));
    // The next part starts in time: the count starts again.
    dog.line('@@pglens-part {"index":0,"folder":"db","id":"1_a","part":"down"}');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(hung, []);
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(hung, [{ folder: 'db', id: '1_a', part: 'down', seconds: 60 }]);
    // Nothing runs any more: no count.
    dog.line('@@pglens-part {"index":1,"folder":"db","id":"2_b","part":"up"}');
    dog.line('@@pglens-part null');
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(hung.length, 1);
    dog.stop();
  });
});

describe('rollback verification: SET client_encoding', () => {
  it('is blanked out to SELECT 1 of the same length and lines; UTF-8 and DEFAULT are left as written', () => {
    const text = "SET client_encoding = 'LATIN1';\nCREATE TABLE café (id int);\nSET NAMES\n  'WIN1252';\nSET client_encoding TO 'UTF8';\nSET LOCAL client_encoding TO DEFAULT;\n";
    const { text: out, removed } = withoutClientEncoding(text);
    assert.equal(out.length, text.length);
    assert.equal(out.split('\n').length, text.split('\n').length);
    assert.equal(out, "SELECT 1                      ;\nCREATE TABLE café (id int);\nSELECT 1            \n;\nSET client_encoding TO 'UTF8';\nSET LOCAL client_encoding TO DEFAULT;\n");
    assert.deepEqual(removed.map((r) => r.statement), ["SET client_encoding = 'LATIN1'", "SET NAMES 'WIN1252'"]);
    const quoted = "SELECT 'SET client_encoding = ''LATIN1'';';\nCREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ SET client_encoding = 'LATIN1' $$;\n";
    assert.equal(withoutClientEncoding(quoted).text, quoted);
  });
});

describe('rollback verification: --db', () => {
  it('refuses an empty value and a URL of another database, naming the scheme and hiding the password', () => {
    assert.throws(() => checkServerUrl(''), /--db is empty — pass --db postgresql:\/\/.*or leave --db out/);
    assert.throws(() => checkServerUrl('  '), /--db is empty/);
    assert.throws(() => checkServerUrl('mysql://root:hunter2@db:3306/app'), (e: Error) => /--db must be a PostgreSQL URL \(postgresql:\/\/ or postgres:\/\/\), got a mysql: URL \(mysql:\/\/root:\*\*\*@db:3306\/app\)/.test(e.message) && !e.message.includes('hunter2'));
    assert.throws(() => checkServerUrl('localhost:5432'), /got a localhost: URL|got no URL/);
    checkServerUrl('postgresql://postgres@127.0.0.1:5432/postgres');
    checkServerUrl('postgres://u:p@h/db');
  });

  it('lets the sandbox setup create the roles migrations need; refuses them in migrations, and the rest of the server-wide statements in the setup', () => {
    const setup = { file: 'sandbox.setup', line: 0, text: 'CREATE ROLE app_reader;\nCREATE USER app_writer;\nCREATE USER MAPPING FOR app_reader SERVER s;\nALTER ROLE app_reader SET search_path = app;\n', setup: true };
    assert.deepEqual(clusterWideStatements([setup]), ['sandbox.setup:3 (CREATE USER)', 'sandbox.setup:4 (ALTER ROLE)']);
    assert.deepEqual(clusterWideStatements([{ file: '1_roles.sql', line: 0, text: 'CREATE ROLE app_reader;\n' }]), ['1_roles.sql:1 (CREATE ROLE)']);
  });
});
