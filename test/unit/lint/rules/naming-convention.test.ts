import assert from 'node:assert/strict';
import { parseConfig } from '../../../../src/core/config';
import { rule } from '../../../../src/core/lint/rules/naming-convention';
import { namingConventionOptions, toSnakeCase } from '../../../../src/core/lint/rules/support/naming';
import { runRuleTests } from '../rule-tester';

describe('naming-convention registration', () => {
  it('is an opt-in schema rule without an SQL fix', () => {
    assert.equal(rule.defaultSeverity, 'off');
    assert.equal(rule.kind, 'schema');
    assert.notEqual(rule.fixable, true);
  });
});

describe('naming-convention options', () => {
  const config = (options: unknown) => parseConfig({ rules: { 'naming-convention': ['warning', options] } }, '/p/.pglens.json');
  const fails = (options: unknown, path: string, problem: RegExp) =>
    assert.throws(() => config(options), (e: Error) => e.message.includes(`"rules.naming-convention[1].${path}"`) && problem.test(e.message));

  it('accepts presets, styles, templates, patterns and false', () => {
    config({ preset: 'strict' });
    config({ preset: 'rails', indexes: false, tables: 'snake_case_singular' });
    config({ tables: { pattern: '^[a-z]+$' }, primaryKey: '{table_singular}_id', foreignKeys: '{ref_table_singular}_{ref_column}', indexes: { pattern: '^(ix|idx)_{table}_' }, ignoreTables: ['^legacy_'] });
  });
  it('reports a bad option with its path', () => {
    fails({ tables: 'camelCase' }, 'tables', /must be "snake_case", "snake_case_plural", "snake_case_singular"/);
    fails({ preset: 'django' }, 'preset', /must be one of "snake_case", "rails", "strict"/);
    fails({ indexes: 'idx_{tabel}_{columns}' }, 'indexes', /uses \{tabel\}, which is not a variable here/);
    fails({ columns: { pattern: '([a-z' } }, 'columns.pattern', /not a valid regular expression/);
    fails({ columns: { regex: 'x' } }, 'columns', /must be a style name, \{ "pattern": "<regex>" \} or false/);
    fails({ ignoreTables: ['ok', 3] }, 'ignoreTables[1]', /must be a string/);
    fails({ tabels: 'snake_case' }, 'tabels', /is not an option of naming-convention/);
    fails({ primaryKey: '' }, 'primaryKey', /must not be empty/);
    fails({ indexes: ['idx_{table}', '{colums}_idx'] }, 'indexes[1]', /uses \{colums\}, which is not a variable here/);
    fails({ foreignKeys: [] }, 'foreignKeys', /must list at least one template/);
  });
  it('lets each check be turned off', () => {
    const o = namingConventionOptions({ tables: false, columns: false, primaryKey: false, foreignKeys: false });
    assert.deepEqual([o.tables, o.columns, o.primaryKey, o.foreignKeys, o.indexes], [undefined, undefined, undefined, undefined, undefined]);
  });
  it('suggests snake_case names', () => {
    assert.equal(toSnakeCase('UserAccount'), 'user_account');
    assert.equal(toSnakeCase('createdAt'), 'created_at');
    assert.equal(toSnakeCase('HTTPStatus'), 'http_status');
    assert.equal(toSnakeCase('userID'), 'user_id');
    assert.equal(toSnakeCase('user-name'), 'user_name');
  });
});

const USERS = 'CREATE TABLE users (id bigint PRIMARY KEY);\n';
const PLURAL = { tables: 'snake_case_plural' };

