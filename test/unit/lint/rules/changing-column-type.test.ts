import { rule } from '../../../../src/core/lint/rules/changing-column-type';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id integer PRIMARY KEY, name varchar(50), bio text, tags varchar(10)[]);';

runRuleTests(rule, {
  valid: [
    { setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(100);' },
    { setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE text;' },
    { setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE character varying;' },
    { setup, code: 'ALTER TABLE users ALTER COLUMN bio TYPE varchar;' },
    { name: 'table created in the same file', code: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;' },
  ],
  invalid: [
    { setup, code: 'ALTER TABLE users ALTER COLUMN id TYPE bigint;', errors: [{ message: 'rewrites all of users', line: 1, column: 19, endColumn: 46 }] },
    { setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(20);', errors: [{ message: 'name' }] },
    { setup, code: 'ALTER TABLE users ALTER COLUMN bio TYPE varchar(20);', errors: [{}] },
    { setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE text USING trim(name);', errors: [{}] },
    { name: 'column unknown to the migrations', code: 'ALTER TABLE legacy ALTER COLUMN a TYPE text;', errors: [{ message: 'legacy' }] },
  ],
});
