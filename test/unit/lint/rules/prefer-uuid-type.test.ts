import assert from 'node:assert/strict';
import { isUuidDefault, rule, storesUuidAsText } from '../../../../src/core/lint/rules/prefer-uuid-type';
import { runRuleTests } from '../rule-tester';

describe('isUuidDefault / storesUuidAsText', () => {
  it('recognises generator calls, qualified, parenthesised or cast', () => {
    for (const e of ['gen_random_uuid()', 'uuid()', 'public.uuid_generate_v4()', '(gen_random_uuid())::text', 'uuidv7() :: varchar(36)']) {
      assert.ok(isUuidDefault(e), e);
    }
    for (const e of ["'x'", 'now()', 'cuid()', 'gen_random_uuid()::text || \'x\'', 'md5(random()::text)']) {
      assert.ok(!isUuidDefault(e), e);
    }
  });
  it('needs a text type and a uuid default', () => {
    assert.ok(storesUuidAsText({ type: 'text', default: 'uuid()' }));
    assert.ok(storesUuidAsText({ type: 'varchar', default: 'gen_random_uuid()' }));
    assert.ok(!storesUuidAsText({ type: 'uuid', default: 'gen_random_uuid()' }));
    assert.ok(!storesUuidAsText({ type: 'text', default: undefined }));
  });
});

runRuleTests(rule, {
  valid: [
    'CREATE TABLE t (id uuid PRIMARY KEY DEFAULT gen_random_uuid());',
    "CREATE TABLE t (id text PRIMARY KEY DEFAULT 'x', slug text DEFAULT md5(random()::text));",
    'CREATE TABLE t (id text PRIMARY KEY);',
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
  ],
});
