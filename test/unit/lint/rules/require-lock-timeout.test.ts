import { rule } from '../../../../src/core/lint/rules/require-lock-timeout';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id bigint PRIMARY KEY, email text);';

runRuleTests(rule, {
  valid: [
    { setup, code: "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN name text;" },
    { setup, code: "SET LOCAL lock_timeout TO '2s';\nDROP TABLE users;" },
    { name: 'table created in the same file', code: 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;' },
    { setup, code: 'ALTER TABLE users VALIDATE CONSTRAINT c;' },
    { setup, code: 'CREATE INDEX CONCURRENTLY i ON users (email);' },
    { setup, code: 'SELECT * FROM users;' },
    { name: 'a session SET inside a committed transaction lasts', setup, code: "BEGIN;\nSET lock_timeout = '2s';\nCOMMIT;\nALTER TABLE users ADD COLUMN b int;" },
    { name: 'SET LOCAL before the statement in the same transaction', setup, code: "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE users ADD COLUMN b int;\nCOMMIT;" },
    { name: "set_config('lock_timeout', …) counts", setup, code: "SELECT set_config('lock_timeout', '3s', false);\nALTER TABLE users ADD COLUMN b int;" },
    { name: 'set_config local inside the migration transaction counts', setup, inTransaction: true, code: "SELECT set_config('lock_timeout', '3s', true);\nALTER TABLE users ADD COLUMN b int;" },
    { name: 'a session SET before BEGIN survives the COMMIT', setup, code: "SET lock_timeout = '2s';\nBEGIN;\nSET LOCAL lock_timeout = '9s';\nCOMMIT;\nALTER TABLE users ADD COLUMN b int;" },
  ],
  invalid: [
    {
      setup,
      code: 'ALTER TABLE users ADD COLUMN name text;',
      errors: [{ message: /ACCESS EXCLUSIVE lock on users with no lock_timeout set: while a lock waits behind a long-running query, every read and write of the table queues behind it/, line: 1, column: 1, endColumn: 12 }],
      output: "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN name text;",
    },
    {
      name: 'one finding per migration, at its first locking statement, listing what the later ones lock',
      setup: setup + '\nCREATE TABLE orders (id int);',
      code: 'SELECT 1;\nALTER TABLE users ADD COLUMN a int;\nCREATE TABLE fresh (id int);\nALTER TABLE fresh ADD COLUMN b int;\nALTER TABLE orders DROP COLUMN id;\nALTER TABLE users DROP COLUMN email;',
      errors: [{ line: 2, message: 'lock on users, orders (and 2 later statements of this migration lock too) with no lock_timeout' }],
      output: "SELECT 1;\nSET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN a int;\nCREATE TABLE fresh (id int);\nALTER TABLE fresh ADD COLUMN b int;\nALTER TABLE orders DROP COLUMN id;\nALTER TABLE users DROP COLUMN email;",
    },
    {
      name: 'a timeout reset to 0 does not count',
      setup,
      code: 'SET lock_timeout = 0;\nTRUNCATE users;',
      errors: [{ line: 2 }],
    },
    { name: "a zero with a unit ('0s') does not count either", setup, code: "SET lock_timeout = '0s';\nTRUNCATE users;", errors: [{ line: 2 }] },
    { name: 'nor does 0.0', setup, code: 'SET lock_timeout = 0.0;\nTRUNCATE users;', errors: [{ line: 2 }] },
    {
      name: 'SET LOCAL ends with its transaction',
      setup,
      code: "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE users ADD COLUMN a int;\nCOMMIT;\nALTER TABLE users ADD COLUMN b int;",
      errors: [{ line: 5 }],
    },
    {
      name: 'a timeout set between two unprotected stretches: one finding each',
      setup,
      code: "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE users ADD COLUMN a int;\nCOMMIT;\nALTER TABLE users ADD COLUMN b int;\nALTER TABLE users ADD COLUMN c int;",
      errors: [{ line: 5, message: '(and 1 later statement' }],
    },
    {
      name: 'ROLLBACK undoes a SET made in the transaction',
      setup,
      code: "BEGIN;\nSET lock_timeout = '2s';\nROLLBACK;\nALTER TABLE users ADD COLUMN b int;",
      errors: [{ line: 4 }],
    },
    { name: 'a new table referencing an existing one locks it', setup, code: 'CREATE TABLE orders (id int, user_id bigint REFERENCES users (id));', errors: [{ message: /SHARE ROW EXCLUSIVE lock on users .*, every write \(INSERT, UPDATE, DELETE\) of the table queues behind it/ }] },
    { name: 'foreign key locks both tables', setup: setup + '\nCREATE TABLE orders (id int, user_id bigint);', code: 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;', errors: [{ message: 'orders, users' }] },
    {
      name: 'a CRLF file gets CRLF line breaks',
      setup,
      code: 'ALTER TABLE users ADD COLUMN name text -- x\r\n;\r\n',
      errors: [{ line: 1 }],
      output: "SET lock_timeout = '5s';\r\nALTER TABLE users ADD COLUMN name text -- x\r\n;\r\n",
    },
  ],
});
