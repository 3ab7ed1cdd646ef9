import { rule } from '../../../../src/core/lint/rules/ban-char-field';
import { runRuleTests } from '../rule-tester';

runRuleTests(rule, {
  valid: [
    'CREATE TABLE t (code varchar(2), name text);',
    'CREATE TABLE t (flag "char");',
    'CREATE TABLE t (a character varying(10), b char varying(3));',
    "SELECT 'a'::char(3);",
  ],
  invalid: [
    {
      code: 'CREATE TABLE countries (code char(2) PRIMARY KEY, name text);',
      errors: [{ message: /"code" is char\(2\): every value is blank-padded to 2 characters/, line: 1, column: 25, endColumn: 49 }],
      output: 'CREATE TABLE countries (code varchar(2) PRIMARY KEY, name text);',
    },
    {
      name: 'character(n) and bare char (which is char(1))',
      code: 'CREATE TABLE t (a CHARACTER(10), b char);',
      errors: [{ message: '"a" is char(10)', column: 17 }, { message: '"b" is char(1)', column: 34 }],
      output: 'CREATE TABLE t (a varchar(10), b varchar(1));',
    },
    {
      name: 'ADD COLUMN on an existing table',
      setup: 'CREATE TABLE t (id bigint);',
      code: 'ALTER TABLE t ADD COLUMN status bpchar(1) NOT NULL DEFAULT \'a\';',
      errors: [{ message: '"status" is char(1)', column: 26 }],
      output: 'ALTER TABLE t ADD COLUMN status varchar(1) NOT NULL DEFAULT \'a\';',
    },
  ],
});
