import { rule } from '../../../../src/core/lint/rules/volatile-default-rewrite';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id bigint PRIMARY KEY);';

runRuleTests(rule, {
  valid: [
    { setup, code: 'ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();' },
    { setup, code: "ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'new';" },
    { name: 'table created in the same file', code: 'CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();' },
    { setup, code: 'ALTER TABLE users ALTER COLUMN id SET DEFAULT random();' },
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
    { name: 'before Postgres 11 any default rewrites', setup, postgresVersion: 10, code: "ALTER TABLE users ADD COLUMN s text DEFAULT 'x';", errors: [{ message: 'Postgres 10' }] },
  ],
});
