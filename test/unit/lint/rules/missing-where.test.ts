import { rule } from '../../../../src/core/lint/rules/missing-where';
import { runRuleTests } from '../rule-tester';

runRuleTests(rule, {
  valid: [
    { name: 'a backfill of a table the migration created', code: "CREATE TABLE plans (id int, name text);\nINSERT INTO plans VALUES (1, 'free');\nUPDATE plans SET name = lower(name);" },
    'DELETE FROM sessions WHERE expires_at < now();',
    "UPDATE users SET plan = 'free' WHERE id = $1;",
    'TRUNCATE sessions;',
    'DELETE FROM t WHERE CURRENT OF c;',
  ],
  invalid: [
    {
      name: 'a backfill in a migration: a warning about the deploy, not a forgotten WHERE',
      setup: 'CREATE TABLE users (id bigint PRIMARY KEY, plan text);',
      inTransaction: true,
      code: "UPDATE users SET plan = 'free';",
      errors: [{ message: "This backfill rewrites every row of existing table users in the migration's transaction during the deploy: every row stays locked until it commits", line: 1, column: 1, endColumn: 13 }],
      output: null,
    },
    {
      name: 'emptying a table in a migration',
      setup: 'CREATE TABLE sessions (id bigint);',
      code: 'DELETE FROM sessions;',
      errors: [{ message: 'This DELETE removes every row of existing table sessions in one statement during the deploy' }],
    },
    {
      migration: false,
      code: '-- cleanup\nDELETE FROM sessions;',
      errors: [{ message: /DELETE without WHERE removes every row of sessions/, line: 2, column: 1, endColumn: 21 }],
      output: null,
    },
    {
      name: 'UPDATE ONLY with a qualified table and FROM',
      migration: false,
      code: "UPDATE ONLY app.users AS u SET plan = p.name FROM plans p;",
      errors: [{ message: /UPDATE without WHERE rewrites every row of users/, column: 1, endColumn: 22 }],
    },
    {
      name: 'a DELETE in a WITH clause',
      migration: false,
      code: 'WITH gone AS (\n  DELETE FROM orders RETURNING id\n) SELECT count(*) FROM gone;',
      errors: [{ message: 'every row of orders', line: 2, column: 3, endColumn: 21 }],
    },
  ],
});
