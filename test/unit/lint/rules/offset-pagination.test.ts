import { rule } from '../../../../src/core/lint/rules/offset-pagination';
import { runRuleTests } from '../rule-tester';

runRuleTests(rule, {
  valid: [
    'SELECT id FROM posts ORDER BY id LIMIT 20 OFFSET 999;',
    'SELECT id FROM posts WHERE id > $1 ORDER BY id LIMIT 20;',
    'SELECT id FROM posts OFFSET 0;',
    { options: { threshold: 5000 }, code: 'SELECT id FROM posts OFFSET 4000;' },
  ],
  invalid: [
    {
      code: 'SELECT id FROM posts\nORDER BY created_at DESC\nLIMIT 20 OFFSET $1;',
      errors: [{ message: /OFFSET \$1 \(a parameter, so it grows page after page\) makes Postgres produce and throw away every skipped row.*keyset pagination/, line: 3, column: 10, endColumn: 19 }],
      output: null,
    },
    {
      name: 'literal ≥ 1000 with ROWS, in a subquery',
      code: 'SELECT * FROM (SELECT id FROM posts ORDER BY id OFFSET 5000 ROWS FETCH FIRST 10 ROWS ONLY) p;',
      errors: [{ message: 'OFFSET 5000 makes Postgres produce and throw away 5,000 rows', column: 49, endColumn: 65 }],
    },
    {
      name: 'cast literal and lowered threshold',
      options: { threshold: 100 },
      code: "SELECT id FROM posts LIMIT 10 offset '200'::int;",
      errors: [{ message: 'OFFSET 200', column: 31, endColumn: 48 }],
    },
  ],
});
