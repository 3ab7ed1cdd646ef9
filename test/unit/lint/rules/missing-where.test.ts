import { rule } from '../../../../src/core/lint/rules/missing-where';
import { runRuleTests } from '../rule-tester';

runRuleTests(rule, {
  valid: [
    'DELETE FROM sessions WHERE expires_at < now();',
    "UPDATE users SET plan = 'free' WHERE id = $1;",
    'TRUNCATE sessions;',
    'DELETE FROM t WHERE CURRENT OF c;',
  ],
  invalid: [
    {
      code: '-- cleanup\nDELETE FROM sessions;',
      errors: [{ message: /DELETE without WHERE removes every row of sessions/, line: 2, column: 1, endColumn: 21 }],
      output: null,
    },
    {
      name: 'UPDATE ONLY with a qualified table and FROM',
      code: "UPDATE ONLY app.users AS u SET plan = p.name FROM plans p;",
      errors: [{ message: /UPDATE without WHERE rewrites every row of users/, column: 1, endColumn: 22 }],
    },
    {
      name: 'a DELETE in a WITH clause',
      code: 'WITH gone AS (\n  DELETE FROM orders RETURNING id\n) SELECT count(*) FROM gone;',
      errors: [{ message: 'every row of orders', line: 2, column: 3, endColumn: 21 }],
    },
  ],
});
