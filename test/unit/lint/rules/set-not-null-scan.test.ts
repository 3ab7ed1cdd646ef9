import { rule } from '../../../../src/core/lint/rules/set-not-null-scan';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id bigint PRIMARY KEY, email text);';

runRuleTests(rule, {
  valid: [
    { setup, code: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;' },
    { name: 'table created in the same file', code: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;' },
    { setup, code: 'ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;' },
    {
      name: 'the recommended sequence: CHECK NOT VALID, VALIDATE, then SET NOT NULL (no scan on Postgres 12+)',
      setup,
      code:
        'ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\n' +
        'ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\n' +
        'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
    },
    {
      name: 'validated in an earlier migration, quoted names',
      setup: 'CREATE TABLE "Users" ("Email" text);\nALTER TABLE "Users" ADD CONSTRAINT "Email_nn" CHECK ("Email" IS NOT NULL) NOT VALID;\nALTER TABLE "Users" VALIDATE CONSTRAINT "Email_nn";',
      code: 'ALTER TABLE "Users" ALTER COLUMN "Email" SET NOT NULL;',
    },
    { name: 'a column CHECK added valid in an earlier migration', setup: 'CREATE TABLE app.users (email text CHECK (email IS NOT NULL));', code: 'ALTER TABLE app.users ALTER email SET NOT NULL;' },
    {
      name: 'added NOT VALID in an earlier migration, validated in this one',
      setup: `${setup}\nALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;`,
      code: 'ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
    },
    // Verified on Postgres 15 (client_min_messages = debug1): "existing constraints on column … are sufficient to prove that it does not contain nulls".
    {
      name: 'IS NOT NULL in a conjunction, unnamed (Postgres names it users_check)',
      setup: 'CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);',
      code:
        "ALTER TABLE users ADD CHECK (email IS NOT NULL AND email <> '' AND name IS NOT NULL) NOT VALID;\n" +
        'ALTER TABLE users VALIDATE CONSTRAINT users_check;\n' +
        'ALTER TABLE users ALTER COLUMN email SET NOT NULL, ALTER COLUMN name SET NOT NULL;',
    },
    {
      name: 'a table-qualified column and NOT (… IS NULL)',
      setup,
      code:
        'ALTER TABLE users ADD CONSTRAINT a CHECK (users.email IS NOT NULL) NOT VALID, ADD CONSTRAINT b CHECK (NOT (id IS NULL)) NOT VALID;\n' +
        'ALTER TABLE users VALIDATE CONSTRAINT a;\nALTER TABLE users VALIDATE CONSTRAINT b;\n' +
        'ALTER TABLE users ALTER COLUMN email SET NOT NULL, ALTER COLUMN id SET NOT NULL;',
    },
    {
      name: 'unqualified names resolve in the search_path schema',
      setup: 'CREATE SCHEMA app;\nSET search_path = app;\nCREATE TABLE users (email text CHECK (email IS NOT NULL));',
      code: 'SET search_path = app;\nALTER TABLE users ALTER email SET NOT NULL;',
    },
  ],
  invalid: [
    {
      name: "in the runner's transaction the sequence gains nothing: no fix, the message splits it across two migrations",
      setup,
      inTransaction: true,
      code: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      errors: [{ message: 'add CHECK (email IS NOT NULL) NOT VALID in this migration, then VALIDATE it, SET NOT NULL (no scan) and drop the check in the next one.' }],
      output: null,
    },
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
    {
      name: 'the CHECK is still NOT VALID',
      setup,
      code: 'ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      errors: [{ line: 2 }],
    },
    {
      name: 'the validated CHECK was dropped again',
      setup: `${setup}\nALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL);`,
      code: 'ALTER TABLE users DROP CONSTRAINT c;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      errors: [{ line: 2 }],
    },
    {
      name: 'a strict comparison alone does not prove NOT NULL (a NULL passes a CHECK)',
      setup,
      code: "ALTER TABLE users ADD CONSTRAINT c CHECK (email <> '') NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT c;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
      errors: [{ line: 3 }],
    },
    {
      name: 'IS NOT NULL under OR proves nothing',
      setup,
      code: 'ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL OR id > 0) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT c;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      errors: [{ line: 3 }],
    },
    {
      name: 'validating another constraint does not validate this one',
      setup,
      code:
        "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL AND id > 0) NOT VALID, ADD CONSTRAINT d CHECK (id > 0) NOT VALID;\n" +
        'ALTER TABLE users VALIDATE CONSTRAINT d;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      errors: [{ line: 3 }],
    },
    { name: 'a CHECK on another column', setup: `${setup}\nALTER TABLE users ADD CONSTRAINT c CHECK (id IS NOT NULL);`, code: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', errors: [{}] },
    {
      name: 'before Postgres 12 SET NOT NULL scans despite a validated CHECK',
      setup: `${setup}\nALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL);`,
      postgresVersion: 11,
      code: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      errors: [{}],
      output: null,
    },
    { name: 'no fix before Postgres 12', setup, postgresVersion: 11, code: 'ALTER TABLE users ALTER email SET NOT NULL;', errors: [{}], output: null },
    {
      name: 'a comment before the ";" and a CRLF file: the rewrite replaces the statement through its ";", with CRLF line breaks',
      setup,
      code: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL -- now required\r\n;\r\nSELECT 1;\r\n',
      errors: [{ line: 1 }],
      output:
        'ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\r\n' +
        'ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\r\n' +
        'ALTER TABLE users ALTER COLUMN email SET NOT NULL;\r\n' +
        'ALTER TABLE users DROP CONSTRAINT users_email_not_null;\r\nSELECT 1;\r\n',
    },
  ],
});
