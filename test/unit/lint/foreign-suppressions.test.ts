import assert from 'node:assert/strict';
import { defaultConfig } from '../../../src/core/config';
import { lintMigrationSet } from '../../../src/core/lint/engine';
import { loadSqlParser } from '../../../src/core/sql/parse';

/** Markers other linters read (squawk, Atlas), honoured as pglens's own: the authors already reviewed those statements. */
describe('other linters\' suppressions', () => {
  before(() => loadSqlParser());
  const setup = { file: '001.sql', text: 'CREATE TABLE users (id bigint PRIMARY KEY, email text, nick text);\nCREATE TABLE old (id int);\n' };
  const rules = (text: string): string[] =>
    lintMigrationSet([setup, { file: '002.sql', text }], defaultConfig('/'))
      .filter((f) => f.file === '002.sql')
      .map((f) => `${f.range.start.line + 1}:${f.ruleId}`);

  it('squawk-ignore on the line above, with squawk\'s rule names', () => {
    const text = "SET lock_timeout = '1s';\n-- squawk-ignore ban-drop-column, renaming-column\nALTER TABLE users DROP COLUMN nick;\nALTER TABLE users RENAME COLUMN email TO mail;\n";
    assert.deepEqual(rules(text), ['4:renaming-column']);
  });

  it('squawk-ignore-file for the whole file, mapped to the pglens rule (require-timeout-settings → require-lock-timeout)', () => {
    assert.deepEqual(rules('-- squawk-ignore-file require-timeout-settings\nDROP TABLE old;\n'), ['2:ban-drop-table']);
  });

  it('atlas:nolint with codes silences their rules on the next statement; without codes, every rule there', () => {
    assert.deepEqual(rules("SET lock_timeout = '1s';\n-- atlas:nolint DS102\nDROP TABLE old;\nALTER TABLE users DROP COLUMN nick;\n"), ['4:ban-drop-column']);
    assert.deepEqual(rules("SET lock_timeout = '1s';\n-- atlas:nolint\nALTER TABLE users DROP COLUMN nick;\n"), []);
  });

  it('an unknown squawk rule or Atlas code silences nothing', () => {
    assert.deepEqual(rules("SET lock_timeout = '1s';\n-- squawk-ignore prefer-robust-stmts\n-- atlas:nolint MF101\nDROP TABLE old;\n"), ['4:ban-drop-table']);
  });
});
