import { rule } from '../../../../src/core/lint/rules/constraint-missing-not-valid';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric);';

runRuleTests(rule, {
  valid: [
    { setup, code: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;' },
    { setup, code: 'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;' },
    { setup, code: 'ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID;' },
    { name: 'table created in the same file', code: 'CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT a_pos CHECK (a > 0);' },
  ],
  invalid: [
    {
      name: 'in the runner\'s transaction: NOT VALID now, VALIDATE in the next migration (in the same transaction it gains nothing)',
      setup,
      inTransaction: true,
      code: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
      errors: [{ message: 'This migration runs in one transaction, where a VALIDATE would still scan under the lock NOT VALID took: put ALTER TABLE … VALIDATE CONSTRAINT orders_user_fk in the next migration.' }],
      output: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;',
    },
    {
      setup,
      code: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
      errors: [{ message: 'SHARE ROW EXCLUSIVE', line: 1, column: 24, endColumn: 93 }],
      output:
        'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n' +
        'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;',
    },
    {
      name: 'unnamed foreign key gets the name Postgres gives it',
      setup,
      code: 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id);\nSELECT 1;',
      errors: [{ column: 24 }],
      output: 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey;\nSELECT 1;',
    },
    {
      setup,
      code: 'ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0)',
      errors: [{ message: 'CHECK constraint total_positive' }],
      output: 'ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT total_positive;',
    },
    { name: 'unnamed CHECK has no fix', setup, code: 'ALTER TABLE orders ADD CHECK (total > 0);', errors: [{}], output: null },
    {
      name: 'a comment before the ";": NOT VALID goes before the comment, the VALIDATE after the ";"',
      setup,
      code: 'ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) -- no refunds\n;\nSELECT 1;',
      errors: [{ message: 'CHECK constraint total_positive' }],
      output: 'ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID -- no refunds\n;\nALTER TABLE orders VALIDATE CONSTRAINT total_positive;\nSELECT 1;',
    },
    {
      name: 'the last statement has no ";" and a trailing comment',
      setup,
      code: 'ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) -- no refunds\n',
      errors: [{ message: 'CHECK constraint total_positive' }],
      output: 'ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT total_positive; -- no refunds\n',
    },
    {
      name: 'a CRLF file gets CRLF line breaks',
      setup,
      code: 'ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0);\r\nSELECT 1;\r\n',
      errors: [{ message: 'CHECK constraint total_positive' }],
      output: 'ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID;\r\nALTER TABLE orders VALIDATE CONSTRAINT total_positive;\r\nSELECT 1;\r\n',
    },
  ],
});
