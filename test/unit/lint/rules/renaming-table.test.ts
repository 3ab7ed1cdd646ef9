import { rule } from '../../../../src/core/lint/rules/renaming-table';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id bigint PRIMARY KEY);';

runRuleTests(rule, {
  valid: [
    { name: 'table created in the same file', code: 'CREATE TABLE t (a int);\nALTER TABLE t RENAME TO u;' },
    { setup, code: 'ALTER TABLE users RENAME COLUMN id TO user_id;' },
  ],
  invalid: [
    { setup, code: 'ALTER TABLE users RENAME TO accounts;', errors: [{ message: 'relation does not exist', line: 1, column: 19, endColumn: 37 }] },
    { name: 'renamed twice: the second rename is of a table created... in an earlier file', setup, code: 'ALTER TABLE IF EXISTS users RENAME TO people;', errors: [{ message: 'users to people' }] },
  ],
});
