import { rule } from '../../../../src/core/lint/rules/order-by-random';
import { runRuleTests } from '../rule-tester';

runRuleTests(rule, {
  valid: [
    'SELECT id FROM products ORDER BY created_at DESC LIMIT 5;',
    'SELECT random() AS r FROM products;',
    'SELECT id FROM products TABLESAMPLE SYSTEM (1) LIMIT 5;',
    'SELECT id FROM products ORDER BY random(3);',
  ],
  invalid: [
    {
      code: 'SELECT id, title FROM products\nORDER BY random() LIMIT 5;',
      errors: [{ message: /ORDER BY random\(\) computes random\(\) for every row of the input and sorts them all to return 5/, line: 2, column: 10, endColumn: 18 }],
      output: null,
    },
    {
      name: 'second sort key, qualified, in a subquery',
      code: 'SELECT * FROM (SELECT id FROM t ORDER BY a, pg_catalog.random ( )) s;',
      errors: [{ message: 'sorts them all:', column: 45, endColumn: 66 }],
    },
    {
      name: 'in a CTE and a UNION arm',
      code: 'WITH r AS (SELECT id FROM a ORDER BY RANDOM()) (SELECT id FROM r) UNION ALL (SELECT id FROM b ORDER BY random() LIMIT 1);',
      errors: [{ message: 'ORDER BY random()', column: 38 }, { message: 'to return 1', column: 104 }],
    },
  ],
});
