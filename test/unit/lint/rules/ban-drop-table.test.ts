import { rule } from '../../../../src/core/lint/rules/ban-drop-table';
import { runRuleTests } from '../rule-tester';

runRuleTests(rule, {
  valid: [
    { name: 'table created in the same file', code: 'CREATE TABLE tmp (a int);\nDROP TABLE tmp;' },
    'DROP INDEX CONCURRENTLY i;',
  ],
  invalid: [
    { setup: 'CREATE TABLE users (id int);', code: 'DROP TABLE users;', errors: [{ message: 'users', line: 1, column: 12, endColumn: 17 }] },
    { code: 'DROP TABLE IF EXISTS a, app.b CASCADE;', errors: [{ column: 22 }, { column: 25, endColumn: 30, message: 'app.b' }] },
  ],
});
