import { rule } from '../../../../src/core/lint/rules/leading-wildcard-like';
import { runRuleTests } from '../rule-tester';

runRuleTests(rule, {
  valid: [
    "SELECT id FROM products WHERE name LIKE 'phone%';",
    "SELECT id FROM products WHERE name LIKE $1 OR name ~ '%x';",
    "SELECT '%phone' AS pattern, name = '%x' FROM products;",
    "SELECT id FROM products WHERE name SIMILAR TO 'x%';",
  ],
  invalid: [
    {
      code: "SELECT id FROM products\nWHERE name ILIKE '%phone%';",
      errors: [{ message: /ILIKE '%phone%' starts with a wildcard: no b-tree index can serve it, so Postgres reads every row and tests the pattern on name/, line: 2, column: 18, endColumn: 27 }],
      output: null,
    },
    {
      name: 'NOT LIKE with a cast pattern and the ~~ operator',
      code: "SELECT 1 FROM t WHERE t.a NOT LIKE '%x'::text AND b ~~* '%y';",
      errors: [
        { message: "NOT LIKE '%x' starts with a wildcard", column: 36 },
        { message: "ILIKE '%y'", column: 57 },
      ],
    },
    {
      name: 'inside a subquery of a DELETE',
      code: "DELETE FROM orders WHERE user_id IN (SELECT id FROM users WHERE email LIKE '%@spam.example');",
      errors: [{ message: "LIKE '%@spam.example'", column: 76 }],
    },
  ],
});
