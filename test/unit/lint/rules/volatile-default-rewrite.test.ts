import { rule } from '../../../../src/core/lint/rules/volatile-default-rewrite';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id bigint PRIMARY KEY);';

runRuleTests(rule, {
  valid: [
    { setup, code: 'ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();' },
    { setup, code: "ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'new';" },
    { name: 'table created in the same file', code: 'CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();' },
    { setup, code: 'ALTER TABLE users ALTER COLUMN id SET DEFAULT random();' },
    // Verified on Postgres 15: the table's relfilenode stays for each of these.
    { name: 'a stable builtin (txid_current)', setup, code: 'ALTER TABLE users ADD COLUMN tx bigint DEFAULT txid_current();' },
    { name: 'immutable and stable builtins', setup, code: "ALTER TABLE users ADD COLUMN at timestamp DEFAULT timezone('utc', now()), ADD COLUMN k text DEFAULT pg_catalog.lower('X');" },
    {
      name: 'a function declared STABLE earlier in the file',
      setup,
      code: 'CREATE FUNCTION app_default() RETURNS int LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN 1; END $$;\nALTER TABLE users ADD COLUMN n int DEFAULT app_default();',
    },
    {
      name: 'a function made IMMUTABLE by ALTER FUNCTION, called qualified',
      setup,
      code:
        'CREATE OR REPLACE FUNCTION app.code(n int) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN n::text; END $$;\n' +
        'ALTER FUNCTION app.code(int) IMMUTABLE;\nALTER TABLE users ADD COLUMN c text DEFAULT app.code(1);',
    },
  ],
  invalid: [
    {
      setup,
      code: 'ALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();',
      errors: [{ message: 'gen_random_uuid()', line: 1, column: 30 }],
    },
    { setup, code: 'ALTER TABLE users ADD COLUMN r float8 DEFAULT (random() * 10);', errors: [{ message: 'random()' }] },
    { setup, code: 'ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT clock_timestamp();', errors: [{ message: 'rewrites all of users' }] },
    { setup, code: 'ALTER TABLE users ADD COLUMN n bigserial;', errors: [{ message: 'bigserial' }] },
    { name: 'a volatile call inside another call', setup, code: "ALTER TABLE users ADD COLUMN r text DEFAULT concat('u_', random());", errors: [{ message: 'the volatile DEFAULT random()' }] },
    {
      name: 'a user-defined function pglens cannot see is VOLATILE unless declared otherwise',
      setup,
      code: 'ALTER TABLE users ADD COLUMN n int NOT NULL DEFAULT my_func();',
      errors: [{ message: /^Adding column n with the DEFAULT my_func\(\) rewrites all of users \(and rebuilds its indexes\) under an ACCESS EXCLUSIVE lock unless my_func is declared STABLE or IMMUTABLE/ }],
    },
    {
      name: 'a function created without STABLE or IMMUTABLE is VOLATILE',
      setup,
      code: 'CREATE FUNCTION next_code() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;\nALTER TABLE users ADD COLUMN n int DEFAULT next_code();',
      errors: [{ message: 'with the DEFAULT next_code(), a VOLATILE function (CREATE FUNCTION on line 1 declares it neither STABLE nor IMMUTABLE), rewrites all of users', line: 2 }],
    },
    {
      name: 'ALTER FUNCTION … VOLATILE undoes STABLE',
      setup,
      code:
        'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN 1; END $$;\nALTER FUNCTION f() VOLATILE;\n' +
        'ALTER TABLE users ADD COLUMN n int DEFAULT f();',
      errors: [{ message: 'a VOLATILE function (ALTER FUNCTION on line 2' }],
    },
    { name: 'a function of another schema than the one declared STABLE', setup, code: 'CREATE FUNCTION a.f() RETURNS int LANGUAGE sql STABLE AS $$ SELECT 1 $$;\nALTER TABLE users ADD COLUMN n int DEFAULT b.f();', errors: [{ message: 'unless b.f is declared' }] },
    { name: 'before Postgres 11 any default rewrites', setup, postgresVersion: 10, code: "ALTER TABLE users ADD COLUMN s text DEFAULT 'x';", errors: [{ message: 'Postgres 10' }] },
  ],
});
