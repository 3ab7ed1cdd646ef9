import { rule } from '../../../../src/core/lint/rules/prefer-timestamptz';
import { runRuleTests } from '../rule-tester';

runRuleTests(rule, {
  valid: [
    'CREATE TABLE t (created_at timestamptz NOT NULL DEFAULT now());',
    'CREATE TABLE t (a timestamp with time zone, b timestamptz(3), c date, d time);',
    "SELECT now()::timestamp, '2024-01-01'::timestamp;",
  ],
  invalid: [
    {
      code: 'CREATE TABLE t (\n  created_at timestamp NOT NULL DEFAULT now()\n);',
      errors: [{ message: /"created_at" is timestamp without time zone: .*use timestamptz/, line: 2, column: 3, endLine: 2, endColumn: 46 }],
      output: 'CREATE TABLE t (\n  created_at timestamptz NOT NULL DEFAULT now()\n);',
    },
    {
      name: 'precision and the long spelling are kept in the fix',
      code: 'CREATE TABLE t (a timestamp(3) without time zone, b TIMESTAMP WITHOUT TIME ZONE[]);',
      errors: [{ message: '"a"', column: 17 }, { message: '"b"', column: 51 }],
      output: 'CREATE TABLE t (a timestamptz(3), b timestamptz[]);',
    },
    {
      name: 'ADD COLUMN and ALTER COLUMN TYPE',
      setup: 'CREATE TABLE t (id bigint PRIMARY KEY, seen text);',
      code: 'ALTER TABLE t\n  ADD COLUMN updated_at pg_catalog.timestamp,\n  ALTER COLUMN seen SET DATA TYPE timestamp USING seen::timestamp;',
      errors: [
        { message: '"updated_at"', line: 2, column: 14 },
        { message: '"seen"', line: 3, column: 16 },
      ],
      output: 'ALTER TABLE t\n  ADD COLUMN updated_at timestamptz,\n  ALTER COLUMN seen SET DATA TYPE timestamptz USING seen::timestamp;',
    },
  ],
});
