import { rule } from '../../../../src/core/lint/rules/changing-column-type';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id integer PRIMARY KEY, name varchar(50), bio text, tags varchar(10)[]);';

runRuleTests(rule, {
  valid: [
    { setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(100);' },
    { setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE text;' },
    { setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE character varying;' },
    { setup, code: 'ALTER TABLE users ALTER COLUMN bio TYPE varchar;' },
    { name: 'numeric precision widened, same scale', setup: 'CREATE TABLE p (price numeric(10,2), qty numeric(8));', code: 'ALTER TABLE p ALTER COLUMN price TYPE decimal(12,2), ALTER COLUMN qty TYPE numeric(12);' },
    { name: 'numeric to unconstrained numeric', setup: 'CREATE TABLE p (price numeric(10,2));', code: 'ALTER TABLE p ALTER COLUMN price TYPE numeric;' },
    { name: 'table created in the same file', code: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;' },
  ],
  invalid: [
    { setup, code: 'ALTER TABLE users ALTER COLUMN id TYPE bigint;', errors: [{ message: 'rewrites all of users', line: 1, column: 19, endColumn: 46 }] },
    { setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(20);', errors: [{ message: 'name' }] },
    { setup, code: 'ALTER TABLE users ALTER COLUMN bio TYPE varchar(20);', errors: [{}] },
    { setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE text USING trim(name);', errors: [{}] },
    { name: 'numeric scale changed', setup: 'CREATE TABLE p (price numeric(10,2));', code: 'ALTER TABLE p ALTER COLUMN price TYPE numeric(14,4);', errors: [{}] },
    { name: 'numeric precision narrowed', setup: 'CREATE TABLE p (price numeric(10,2));', code: 'ALTER TABLE p ALTER COLUMN price TYPE numeric(8,2);', errors: [{}] },
    { name: 'unconstrained numeric constrained', setup: 'CREATE TABLE p (price numeric);', code: 'ALTER TABLE p ALTER COLUMN price TYPE numeric(12,2);', errors: [{}] },
    { name: 'column unknown to the migrations', code: 'ALTER TABLE legacy ALTER COLUMN a TYPE text;', errors: [{ message: 'legacy' }] },
  ],
});
