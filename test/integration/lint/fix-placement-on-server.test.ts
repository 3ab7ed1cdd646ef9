import * as assert from 'node:assert/strict';
import { applyEdits } from '../../../src/core/lint/apply-edits';
import { defaultConfig } from '../../../src/core/config';
import { lintMigrationSet } from '../../../src/core/lint/engine';
import type { Rule } from '../../../src/core/lint/rule';
import { rule as constraintMissingNotValid } from '../../../src/core/lint/rules/constraint-missing-not-valid';
import { rule as fkWithoutIndex } from '../../../src/core/lint/rules/fk-without-index';
import { rule as policyWithoutRls } from '../../../src/core/lint/rules/policy-without-rls';
import { rule as requireLockTimeout } from '../../../src/core/lint/rules/require-lock-timeout';
import { rule as setNotNullScan } from '../../../src/core/lint/rules/set-not-null-scan';
import { rule as uniqueConstraintLocks } from '../../../src/core/lint/rules/unique-constraint-locks';
import { loadSqlParser } from '../../../src/core/sql/parse';
import type { Finding } from '../../../src/core/types';
import { requireServer } from '../db/test-env';
import { statementsOf, withFreshDatabase } from './run-as-runner';

/**
 * Fixes that add statements next to a statement, on the shapes that used to break them: a
 * comment between the statement's last token and its ';' (the fix went after the comment, into
 * it), an unterminated last statement with a trailing comment, and CRLF line breaks (the added
 * text must use the file's). Each fixed migration runs on a fresh database of the real server,
 * statement by statement (autocommit, as CONCURRENTLY needs), and what the fix adds must be there.
 */

interface Case {
  name: string;
  rule: Rule;
  /** An earlier migration: its tables exist. */
  setup: string;
  code: string;
  /** A query answering one row with a boolean column `ok`: what the fix added is in place. */
  check: string;
}

const customers = 'CREATE TABLE customers (id bigint PRIMARY KEY);\nINSERT INTO customers VALUES (1), (2);';
const orders = `${customers}\nCREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total numeric, email text);\nINSERT INTO orders VALUES (1, 1, 10, 'a'), (2, 2, 20, 'b');`;
const rls = `SELECT relrowsecurity AS ok FROM pg_class WHERE oid = 'public."My Tab"'::regclass`;
const index = "SELECT EXISTS (SELECT FROM pg_indexes WHERE tablename = 'orders' AND indexdef LIKE '%(customer_id)') AS ok";
const validated = "SELECT convalidated AS ok FROM pg_constraint WHERE conname = 'total_positive'";

const cases: Case[] = [
  {
    name: 'policy-without-rls: a comment before the policy\'s ";" (the hostile case)',
    rule: policyWithoutRls,
    setup: '',
    code: 'create table "My Tab" (id int, owner text);\ncreate policy p on "My Tab" using (owner = current_user) -- trailing\n;\n',
    check: rls,
  },
  {
    name: 'policy-without-rls: an unterminated last statement with a trailing comment',
    rule: policyWithoutRls,
    setup: '',
    code: 'create table "My Tab" (id int, owner text);\ncreate policy p on "My Tab" using (owner = current_user) /* own; rows */ -- trailing',
    check: rls,
  },
  {
    name: 'policy-without-rls: CRLF',
    rule: policyWithoutRls,
    setup: '',
    code: 'create table "My Tab" (id int, owner text);\r\ncreate policy p on "My Tab" using (owner = current_user) -- trailing\r\n;\r\nselect 1;\r\n',
    check: rls,
  },
  {
    name: 'fk-without-index: a new table, a comment before its ";", CRLF',
    rule: fkWithoutIndex,
    setup: customers,
    code: 'CREATE TABLE orders (\r\n  id bigint PRIMARY KEY,\r\n  customer_id bigint REFERENCES customers\r\n) -- the orders\r\n;\r\n',
    check: index,
  },
  {
    name: 'fk-without-index: an existing table (CREATE INDEX CONCURRENTLY), unterminated with a trailing comment',
    rule: fkWithoutIndex,
    setup: orders,
    code: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID -- later validated\n',
    check: index,
  },
  {
    name: 'constraint-missing-not-valid: a comment before the ";"',
    rule: constraintMissingNotValid,
    setup: orders,
    code: 'ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) -- no refunds\n;\nSELECT 1;\n',
    check: validated,
  },
  {
    name: 'constraint-missing-not-valid: unterminated with a trailing comment, CRLF',
    rule: constraintMissingNotValid,
    setup: orders,
    code: 'SELECT 1;\r\nALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) -- no refunds\r\n',
    check: validated,
  },
  {
    name: 'set-not-null-scan: a comment before the ";", CRLF',
    rule: setNotNullScan,
    setup: orders,
    code: 'ALTER TABLE orders ALTER COLUMN email SET NOT NULL -- now required\r\n;\r\nSELECT 1;\r\n',
    check: "SELECT attnotnull AS ok FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'email'",
  },
  {
    name: 'unique-constraint-locks: a comment before the ";", CRLF',
    rule: uniqueConstraintLocks,
    setup: orders,
    code: 'ALTER TABLE orders ADD CONSTRAINT orders_email_key UNIQUE (email) -- one account per address\r\n;\r\n',
    check: "SELECT EXISTS (SELECT FROM pg_constraint WHERE conname = 'orders_email_key' AND contype = 'u') AS ok",
  },
  {
    name: 'require-lock-timeout: CRLF',
    rule: requireLockTimeout,
    setup: orders,
    code: 'ALTER TABLE orders ADD COLUMN note text -- why\r\n;\r\n',
    check: "SELECT current_setting('lock_timeout') = '5s' AS ok",
  },
];

