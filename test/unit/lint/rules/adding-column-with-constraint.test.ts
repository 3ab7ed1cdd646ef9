import { rule } from '../../../../src/core/lint/rules/adding-column-with-constraint';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE orgs (id bigint PRIMARY KEY);\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE TABLE logs (at timestamptz);';

runRuleTests(rule, {
  valid: [
    { name: 'table created in the same file', code: 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b text UNIQUE, ADD COLUMN c int CHECK (c > 0);' },
    { name: 'plain column', setup, code: 'ALTER TABLE users ADD COLUMN handle text;' },
    { name: 'NOT NULL and DEFAULT are not built or checked row by row here', setup, code: "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';" },
    {
      name: 'REFERENCES on a new column without DEFAULT: Postgres skips the validation scan (all NULL)',
      setup,
      code: 'ALTER TABLE users ADD COLUMN org_id bigint REFERENCES orgs (id);',
    },
    { setup, code: 'ALTER TABLE users ADD COLUMN org_id bigint CONSTRAINT users_org_fk REFERENCES orgs (id) ON DELETE CASCADE;' },
    { name: 'the split form', setup, code: 'ALTER TABLE users ADD COLUMN handle text;\nCREATE UNIQUE INDEX CONCURRENTLY users_handle_key ON users (handle);' },
    { name: 'table-level ADD CONSTRAINT is unique-constraint-locks’ business', setup, code: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);' },
  ],
  invalid: [
    {
      setup,
      code: 'ALTER TABLE users ADD COLUMN handle text UNIQUE;',
      errors: [
        {
          message:
            'Adding column handle with UNIQUE to existing table users builds its unique index inside the ALTER TABLE, under an ACCESS EXCLUSIVE lock: ' +
            'reads and writes wait while the whole table is read to build it, even though the column is new. ' +
            'Add the column alone, CREATE UNIQUE INDEX CONCURRENTLY on it, then ADD CONSTRAINT … UNIQUE USING INDEX.',
          line: 1,
          column: 42,
          endColumn: 48,
        },
      ],
      output: null,
    },
    {
      name: 'named constraint with options: the whole constraint is underlined',
      setup,
      code: 'ALTER TABLE users ADD COLUMN handle text CONSTRAINT users_handle_key UNIQUE NULLS NOT DISTINCT, ADD COLUMN note text;',
      errors: [{ message: 'column handle with UNIQUE', column: 42, endColumn: 95 }],
      output: null,
    },
    {
      name: 'PRIMARY KEY on a new identity column',
      setup,
      code: 'ALTER TABLE logs ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;',
      errors: [{ message: 'Adding column id with PRIMARY KEY to existing table logs builds its unique index' }],
      output: null,
    },
    {
      setup,
      code: 'ALTER TABLE users ADD COLUMN age int CHECK (age >= 0);',
      errors: [
        {
          message:
            'Adding column age with a CHECK to existing table users checks every row inside the ALTER TABLE, under an ACCESS EXCLUSIVE lock: ' +
            'reads and writes wait for the whole scan, even when the new column is all NULL. ' +
            'Add the column alone, then ADD CONSTRAINT … CHECK (…) NOT VALID, then VALIDATE CONSTRAINT (no write lock).',
          column: 38,
          endColumn: 54,
        },
      ],
      output: null,
    },
    {
      name: 'REFERENCES with a DEFAULT: every row is validated',
      setup,
      code: 'ALTER TABLE users ADD COLUMN org_id bigint DEFAULT 1 REFERENCES orgs (id);',
      errors: [
        {
          message:
            'Adding column org_id with a DEFAULT and REFERENCES orgs to existing table users checks every row against orgs inside the ALTER TABLE: ' +
            'users stays under an ACCESS EXCLUSIVE lock (reads and writes wait) and orgs under SHARE ROW EXCLUSIVE (writes wait) for the whole scan. ' +
            'Add the column alone, then ADD CONSTRAINT … FOREIGN KEY … NOT VALID, then VALIDATE CONSTRAINT (no write lock).',
          column: 54,
          endColumn: 74,
        },
      ],
      output: null,
    },
    {
      name: 'DEFAULT NULL still validates',
      setup,
      code: 'ALTER TABLE users ADD COLUMN org_id bigint DEFAULT NULL REFERENCES public.orgs (id);',
      errors: [{ message: 'REFERENCES public.orgs to existing table users' }],
      output: null,
    },
    {
      name: 'a stored generated column is filled and validated',
      setup,
      code: 'ALTER TABLE users ADD COLUMN org_id bigint GENERATED ALWAYS AS (id % 10) STORED REFERENCES orgs (id);',
      errors: [{ message: 'REFERENCES orgs' }],
      output: null,
    },
    {
      name: 'one finding per constraint, schema-qualified table',
      setup: 'CREATE SCHEMA app;\nCREATE TABLE app.users (id bigint);',
      code: 'ALTER TABLE app.users ADD COLUMN handle text UNIQUE CHECK (handle <> \'\'), ADD COLUMN code text UNIQUE;',
      errors: [
        { message: 'column handle with UNIQUE to existing table app.users' },
        { message: 'column handle with a CHECK' },
        { message: 'column code with UNIQUE', line: 1 },
      ],
      output: null,
    },
    {
      name: 'inside a transaction too',
      setup,
      inTransaction: true,
      code: 'ALTER TABLE users ADD COLUMN IF NOT EXISTS handle text UNIQUE;',
      errors: [{ message: 'ACCESS EXCLUSIVE' }],
      output: null,
    },
  ],
});
