import assert from 'node:assert/strict';
import { rule } from '../../../../src/core/lint/rules/prefer-uuid-type';
import { isUuidDefault, namesOtherIdScheme, storesUuidAsText } from '../../../../src/core/schema/uuid-columns';
import { runRuleTests } from '../rule-tester';

describe('isUuidDefault / storesUuidAsText', () => {
  it('recognises generator calls, qualified, parenthesised or cast', () => {
    for (const e of ['gen_random_uuid()', 'uuid()', 'public.uuid_generate_v4()', '(gen_random_uuid())::text', 'uuidv7() :: varchar(36)']) {
      assert.ok(isUuidDefault(e), e);
    }
    for (const e of ["'x'", 'now()', 'cuid()', 'gen_random_uuid()::text || \'x\'', 'md5(random()::text)', 'nanoid()', 'generate_ulid()']) {
      assert.ok(!isUuidDefault(e), e);
    }
  });
  it('needs a text type and a uuid default', () => {
    assert.ok(storesUuidAsText({ type: 'text', default: 'uuid()' }));
    assert.ok(storesUuidAsText({ type: 'varchar', default: 'gen_random_uuid()' }));
    assert.ok(!storesUuidAsText({ type: 'uuid', default: 'gen_random_uuid()' }));
    assert.ok(!storesUuidAsText({ type: 'text', default: undefined }));
    assert.ok(!storesUuidAsText({ type: 'text', default: 'nanoid()' }));
  });
  it('knows names of other id schemes', () => {
    for (const n of ['cuid', 'ulid', 'nanoid', 'public_nanoid', 'ksuid', 'snowflake_id', 'externalCuid', 'slug', 'sha256']) assert.ok(namesOtherIdScheme(n), n);
    for (const n of ['id', 'user_id', 'uuid', 'session_token', 'guid', 'request_id']) assert.ok(!namesOtherIdScheme(n), n);
  });
});