runRuleTests(rule, {
  valid: [
    { name: 'snake_case tables, columns, id key, <name>_id foreign keys', code: USERS + 'CREATE TABLE user_accounts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), created_at timestamptz);' },
    { name: 'role-named foreign keys by default', code: USERS + 'CREATE TABLE posts (id bigint PRIMARY KEY, author_id bigint REFERENCES users (id), editor_id bigint REFERENCES users (id));' },
    { name: 'created_by and assigned_to pass the default templates', code: USERS + 'CREATE TABLE tickets (id bigint PRIMARY KEY, created_by bigint REFERENCES users (id));\nCREATE TABLE tasks (id bigint PRIMARY KEY, assigned_to bigint REFERENCES users (id));' },
    { name: 'a primary key named after another entity (one row per organization)', code: 'CREATE TABLE configuration (organization_id int PRIMARY KEY, settings jsonb);\nCREATE TABLE oauth_github (account_id bigint PRIMARY KEY, login text);' },
    { name: 'a list of index templates', options: { indexes: ['idx_{table}_{columns}', '{table}_{columns}_idx'] }, code: 'CREATE TABLE users (id int PRIMARY KEY, email text, org int);\nCREATE INDEX idx_users_email ON users (email);\nCREATE INDEX users_org_idx ON users (org);' },
    { name: 'plural tables: uncountable and irregular plurals', options: PLURAL, code: 'CREATE TABLE people (id int PRIMARY KEY);\nCREATE TABLE news (id int PRIMARY KEY);\nCREATE TABLE series (id int PRIMARY KEY);\nCREATE TABLE metadata (id int PRIMARY KEY);\nCREATE TABLE order_statuses (id int PRIMARY KEY);\nCREATE TABLE addresses (id int PRIMARY KEY);' },
    { name: 'singular tables: uncountable words and singular -s words', options: { tables: 'snake_case_singular' }, code: 'CREATE TABLE data (id int PRIMARY KEY);\nCREATE TABLE status (id int PRIMARY KEY);\nCREATE TABLE address (id int PRIMARY KEY);\nCREATE TABLE person (id int PRIMARY KEY);' },
    { name: 'migration runners\' tables', options: { preset: 'strict' }, code: 'CREATE TABLE "_prisma_migrations" ("Id" text PRIMARY KEY);\nCREATE TABLE schema_migrations (version bigint PRIMARY KEY);\nCREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY);\nCREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint);' },
    { name: 'Prisma\'s implicit many-to-many table', code: 'CREATE TABLE "_PostToTag" ("A" text NOT NULL, "B" text NOT NULL);' },
    { name: 'ignoreTables', options: { ignoreTables: ['^Legacy'] }, code: 'CREATE TABLE "LegacyOrders" ("OrderId" int PRIMARY KEY);' },
    { name: 'each check off', options: { tables: false, columns: false, primaryKey: false }, code: 'CREATE TABLE "Users" ("UserId" int PRIMARY KEY);' },
    { name: 'a table renamed to the convention in a later migration', setup: 'CREATE TABLE "UserAccount" (id int PRIMARY KEY);', code: 'ALTER TABLE "UserAccount" RENAME TO user_accounts;' },
    { name: 'a column renamed to the convention', code: 'CREATE TABLE users (id int PRIMARY KEY, "createdAt" timestamptz);\nALTER TABLE users RENAME COLUMN "createdAt" TO created_at;' },
    { name: 'a key column that is also a foreign key (1:1 extension table)', options: { preset: 'strict' }, code: USERS + 'CREATE TABLE profiles (user_id bigint PRIMARY KEY REFERENCES users (id));' },
    { name: 'self-reference and two keys to one table under the strict template', options: { preset: 'strict' }, code: USERS + 'CREATE TABLE messages (id int PRIMARY KEY, parent_id int REFERENCES messages (id), sender_id bigint REFERENCES users (id), recipient_id bigint REFERENCES users (id));' },
    { name: 'index template', options: { indexes: 'idx_{table}_{columns}' }, code: 'CREATE TABLE users (id int PRIMARY KEY, email text, org int);\nCREATE INDEX idx_users_email ON users (email);\nCREATE INDEX idx_users_org_email ON users (org, email);\nCREATE INDEX ON users (lower(email));' },
    { name: 'index pattern with a variable', options: { indexes: { pattern: '^(ix|idx)_{table}_' } }, code: 'CREATE TABLE users (id int PRIMARY KEY, email text);\nCREATE INDEX ix_users_by_email ON users (email);' },
    { name: 'constraint indexes keep Postgres\'s names', options: { preset: 'strict' }, code: 'CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE);' },
    { name: 'primary key template {table_singular}_id', options: { primaryKey: '{table_singular}_id' }, code: 'CREATE TABLE categories (category_id int PRIMARY KEY);' },
    { name: 'a partition: its parent carries the convention', options: PLURAL, code: 'CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\nCREATE TABLE events_2024_01 PARTITION OF events FOR VALUES FROM (\'2024-01-01\') TO (\'2024-02-01\');' },
    { name: 'temporary tables', code: 'CREATE TEMP TABLE "Scratch" ("X" int);' },
    { name: 'natural primary keys are not surrogate ids', code: 'CREATE TABLE settings (key text PRIMARY KEY, value text);\nCREATE TABLE reserved_names (name text PRIMARY KEY);\nCREATE TABLE invitations (email varchar(255) PRIMARY KEY);' },
    { name: 'a history table whose id column is the recorded row\'s', code: 'CREATE TABLE party_history (history_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id bigint NOT NULL, name text);' },
    {
      name: 'a foreign key named like the referenced column, or after the referenced table',
      options: { preset: 'strict', primaryKey: false },
      code: 'CREATE TABLE orgs (org_id uuid PRIMARY KEY);\nCREATE TABLE parties (id int PRIMARY KEY, org_id uuid REFERENCES orgs (org_id));',
    },
    { name: 'a history table copying an unknown table with LIKE', code: 'CREATE TABLE flex.party_history (history_id bigint PRIMARY KEY, LIKE flex.party, replaced_by bigint NOT NULL);' },
    { name: 'a role before the strict template\'s name', options: { preset: 'strict' }, code: 'CREATE TABLE party_types (id int PRIMARY KEY);\nCREATE TABLE grid_nodes (id int PRIMARY KEY, system_operator_party_type_id int REFERENCES party_types (id));' },
    { name: 'mass nouns pass as plural', options: PLURAL, code: 'CREATE TABLE billing (id int PRIMARY KEY);\nCREATE TABLE secret_provenance (id int PRIMARY KEY);' },
    { name: 'an index named after the names the table and columns are told to take', options: { indexes: 'idx_{table}_{columns}', tables: false, columns: false }, code: 'CREATE TABLE "UserAccount" (id int PRIMARY KEY, "createdAt" timestamptz);\nCREATE INDEX "idx_UserAccount_createdAt" ON "UserAccount" ("createdAt");' },
    { name: 'Rails index names join the columns with _and_', options: { preset: 'rails' }, code: 'CREATE TABLE users (id bigint PRIMARY KEY, org_id bigint, email text);\nCREATE INDEX index_users_on_org_id_and_email ON users (org_id, email);\nCREATE UNIQUE INDEX index_users_on_email ON users (email);' },
    { name: 'a key named after the referenced table under a {name} template', code: 'CREATE TABLE business_id_type (name text PRIMARY KEY);\nCREATE TABLE entity (id int PRIMARY KEY, business_id_type text REFERENCES business_id_type (name));' },
  ],
  invalid: [
    {
      name: 'quoted mixed-case table and column',
      code: 'CREATE TABLE "UserAccount" (id bigint PRIMARY KEY, "createdAt" timestamptz);',
      errors: [
        {
          message:
            'table "UserAccount" breaks the naming convention: table names are snake_case (a quoted mixed-case name must be quoted in every query); name it user_account. ' +
            'If this migration has not been deployed, rename it here (and wherever the set and the application use it); once deployed, rename it in a new migration, together with the code that uses it: ALTER TABLE "UserAccount" RENAME TO user_account;',
          line: 1,
          column: 14,
        },
        { message: 'column "UserAccount"."createdAt" breaks the naming convention: column names are snake_case', line: 1 },
      ],
      output: null,
    },
    {
      name: 'plural tables: singular names get their plural',
      options: PLURAL,
      code: 'CREATE TABLE category (id int PRIMARY KEY);\nCREATE TABLE person (id int PRIMARY KEY);\nCREATE TABLE order_status (id int PRIMARY KEY);\nCREATE TABLE mailing_address (id int PRIMARY KEY);',
      errors: [
        { message: 'table names are snake_case and plural; name it categories', line: 1 },
        { message: 'name it people', line: 2 },
        { message: 'name it order_statuses', line: 3 },
        { message: 'name it mailing_addresses', line: 4 },
      ],
    },
    {
      name: 'singular tables',
      options: { tables: 'snake_case_singular' },
      code: 'CREATE TABLE categories (id int PRIMARY KEY);\nCREATE TABLE people (id int PRIMARY KEY);\nCREATE TABLE users (id int PRIMARY KEY);',
      errors: [{ message: 'name it category' }, { message: 'name it person' }, { message: 'name it "user". ' }],
    },
    {
      name: 'a uuid primary key named uuid',
      code: 'CREATE TABLE users (uuid char(36) PRIMARY KEY);',
      errors: [{ message: 'primary key column users.uuid breaks the naming convention: primary key columns are named "id"; name it id' }],
    },
    {
      name: 'primary key not named id',
      code: 'CREATE TABLE users (user_id int PRIMARY KEY);',
      errors: [{ message: 'primary key column users.user_id breaks the naming convention: primary key columns are named "id"; name it id' }],
    },
    {
      name: 'foreign key column without the referenced column\'s suffix',
      code: USERS + 'CREATE TABLE posts (id int PRIMARY KEY, owner bigint REFERENCES users (id));',
      errors: [{ message: 'foreign key column posts.owner breaks the naming convention: foreign key columns follow one of the templates "{name}_{ref_column}", "{name}_by", "{name}_to"; name it owner_id', line: 2 }],
    },
    {
      name: 'strict foreign key template <referenced_table_singular>_id',
      options: { foreignKeys: '{ref_table_singular}_{ref_column}' },
      code: 'CREATE TABLE categories (id int PRIMARY KEY);\nCREATE TABLE posts (id int PRIMARY KEY, cat_id int REFERENCES categories (id));',
      errors: [{ message: 'name it category_id. ', line: 2 }],
    },
    {
      name: 'strict template: a role name keeps its role in the suggestion',
      options: { preset: 'strict' },
      code: USERS + 'CREATE TABLE workflows (id int PRIMARY KEY, created_by bigint REFERENCES users (id));',
      errors: [{ message: 'foreign key column workflows.created_by breaks the naming convention: foreign key columns follow the template "{ref_table_singular}_{ref_column}"; name it created_by_user_id. ', line: 2 }],
    },
    {
      name: 'strict template: roles ending in _id keep their role, abbreviations of the table do not',
      options: { preset: 'strict' },
      code:
        USERS +
        'CREATE TABLE copilot_chats (id int PRIMARY KEY);\nCREATE TABLE ledger_entries (id int PRIMARY KEY);\n' +
        'CREATE TABLE audit_logs (id int PRIMARY KEY, actor_id bigint REFERENCES users (id), chat_id int REFERENCES copilot_chats (id), source_entry_id int REFERENCES ledger_entries (id));',
      errors: [{ message: 'name it actor_user_id. ', line: 4 }, { message: 'name it copilot_chat_id. ', line: 4 }, { message: 'name it source_ledger_entry_id. ', line: 4 }],
    },
    {
      name: 'index template with a later-created index',
      options: { indexes: 'idx_{table}_{columns}' },
      code: 'CREATE TABLE users (id int PRIMARY KEY, email text);\nCREATE INDEX users_email_idx ON users (email);',
      errors: [{ message: 'index users_email_idx on users breaks the naming convention: index names follow the template "idx_{table}_{columns}"; name it idx_users_email. ', line: 2 }],
    },
    {
      name: 'a column pattern',
      options: { columns: { pattern: '^[a-z][a-z0-9_]*$' } },
      code: 'CREATE TABLE users (id int PRIMARY KEY, "Email" text);',
      errors: [{ message: 'column names must match /^[a-z][a-z0-9_]*$/' }],
    },
    {
      name: 'no better name that the table, the schema or another finding already has, or that is over 63 bytes',
      options: PLURAL,
      code:
        'CREATE TABLE users (id int PRIMARY KEY, "userName" text, user_name text, "ItemCount" int, "itemCount" int);\nCREATE TABLE person (id int PRIMARY KEY);\nCREATE TABLE people (id int PRIMARY KEY);\n' +
        `CREATE TABLE ${'x'.repeat(58)}_item (id int PRIMARY KEY);`,
      errors: [
        { message: 'column users."userName" breaks the naming convention: column names are snake_case (a quoted mixed-case name must be quoted in every query); rename it (suppress', line: 1 },
        { message: 'column users."ItemCount" breaks the naming convention: column names are snake_case (a quoted mixed-case name must be quoted in every query); rename it (suppress', line: 1 },
        { message: 'column users."itemCount" breaks the naming convention: column names are snake_case (a quoted mixed-case name must be quoted in every query); rename it (suppress', line: 1 },
        { message: 'table person breaks the naming convention: table names are snake_case and plural; rename it (suppress', line: 2 },
        { message: `table ${'x'.repeat(58)}_item breaks the naming convention: table names are snake_case and plural; rename it (suppress`, line: 4 },
      ],
    },
    {
      name: 'an index name is suggested from the names the table and columns are told to take',
      options: { indexes: 'idx_{table}_{columns}' },
      code: 'CREATE TABLE "UserAccount" (id int PRIMARY KEY, "createdAt" timestamptz);\nCREATE INDEX ua_created ON "UserAccount" ("createdAt");',
      errors: [{ message: 'table "UserAccount"' }, { message: 'column "UserAccount"."createdAt"' }, { message: 'index names follow the template "idx_{table}_{columns}"; name it idx_user_account_created_at. ', line: 2 }],
    },
    {
      name: 'an index already named after the names the findings give the columns: only the column is reported',
      options: { indexes: 'idx_{table}_{columns}' },
      code: 'CREATE TABLE users (id int PRIMARY KEY, "createdAt" timestamptz);\nCREATE INDEX idx_users_created_at ON users ("createdAt");',
      errors: [{ message: 'column users."createdAt" breaks the naming convention', line: 1 }],
    },
    {
      name: 'names with letters beyond ASCII get no made-up better name',
      code: 'CREATE TABLE users (id int PRIMARY KEY, "naïve" text, "名前" text, "名字" text);',
      errors: [
        { message: 'column users."naïve" breaks the naming convention: column names are snake_case; rename it (suppress' },
        { message: 'column users."名前" breaks the naming convention: column names are snake_case; rename it (suppress' },
        { message: 'column users."名字" breaks the naming convention: column names are snake_case; rename it (suppress' },
      ],
    },
    {
      name: 'a pattern that backtracks exponentially is given up instead of hanging the linter',
      options: { columns: { pattern: '^([a-z]+)+$' } },
      code: `CREATE TABLE t (id int PRIMARY KEY, ${'a'.repeat(60)}9 int, "B" int);`,
      errors: [{ message: 'column names must match /^([a-z]+)+$/ (the pattern ran over 200 ms on this name and was given up' }],
    },
    {
      name: 'a pattern with many repeats in a row is given up too',
      options: { tables: { pattern: '^[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*$' } },
      code: `CREATE TABLE ${'a'.repeat(60)}9 (id int PRIMARY KEY);`,
      errors: [{ message: 'table names must match /^[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*$/ (the pattern ran over 200 ms on this name and was given up' }],
    },
    {
      name: 'a table created in an earlier migration is reported where it is defined, not in this file',
      setup: 'CREATE TABLE "Orders" (id int PRIMARY KEY);',
      code: 'CREATE TABLE "LineItems" (id int PRIMARY KEY);',
      errors: [{ message: 'table "LineItems"' }],
    },
  ],
});
