import assert from 'node:assert/strict';
import { explicitNull, nonNullDefault, rule } from '../../../../src/core/lint/rules/missing-not-null';
import { runRuleTests } from '../rule-tester';

describe('missing-not-null registration', () => {
  it('is an opt-in schema rule', () => {
    assert.equal(rule.defaultSeverity, 'off');
    assert.equal(rule.kind, 'schema');
  });
  it('tells an explicit NULL from NOT NULL, DEFAULT NULL and IS NULL', () => {
    for (const d of ['n int NULL', 'h eligibility."iwstext" NULL', 'v varchar(10) NULL DEFAULT \'x\'']) assert.equal(explicitNull(d), true, d);
    for (const d of ['n int NOT NULL', 'n int DEFAULT NULL', 'n int CHECK (n IS NULL OR n > 0)', "s text DEFAULT 'NULL'", 'n int DEFAULT NULL::int']) assert.equal(explicitNull(d), false, d);
  });
  it('tells NULL defaults from others', () => {
    for (const d of ['NULL', 'null', 'NULL::text', '(NULL)', "NULL::character varying"]) assert.equal(nonNullDefault(d), false, d);
    for (const d of ['now()', 'false', '0', "''::text", "'{}'::jsonb", 'gen_random_uuid()']) assert.equal(nonNullDefault(d), true, d);
    assert.equal(nonNullDefault(undefined), false);
  });
});

const SAFE = (t: string, c: string, backfill: string) =>
  `${backfill}ALTER TABLE ${t} ADD CONSTRAINT ${t}_${c}_not_null CHECK (${c} IS NOT NULL) NOT VALID; ALTER TABLE ${t} VALIDATE CONSTRAINT ${t}_${c}_not_null; ` +
  `ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL; ALTER TABLE ${t} DROP CONSTRAINT ${t}_${c}_not_null`;

