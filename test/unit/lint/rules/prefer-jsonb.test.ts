import { rule } from '../../../../src/core/lint/rules/prefer-jsonb';
import { runRuleTests } from '../rule-tester';

runRuleTests(rule, {
  valid: [
    'CREATE TABLE t (payload jsonb NOT NULL);',
    "SELECT '{}'::json;",
    'CREATE TABLE t (json text, jsonish jsonb);',
  ],
  invalid: [
    {
      code: 'CREATE TABLE events (id bigint PRIMARY KEY, payload json NOT NULL);',
      errors: [{ message: /"payload" is json: .*GIN index.*use jsonb/, line: 1, column: 45, endColumn: 66 }],
      output: 'CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb NOT NULL);',
    },
    {
      name: 'array of json and ALTER COLUMN TYPE',
      setup: 'CREATE TABLE t (a text);',
      code: 'ALTER TABLE t ADD COLUMN b JSON[], ALTER COLUMN a TYPE json USING a::json;',
      errors: [{ message: '"b" is json', column: 26 }, { message: '"a" is json', column: 49 }],
      output: 'ALTER TABLE t ADD COLUMN b jsonb[], ALTER COLUMN a TYPE jsonb USING a::json;',
    },
    {
      name: 'schema-qualified type name',
      code: 'CREATE TABLE t (\n  doc pg_catalog.json\n);',
      errors: [{ message: '"doc" is json', line: 2, column: 3 }],
      output: 'CREATE TABLE t (\n  doc jsonb\n);',
    },
  ],
});
