import assert from 'node:assert/strict';
import { rule } from '../../../../src/core/lint/rules/nullable-foreign-key';
import { runRuleTests } from '../rule-tester';

describe('nullable-foreign-key registration', () => {
  it('is opt-in (off by default) and has no fix', () => {
    assert.equal(rule.defaultSeverity, 'off');
    assert.equal(rule.kind, 'schema');
    assert.notEqual(rule.fixable, true);
  });
});

const PARENT = 'CREATE TABLE users (id bigint PRIMARY KEY);\n';

runRuleTests(rule, {
  valid: [
    { name: 'NOT NULL key', code: PARENT + 'CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id));' },
    { name: 'ON DELETE SET NULL: optional by design', code: PARENT + 'CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id) ON DELETE SET NULL);' },
    {
      name: 'ON DELETE SET NULL in a table constraint added later',
      code: PARENT + 'CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint);\nALTER TABLE posts ADD CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL;',
    },
    { name: 'self-reference: tree roots have no parent', code: 'CREATE TABLE categories (id bigint PRIMARY KEY, parent_id bigint REFERENCES categories (id));' },
    {
      name: 'a CHECK tests the column with IS NULL (exactly one owner)',
      code:
        PARENT +
        'CREATE TABLE teams (id bigint PRIMARY KEY);\n' +
        'CREATE TABLE docs (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), team_id bigint REFERENCES teams (id),\n' +
        '  CHECK ((user_id IS NULL) <> (team_id IS NULL)));',
    },
    {
      name: 'a CHECK added later tests the column with IS NOT NULL',
      code: PARENT + 'CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), draft boolean);\nALTER TABLE posts ADD CONSTRAINT published_has_user CHECK (draft OR user_id IS NOT NULL);',
    },
    {
      name: 'SET NOT NULL later',
      code: PARENT + 'CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nALTER TABLE posts ALTER COLUMN user_id SET NOT NULL;',
    },
    {
      name: 'composite key with one NOT NULL column',
      code: 'CREATE TABLE a (x int, y int, PRIMARY KEY (x, y));\nCREATE TABLE b (id int PRIMARY KEY, x int NOT NULL, y int, FOREIGN KEY (x, y) REFERENCES a (x, y));',
    },
    { name: 'key column in the primary key', code: PARENT + 'CREATE TABLE profiles (user_id bigint PRIMARY KEY REFERENCES users (id));' },
    { name: 'the foreign key is dropped', code: PARENT + 'CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint CONSTRAINT posts_user_fk REFERENCES users (id));\nALTER TABLE posts DROP CONSTRAINT posts_user_fk;' },
  ],
  invalid: [
    {
      name: 'inline REFERENCES on a nullable column',
      code: PARENT + 'CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));',
      errors: [
        {
          message:
            'foreign key posts_user_id_fkey posts(user_id) → users allows NULL: rows of posts may have no users row, and every join to users needs LEFT JOIN to keep them; ' +
            'if every row has a parent, make it NOT NULL (ALTER TABLE posts ALTER COLUMN user_id SET NOT NULL; ' +
            'on a big table add CHECK (… IS NOT NULL) NOT VALID and VALIDATE it first, see set-not-null-scan), otherwise say why it is optional (ON DELETE SET NULL, a CHECK … IS NULL)',
          line: 2,
        },
      ],
      output: null,
    },
    {
      name: 'ON DELETE CASCADE says the child belongs to its parent',
      code: PARENT + 'CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint);\nALTER TABLE posts ADD CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;',
      errors: [{ message: 'foreign key posts_user_fk posts(user_id) → users allows NULL', line: 3 }],
    },
    {
      name: 'composite key: MATCH SIMPLE',
      code: 'CREATE TABLE a (x int, y int, PRIMARY KEY (x, y));\nCREATE TABLE b (id int PRIMARY KEY, x int, y int, FOREIGN KEY (x, y) REFERENCES a (x, y));',
      errors: [{ message: 'MATCH SIMPLE the whole key is not checked as soon as any of x, y is NULL', line: 2 }],
    },
    {
      name: 'a CHECK on another column does not count; quoted names',
      code:
        'CREATE TABLE "User" (id text PRIMARY KEY);\n' +
        'CREATE TABLE "Post" (id text PRIMARY KEY, "userId" text REFERENCES "User" (id), title text, CHECK (title IS NOT NULL));',
      errors: [{ message: 'foreign key "Post_userId_fkey" "Post"("userId") → "User" allows NULL', line: 2 }],
    },
    {
      name: 'a CHECK dropped later no longer excuses it',
      code:
        PARENT +
        'CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), draft boolean, CONSTRAINT c CHECK (draft OR user_id IS NOT NULL));\n' +
        'ALTER TABLE posts DROP CONSTRAINT c;',
      errors: [{ message: 'posts(user_id) → users allows NULL' }],
    },
    {
      name: 'DROP NOT NULL later',
      code: PARENT + 'CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id));\nALTER TABLE posts ALTER COLUMN user_id DROP NOT NULL;',
      errors: [{ message: 'posts(user_id) → users allows NULL' }],
    },
  ],
});
