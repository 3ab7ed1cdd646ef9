import { rule } from '../../../../src/core/lint/rules/ban-drop-database';
import { runRuleTests } from '../rule-tester';

runRuleTests(rule, {
  valid: ['DROP TABLE t;', 'DROP SCHEMA s;', 'CREATE DATABASE x;'],
  invalid: [
    { code: 'DROP DATABASE prod;', errors: [{ message: 'DROP DATABASE prod', line: 1, column: 1, endColumn: 19 }] },
    { code: 'SELECT 1;\nDROP DATABASE IF EXISTS "Old";', errors: [{ line: 2, message: 'Old' }] },
  ],
});