runRuleTests(rule, {
  valid: [
    { name: 'NOT NULL with a default', code: 'CREATE TABLE t (id int PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), is_active boolean NOT NULL DEFAULT false);' },
    { name: 'nullable without a default', code: 'CREATE TABLE t (id int PRIMARY KEY, deleted_at timestamptz, note text, score int);' },
    { name: 'DEFAULT NULL says NULL is meant', code: 'CREATE TABLE t (id int PRIMARY KEY, archived_at timestamptz DEFAULT NULL, label text DEFAULT NULL::text, is_verified boolean DEFAULT NULL);' },
    { name: 'DEFAULT CAST(NULL AS …) is DEFAULT NULL too', code: 'CREATE TABLE t (id int PRIMARY KEY, label text DEFAULT CAST(NULL AS text), code varchar(10) DEFAULT CAST (NULL AS character varying(10)), n int DEFAULT (CAST(NULL AS int)));' },
    { name: 'foreign key columns are nullable-foreign-key\'s', code: 'CREATE TABLE users (id int PRIMARY KEY);\nCREATE TABLE posts (id int PRIMARY KEY, user_id int DEFAULT 1 REFERENCES users (id), a int NOT NULL, b int REFERENCES users (id), UNIQUE (a, b));' },
    { name: 'set NOT NULL by a later migration', setup: 'CREATE TABLE t (id int PRIMARY KEY, created_at timestamptz DEFAULT now());', code: 'ALTER TABLE t ALTER COLUMN created_at SET NOT NULL;' },
    { name: 'a migration sets it to NULL', code: 'CREATE TABLE t (id int PRIMARY KEY, status text DEFAULT \'new\');\nUPDATE t SET status = NULL WHERE id < 0;' },
    { name: 'a migration drops NOT NULL on purpose', code: 'CREATE TABLE t (id int PRIMARY KEY, position int NOT NULL DEFAULT 0);\nALTER TABLE t ALTER COLUMN position DROP NOT NULL;' },
    { name: 'a CHECK tests it for NULL', code: 'CREATE TABLE t (id int PRIMARY KEY, kind text DEFAULT \'a\', other text, CHECK ((kind IS NULL) <> (other IS NULL)));' },
    { name: 'a validated CHECK IS NOT NULL already keeps NULL out', code: 'CREATE TABLE t (id int PRIMARY KEY, n int DEFAULT 0, CONSTRAINT n_nn CHECK (n IS NOT NULL));' },
    { name: 'identity, serial and primary key columns', code: 'CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY, n serial, k text DEFAULT \'x\', PRIMARY KEY (k));' },
    { name: 'generated columns', code: 'CREATE TABLE t (id int PRIMARY KEY, price numeric, is_free boolean GENERATED ALWAYS AS (price = 0) STORED);' },
    { name: 'booleans not named as flags, with no default', code: 'CREATE TABLE t (id int PRIMARY KEY, answer boolean, verified boolean);' },
    { name: 'single-column unique keys may be optional', code: 'CREATE TABLE t (id int PRIMARY KEY, email text UNIQUE, phone text);\nCREATE UNIQUE INDEX t_phone ON t (phone);' },
    { name: 'partial unique index and a nullable timestamp of a key', code: 'CREATE TABLE t (id int PRIMARY KEY, org int NOT NULL, email text, deleted_at timestamptz, UNIQUE (org, deleted_at));\nCREATE UNIQUE INDEX t_org_email ON t (org, email) WHERE email IS NOT NULL;' },
    { name: 'a partition: its parent is reported', setup: 'CREATE TABLE ev (id bigint NOT NULL, at date NOT NULL, n int NOT NULL DEFAULT 0) PARTITION BY RANGE (at);', code: 'CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM (\'2024-01-01\') TO (\'2025-01-01\');' },
    { name: 'migration runners\' tables', code: 'CREATE TABLE schema_migrations (version text PRIMARY KEY, dirty boolean DEFAULT false);\nCREATE TABLE storage.migrations (id int PRIMARY KEY, executed_at timestamp DEFAULT current_timestamp);' },
    { name: 'temporary tables', code: 'CREATE TEMP TABLE t (n int DEFAULT 0);' },
    { name: 'an explicit NULL says NULL is meant', setup: 'CREATE TABLE m (id int PRIMARY KEY);', code: 'ALTER TABLE m ADD IF NOT EXISTS hash_value text NULL;\nALTER TABLE m ADD IF NOT EXISTS hash_version int NULL;\nCREATE UNIQUE INDEX m_hash ON m (hash_value, hash_version);\nALTER TABLE m ADD COLUMN is_gold boolean NULL;' },
    { name: 'views are not tables', code: 'CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL);\nCREATE VIEW v AS SELECT id, n > 0 AS is_positive FROM t;' },
  ],
  invalid: [
    {
      name: 'defaults in a CREATE TABLE of this file: NOT NULL added to the definition',
      code: 'CREATE TABLE accounts (\n  id bigint PRIMARY KEY,\n  created_at timestamptz DEFAULT now(),\n  is_active boolean DEFAULT false,\n  count int DEFAULT 0\n);',
      errors: [
        {
          message:
            'accounts.created_at has DEFAULT now() but allows NULL: an INSERT that sends NULL (an ORM writing every field, a copy from another table) stores NULL instead of the default; ' +
            'if this migration has not been deployed, declare it NOT NULL in the CREATE TABLE (the fix); once deployed, make it NOT NULL in a new migration without a long ACCESS EXCLUSIVE scan: ' +
            SAFE('accounts', 'created_at', 'UPDATE accounts SET created_at = now() WHERE created_at IS NULL; '),
          line: 3,
          column: 3,
        },
        { message: 'accounts.is_active has DEFAULT false but allows NULL', line: 4 },
        { message: 'accounts.count has DEFAULT 0 but allows NULL', line: 5 },
      ],
      output: 'CREATE TABLE accounts (\n  id bigint PRIMARY KEY,\n  created_at timestamptz DEFAULT now() NOT NULL,\n  is_active boolean DEFAULT false NOT NULL,\n  count int DEFAULT 0 NOT NULL\n);',
    },
    {
      name: 'a column added to an existing table: the safe migration, no fix',
      setup: 'CREATE TABLE accounts (id bigint PRIMARY KEY);',
      code: "ALTER TABLE accounts ADD COLUMN plan text DEFAULT 'free';",
      errors: [
        {
          message:
            "accounts.plan has DEFAULT 'free' but allows NULL: an INSERT that sends NULL (an ORM writing every field, a copy from another table) stores NULL instead of the default; make it NOT NULL in a new migration without a long ACCESS EXCLUSIVE scan: " +
            SAFE('accounts', 'plan', "UPDATE accounts SET plan = 'free' WHERE plan IS NULL; "),
          line: 1,
        },
      ],
      output: null,
    },
    {
      name: 'a yes/no flag without a default',
      code: 'CREATE TABLE users (id int PRIMARY KEY, is_admin boolean, "hasPaid" boolean);',
      errors: [
        { message: 'users.is_admin is a yes/no flag that allows NULL: NULL is a third state, and WHERE NOT is_admin skips those rows; if this migration has not been deployed, declare it NOT NULL DEFAULT false in the CREATE TABLE; once deployed,' },
        { message: 'users."hasPaid" is a yes/no flag' },
      ],
      output: null,
    },
    {
      name: 'a nullable column of a composite unique key',
      code: 'CREATE TABLE memberships (id int PRIMARY KEY, org int NOT NULL, email text, UNIQUE (org, email));',
      errors: [{ message: 'memberships.email is part of the unique key (org, email) but allows NULL: NULLs are distinct, so rows with NULL there escape the key and duplicates go in; if this migration has not been deployed, declare it NOT NULL in the CREATE TABLE; once deployed, make it NOT NULL (or, if NULL is a real value there, make the key UNIQUE NULLS NOT DISTINCT on Postgres 15+)' }],
      output: null,
    },
    {
      name: 'several nullable columns of one unique key: one finding naming them all',
      code: 'CREATE TABLE addresses (id int PRIMARY KEY, member int NOT NULL, line1 text, city text, zip text);\nCREATE UNIQUE INDEX addresses_key ON addresses (member, line1, city, zip);',
      errors: [
        {
          message:
            'addresses.line1 and city, zip are part of the unique key (member, line1, city, zip) but allow NULL: NULLs are distinct, so rows with NULL there escape the key and duplicates go in; ' +
            'if this migration has not been deployed, declare them NOT NULL in the CREATE TABLE; once deployed, make them NOT NULL (or, if NULL is a real value there, make the key UNIQUE NULLS NOT DISTINCT on Postgres 15+) in a new migration without a long ACCESS EXCLUSIVE scan: ' +
            'ALTER TABLE addresses ADD CONSTRAINT addresses_line1_not_null CHECK (line1 IS NOT NULL) NOT VALID; ALTER TABLE addresses VALIDATE CONSTRAINT addresses_line1_not_null; ' +
            'ALTER TABLE addresses ALTER COLUMN line1 SET NOT NULL; ALTER TABLE addresses DROP CONSTRAINT addresses_line1_not_null; ALTER TABLE addresses ADD CONSTRAINT addresses_city_not_null',
          line: 1,
        },
      ],
      output: null,
    },
    {
      name: 'an explicit NULL does not outweigh a non-null default',
      setup: 'CREATE TABLE users (id int PRIMARY KEY);',
      code: "ALTER TABLE users ADD COLUMN phone_change text NULL DEFAULT ''::character varying;",
      errors: [{ message: "users.phone_change has DEFAULT ''::character varying but allows NULL" }],
      output: null,
    },
    {
      name: 'no fix where the definition says NULL outright (NOT NULL would conflict with it)',
      code: 'CREATE TABLE verification (id int PRIMARY KEY, created_at timestamptz NULL DEFAULT CURRENT_TIMESTAMP);',
      errors: [{ message: 'the default; if this migration has not been deployed, declare it NOT NULL in the CREATE TABLE; once deployed, make it NOT NULL' }],
      output: null,
    },
    {
      name: 'no fix when a migration inserts rows into the table',
      code: "CREATE TABLE plans (id int PRIMARY KEY, price int DEFAULT 0);\nINSERT INTO plans (id, price) VALUES (1, NULL);",
      errors: [{ message: 'plans.price has DEFAULT 0' }],
      output: null,
    },
    {
      name: 'a default set later: reported on the column, no fix in the CREATE',
      code: 'CREATE TABLE t (id int PRIMARY KEY, n int);\nALTER TABLE t ALTER COLUMN n SET DEFAULT 0;',
      errors: [{ message: 't.n has DEFAULT 0 but allows NULL', line: 1 }],
      output: null,
    },
  ],
});