runRuleTests(rule, {
  valid: [
    {
      name: 'a char(36) foreign key column: it must keep the type of the key it references (reported there, once)',
      setup: 'CREATE TABLE users (uuid char(36) PRIMARY KEY);',
      code: 'CREATE TABLE devices (id bigint PRIMARY KEY, user_uuid char(36) NOT NULL REFERENCES users (uuid));\nALTER TABLE devices ADD COLUMN owner_uuid char(36);\nALTER TABLE devices ADD CONSTRAINT devices_owner_fk FOREIGN KEY (owner_uuid) REFERENCES users (uuid);',
    },
    'CREATE TABLE t (id uuid PRIMARY KEY DEFAULT gen_random_uuid());',
    "CREATE TABLE t (id text PRIMARY KEY DEFAULT 'x', slug text DEFAULT md5(random()::text));",
    'CREATE TABLE t (id text PRIMARY KEY);',
    // Ids the application (or a function) fills with another scheme: a uuid column would reject them.
    { name: 'a text id with a nanoid default', code: 'CREATE TABLE links (id text PRIMARY KEY DEFAULT nanoid(), url text NOT NULL);' },
    { name: 'a ulid default in varchar(36)', code: 'CREATE TABLE events (id varchar(36) PRIMARY KEY DEFAULT generate_ulid());' },
    { name: 'a char(36) column named after another scheme', code: 'CREATE TABLE users (id bigint PRIMARY KEY, cuid char(36) UNIQUE, public_nanoid varchar(36));' },
    { name: 'text ids without evidence of UUIDs', code: 'CREATE TABLE users (id varchar(255) PRIMARY KEY, org_id text, external_id varchar(64));' },
    {
      name: 'ALTER TYPE to varchar(36) of a column with a non-uuid default',
      setup: "CREATE TABLE a (id text PRIMARY KEY DEFAULT nanoid());",
      code: 'ALTER TABLE a ALTER COLUMN id TYPE varchar(36);',
    },
  ],
  invalid: [
    {
      code: 'CREATE TABLE sessions (\n  id text PRIMARY KEY DEFAULT gen_random_uuid(),\n  user_id bigint\n);',
      errors: [{ message: /"id" holds gen_random_uuid\(\) values as text: 37 bytes per value instead of 16/, line: 2, column: 3, endColumn: 48 }],
      output: 'CREATE TABLE sessions (\n  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),\n  user_id bigint\n);',
    },
    {
      name: 'a cast default gets no fix (text has no assignment cast to uuid)',
      code: 'CREATE TABLE t (id varchar(36) DEFAULT gen_random_uuid()::text);',
      errors: [{ message: '"id" holds gen_random_uuid() values as varchar', column: 17 }],
      output: null,
    },
    {
      name: 'ADD COLUMN with uuid-ossp',
      setup: 'CREATE TABLE t (a int);',
      code: 'ALTER TABLE t ADD COLUMN token character varying(40) DEFAULT uuid_generate_v4();',
      errors: [{ message: 'uuid_generate_v4()', column: 26 }],
      output: 'ALTER TABLE t ADD COLUMN token uuid DEFAULT uuid_generate_v4();',
    },
    {
      // PG15: "foreign key constraint … cannot be implemented: Key columns "parent_id" and "id" are of incompatible types: text and uuid".
      name: 'a text foreign key in the same statement references it: no fix',
      code: 'CREATE TABLE nodes (\n  id text PRIMARY KEY DEFAULT gen_random_uuid(),\n  parent_id text REFERENCES nodes (id)\n);',
      errors: [{ message: /"id" holds gen_random_uuid\(\).*nodes\.parent_id references it as text/, line: 2 }],
      output: null,
    },
    {
      name: 'a later statement of the file references it: no fix',
      code:
        'CREATE TABLE users (id text PRIMARY KEY DEFAULT gen_random_uuid(), email text);\n' +
        'CREATE TABLE posts (id bigint PRIMARY KEY, author_id text NOT NULL);\n' +
        'ALTER TABLE posts ADD CONSTRAINT posts_author_fk FOREIGN KEY (author_id) REFERENCES users;',
      errors: [{ message: /posts\.author_id references it/, line: 1 }],
      output: null,
    },
    {
      name: 'the column is itself a foreign key: no fix',
      setup: 'CREATE TABLE accounts (id text PRIMARY KEY);',
      code: 'CREATE TABLE profiles (account_id text PRIMARY KEY DEFAULT gen_random_uuid() REFERENCES accounts (id));',
      errors: [{ message: /references accounts/ }],
      output: null,
    },
    {
      // PG15: "function length(uuid) does not exist".
      name: 'a CHECK written for text: no fix',
      code: 'CREATE TABLE t (id text PRIMARY KEY DEFAULT gen_random_uuid(), CHECK (length(id) = 36));',
      errors: [{ message: /a CHECK constraint uses it as text/ }],
      output: null,
    },
    {
      name: 'varchar(36) without a default: evidence of UUIDs, no fix',
      code: 'CREATE TABLE api_keys (\n  id varchar(36) PRIMARY KEY,\n  owner bigint\n);',
      errors: [{ message: /"id" is varchar\(36\), the length of a UUID's text form.*if every value is a UUID/, line: 2 }],
      output: null,
    },
    {
      name: 'a CHECK matching the UUID pattern: no fix',
      code: "CREATE TABLE t (ref text CHECK (ref ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'));",
      errors: [{ message: /"ref" is checked against the UUID pattern/ }],
      output: null,
    },
    {
      name: 'a CHECK casting the column to uuid',
      code: 'CREATE TABLE t (ref varchar(64), CONSTRAINT ref_is_uuid CHECK (ref::uuid IS NOT NULL));',
      errors: [{ message: /"ref" is checked against the UUID pattern/ }],
      output: null,
    },
    {
      name: 'a CHECK on another column does not stand in the way of the fix',
      code: 'CREATE TABLE t (id text PRIMARY KEY DEFAULT gen_random_uuid(), n int CHECK (n > 0), CHECK (n < 10));',
      errors: [{ message: /"id" holds gen_random_uuid\(\)/ }],
      output: 'CREATE TABLE t (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), n int CHECK (n > 0), CHECK (n < 10));',
    },
    {
      // PG15: ALTER … TYPE uuid USING id::uuid fails on the default ("cannot be cast automatically") and on text foreign keys.
      name: 'ALTER TYPE of an existing column filled by a uuid default: no fix, the message says why',
      setup: 'CREATE TABLE a (id text PRIMARY KEY DEFAULT gen_random_uuid()::text);',
      code: 'ALTER TABLE a ALTER COLUMN id TYPE varchar(36);',
      errors: [{ message: /"id" holds gen_random_uuid\(\) values as varchar.*existing column.*foreign key/ }],
      output: null,
    },
  ],
});
