import { rule } from '../../../../src/core/lint/rules/renaming-column';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id bigint PRIMARY KEY, mail text);';

runRuleTests(rule, {
  valid: [
    { name: 'table created in the same file', code: 'CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;' },
    { setup, code: 'ALTER TABLE users RENAME TO accounts;' },
    { setup, code: 'ALTER INDEX users_pkey RENAME TO users_pk;' },
  ],
  invalid: [
    { setup, code: 'ALTER TABLE users RENAME COLUMN mail TO email;', errors: [{ message: 'column does not exist', line: 1, column: 19, endColumn: 46 }] },
    { setup, code: 'ALTER TABLE users RENAME mail TO email;', errors: [{ message: 'users.mail to email' }] },
  ],
});
