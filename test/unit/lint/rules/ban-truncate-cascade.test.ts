import { rule } from '../../../../src/core/lint/rules/ban-truncate-cascade';
import { runRuleTests } from '../rule-tester';

runRuleTests(rule, {
  valid: ['TRUNCATE users;', 'TRUNCATE users, orders RESTRICT;', 'DROP TABLE t CASCADE;'],
  invalid: [
    { code: 'TRUNCATE users CASCADE;', errors: [{ message: 'empties every table that references', line: 1, column: 16, endColumn: 23 }] },
    { code: 'TRUNCATE TABLE a, b RESTART IDENTITY CASCADE;', errors: [{ column: 38 }] },
  ],
});
