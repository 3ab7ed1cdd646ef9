import { rule } from '../../../../src/core/lint/rules/not-in-subquery';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE customers (id bigint PRIMARY KEY, name text);\nCREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, status text);';
const notNull = `${setup}\nALTER TABLE customers ADD COLUMN code text NOT NULL;`;

runRuleTests(rule, {
  valid: [
    'SELECT id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id);',
    'SELECT id FROM customers WHERE id IN (SELECT customer_id FROM orders);',
    'SELECT id FROM customers WHERE id NOT IN (1, 2, 3);',
    'SELECT id FROM customers WHERE id <> ANY (SELECT customer_id FROM orders);',
    // The subquery selects a column that cannot be NULL: no NULL, no empty answer.
    { name: 'a primary key column (crates.io)', setup, code: 'DELETE FROM orders WHERE customer_id NOT IN (SELECT id FROM customers);' },
    {
      name: 'a primary key column under a WHERE, quoted (openmeter)',
      setup,
      code: 'UPDATE orders SET status = \'x\'\nWHERE "customer_id" NOT IN (\n    SELECT "id" FROM customers\n    WHERE "name" = \'gathering\'\n);',
    },
    { name: 'a NOT NULL column, qualified by the alias, and <> ALL', setup: notNull, code: 'SELECT 1 FROM orders WHERE status NOT IN (SELECT c.code FROM customers c) AND status <> ALL (SELECT public.customers.code FROM public.customers);' },
    { name: 'a column made NOT NULL later', setup: `${setup}\nALTER TABLE orders ALTER COLUMN status SET NOT NULL;`, code: 'SELECT 1 FROM customers WHERE name NOT IN (SELECT status FROM orders);' },
    { name: 'a primary key declared as a table constraint', setup: 'CREATE TABLE tags (name text, PRIMARY KEY (name));\nCREATE TABLE posts (tag text);', code: 'SELECT * FROM posts WHERE tag NOT IN (SELECT name FROM tags);' },
  ],
  invalid: [
    {
      setup,
      code: "SELECT id FROM customers c\nWHERE c.id NOT IN (SELECT customer_id FROM orders WHERE status = 'open' OR status IS NULL);",
      errors: [{ message: /NOT IN \(SELECT …\): if the subquery returns a single NULL, this condition is never true and the query silently returns no rows/, line: 2, column: 7, endLine: 2, endColumn: 91 }],
      output: "SELECT id FROM customers c\nWHERE NOT EXISTS (SELECT 1 FROM orders WHERE customer_id = c.id AND (status = 'open' OR status IS NULL));",
    },
    {
      name: 'unqualified outer column absent from the inner table; NOT (x IN …) form',
      setup,
      code: 'SELECT name FROM customers WHERE NOT (name IN (SELECT status FROM orders o));',
      errors: [{ message: 'NOT IN (SELECT …)', column: 34, endColumn: 77 }],
      output: 'SELECT name FROM customers WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE status = name);',
    },
    {
      name: 'a trailing line comment inside the subquery stays out of the rewrite',
      setup,
      code: 'SELECT 1 FROM customers c WHERE c.id NOT IN (\n  SELECT customer_id FROM orders WHERE status = $1 -- open ones\n);',
      errors: [{ message: 'NOT IN (SELECT …)', line: 1, column: 33, endLine: 3, endColumn: 2 }],
      output: 'SELECT 1 FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders WHERE customer_id = c.id AND status = $1);',
    },
    {
      name: 'a NOT NULL column, but not a plain SELECT col FROM table',
      setup: notNull,
      code:
        'SELECT 1 FROM orders WHERE customer_id NOT IN (SELECT max(id) FROM customers)\n' +
        '  AND customer_id NOT IN (SELECT id FROM customers UNION SELECT customer_id FROM orders)\n' +
        '  AND status NOT IN (SELECT c.code FROM orders o RIGHT JOIN customers c ON c.id = o.customer_id)\n' +
        '  AND status NOT IN (WITH x AS (SELECT 1) SELECT code FROM customers);',
      errors: [{ line: 1 }, { line: 2 }, { line: 3 }, { line: 4 }],
    },
    {
      name: 'a column of the outer query, a table unknown to pglens, or one a CTE hides',
      setup,
      code:
        'SELECT 1 FROM orders o WHERE o.id NOT IN (SELECT o.customer_id FROM customers)\n' +
        '  AND o.id NOT IN (SELECT customer_id FROM customers)\n' +
        '  AND o.id NOT IN (SELECT id FROM legacy_customers);\n' +
        'WITH customers AS (SELECT NULL::bigint AS id) SELECT 1 FROM orders WHERE customer_id NOT IN (SELECT id FROM customers);',
      errors: [{ line: 1 }, { line: 2 }, { line: 3 }, { line: 4 }],
    },
    {
      name: 'no fix where the rewrite is not mechanical',
      setup,
      code:
        'SELECT 1 FROM customers WHERE id NOT IN (SELECT customer_id FROM orders)\n' +
        '  AND lower(name) NOT IN (SELECT DISTINCT status FROM orders)\n' +
        '  AND (id, name) NOT IN (SELECT id, status FROM orders)\n' +
        '  AND id <> ALL (SELECT customer_id FROM orders);',
      errors: [
        { message: 'NOT IN (SELECT …)', line: 1, column: 31, endColumn: 73 },
        { message: 'NOT IN (SELECT …)', line: 2, column: 7, endColumn: 62 },
        { message: 'NOT IN (SELECT …)', line: 3, column: 7 },
        { message: '<> ALL (SELECT …) is NOT IN', line: 4, column: 7, endColumn: 49 },
      ],
      output: null,
    },
  ],
});
