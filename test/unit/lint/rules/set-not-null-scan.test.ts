import { rule } from '../../../../src/core/lint/rules/set-not-null-scan';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id bigint PRIMARY KEY, email text);';

runRuleTests(rule, {
  valid: [
    { setup, code: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;' },
    { name: 'table created in the same file', code: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;' },
    { setup, code: 'ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;' },
  ],
  invalid: [
    {
      setup,
      code: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      errors: [{ message: 'ACCESS EXCLUSIVE', line: 1, column: 19, endColumn: 50 }],
      output:
        'ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\n' +
        'ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\n' +
        'ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n' +
        'ALTER TABLE users DROP CONSTRAINT users_email_not_null;',
    },
    { name: 'no fix when combined with other changes', setup, code: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL, ADD COLUMN x int;', errors: [{ column: 19 }], output: null },
    { name: 'no fix before Postgres 12', setup, postgresVersion: 11, code: 'ALTER TABLE users ALTER email SET NOT NULL;', errors: [{}], output: null },
  ],
});
