import { rule } from '../../../../src/core/lint/rules/ban-drop-column';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id bigint PRIMARY KEY, legacy text, other text);';

runRuleTests(rule, {
  valid: [
    { name: 'table created in the same file', code: 'CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;' },
    { setup, code: 'ALTER TABLE users ADD COLUMN x int;' },
  ],
  invalid: [
    { setup, code: 'ALTER TABLE users DROP COLUMN legacy;', errors: [{ message: 'Dropping column legacy', line: 1, column: 19, endColumn: 37 }] },
    { setup, code: 'ALTER TABLE users DROP COLUMN IF EXISTS legacy, DROP other;', errors: [{ column: 19 }, { column: 49, message: 'other' }] },
  ],
});
