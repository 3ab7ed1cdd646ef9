import { rule } from '../../../../src/core/lint/rules/large-in-list';
import { runRuleTests } from '../rule-tester';

const list = (n: number): string => Array.from({ length: n }, (_, i) => String(i + 1)).join(', ');

runRuleTests(rule, {
  valid: [
    `SELECT id FROM users WHERE id IN (${list(50)});`,
    'SELECT id FROM users WHERE id = ANY($1);',
    `SELECT id FROM users WHERE id IN (SELECT user_id FROM orders);`,
    { options: { threshold: 100 }, code: `SELECT id FROM users WHERE id IN (${list(80)});` },
  ],
  invalid: [
    {
      code: `SELECT id FROM users\nWHERE id IN (${list(51)});`,
      errors: [{ message: /IN list of 51 literals \(more than 50\): .*= ANY\(\$1\)/, line: 2, column: 13, endColumn: 13 + list(51).length + 2 }],
      output: null,
    },
    {
      name: 'NOT IN with strings and casts, option threshold',
      options: { threshold: 3 },
      code: "DELETE FROM t WHERE code NOT IN ('a', 'b'::text, 'c', 'd');",
      errors: [{ message: 'IN list of 4 literals (more than 3)', column: 33 }],
    },
    {
      name: 'only literals count',
      options: { threshold: 2 },
      code: 'SELECT 1 FROM t WHERE a IN (1, b, 2, c + 1, 3) AND d IN (x, y, z, 4);',
      errors: [{ message: 'IN list of 3 literals', column: 28 }],
    },
  ],
});
