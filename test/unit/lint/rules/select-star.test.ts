import { rule } from '../../../../src/core/lint/rules/select-star';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id bigint PRIMARY KEY, email text, "Name" text);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);';

runRuleTests(rule, {
  valid: [
    'SELECT id, email FROM users;',
    'SELECT count(*) FROM users;',
    'SELECT id FROM users u WHERE EXISTS (SELECT * FROM orders o WHERE o.user_id = u.id);',
    'WITH recent AS (SELECT * FROM orders) SELECT id FROM recent;',
    'SELECT id FROM (SELECT * FROM users) s;',
    'SELECT row_to_json(u.*) FROM users u;',
  ],
  invalid: [
    {
      setup,
      code: 'SELECT * FROM users WHERE id = $1;',
      errors: [{ message: /SELECT \* returns all 3 columns of users: adding, dropping or reordering a column changes what every client receives/, line: 1, column: 8, endColumn: 9 }],
      output: 'SELECT id, email, "Name" FROM users WHERE id = $1;',
    },
    {
      name: 't.* in a join: fixed from the alias, the other table qualified',
      setup,
      code: 'SELECT u.*, o.id\nFROM users u JOIN orders o ON o.user_id = u.id;',
      errors: [{ message: 'SELECT u.* returns all 3 columns of users', line: 1, column: 8, endColumn: 11 }],
      output: 'SELECT u.id, u.email, u."Name", o.id\nFROM users u JOIN orders o ON o.user_id = u.id;',
    },
    {
      name: 'each UNION arm and the final select after WITH; no fix for a join or an unknown table',
      code: 'WITH x AS (SELECT 1) SELECT * FROM a JOIN b USING (k)\nUNION ALL\nSELECT * FROM c;',
      errors: [
        { message: 'SELECT * returns every column', line: 1, column: 29 },
        { message: 'SELECT * returns every column', line: 3, column: 8 },
      ],
      output: null,
    },
    {
      name: 'a table whose columns the schema does not know gets no fix',
      code: 'CREATE TABLE report AS SELECT 1 AS n;\nSELECT * FROM report;',
      errors: [{ message: 'SELECT * returns every column', line: 2, column: 8 }],
      output: null,
    },
  ],
});