function lint(rule: Rule, setup: string, code: string): Finding[] {
  const config = defaultConfig('/');
  const files = setup ? [{ file: '001.sql', text: setup }, { file: '002.sql', text: code }] : [{ file: '002.sql', text: code }];
  return lintMigrationSet(files, config, { rules: [rule], onlyFile: '002.sql' }).filter((f) => f.ruleId === rule.id);
}

describe('fixes next to a statement (comments before the ";", unterminated statements, CRLF), on the real server', function () {
  this.timeout(120_000);

  before(async function () {
    await requireServer(this, 'fix placement on the server');
    await loadSqlParser();
  });

  for (const c of cases) {
    it(c.name, async () => {
      const findings = lint(c.rule, c.setup, c.code);
      assert.ok(findings.length > 0, 'expected a finding');
      const edits = findings.flatMap((f) => f.fix?.edits ?? []);
      assert.ok(edits.length > 0, 'expected a fix');
      const fixed = applyEdits(c.code, edits);
      assert.notEqual(fixed, c.code);
      if (c.code.includes('\r\n')) assert.doesNotMatch(fixed, /[^\r]\n/, `a lone LF in a CRLF file:\n${JSON.stringify(fixed)}`);
      if (c.rule !== uniqueConstraintLocks) assert.deepEqual(lint(c.rule, c.setup, fixed).map((f) => f.message), [], `the fixed file is still reported:\n${fixed}`);
      await withFreshDatabase('pglens_fixplace', async (client) => {
        for (const chunk of statementsOf(c.setup)) await client.query(chunk.text);
        // Statement by statement as the parser splits the fixed file: a fix that ended up inside a comment or glued to another statement fails here.
        const chunks = statementsOf(fixed);
        assert.ok(chunks.length > statementsOf(c.code).length || c.rule === setNotNullScan || c.rule === uniqueConstraintLocks, 'the fix adds a statement');
        for (const chunk of chunks) {
          try {
            await client.query(chunk.text);
          } catch (e) {
            assert.fail(`${(e as Error).message} in:\n${chunk.text}\n--- fixed file:\n${fixed}`);
          }
        }
        const { rows } = await client.query(c.check);
        assert.equal(rows[0]?.ok, true, `${c.check}\n--- fixed file:\n${fixed}`);
      });
      // As psql or a runner sends a file it does not split: the whole text in one string (CONCURRENTLY refuses the implicit transaction that makes).
      if (!/CONCURRENTLY/.test(fixed)) {
        await withFreshDatabase('pglens_fixplace', async (client) => {
          if (c.setup) await client.query(c.setup);
          await client.query(fixed);
          // lock_timeout was set for the connection by the fixed file itself.
          const { rows } = await client.query(c.check);
          assert.equal(rows[0]?.ok, true);
        });
      }
    });
  }
});
