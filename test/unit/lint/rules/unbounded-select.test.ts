import { rule } from '../../../../src/core/lint/rules/unbounded-select';
import { runRuleTests } from '../rule-tester';

const setup =
  'CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE, org_id bigint, active boolean);\n' +
  'CREATE TABLE memberships (org_id bigint, user_id bigint, PRIMARY KEY (org_id, user_id));';

runRuleTests(rule, {
  valid: [
    { setup, code: 'SELECT id, email FROM users WHERE active ORDER BY id LIMIT 100;' },
    { setup, code: 'SELECT id FROM users WHERE email = $1;' },
    { setup, code: 'SELECT count(*) FROM users WHERE active;' },
    { setup, code: 'SELECT org_id, count(*) FROM users GROUP BY org_id;' },
    { setup, code: 'SELECT m.user_id FROM memberships m WHERE m.org_id = $1 AND m.user_id IN (1, 2);' },
    { name: 'unknown table keyed by id', code: 'SELECT name FROM things WHERE id = ANY($1);' },
    'SELECT 1;',
  ],
  invalid: [
    {
      setup,
      code: 'SELECT id, email\nFROM users WHERE active;',
      errors: [{ message: /SELECT from users has no LIMIT, no aggregate and no equality on a key: it returns every matching row/, line: 2, column: 6, endColumn: 11 }],
      output: null,
    },
    {
      name: 'half a composite key, a join equality and LIMIT ALL do not bound it',
      setup,
      code: 'SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 LIMIT ALL;',
      errors: [{ message: 'SELECT from memberships', column: 21 }],
    },
    {
      name: 'a scalar subquery aggregate is not the query aggregating; each UNION arm',
      setup,
      code: 'SELECT id, (SELECT count(*) FROM memberships) FROM users UNION SELECT user_id, 1 FROM memberships WHERE org_id = 1 AND user_id = 2;',
      errors: [{ message: 'SELECT from users', column: 52 }],
    },
  ],
});
