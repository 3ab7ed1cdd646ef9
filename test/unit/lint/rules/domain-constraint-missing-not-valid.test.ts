import { rule } from '../../../../src/core/lint/rules/domain-constraint-missing-not-valid';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE DOMAIN positive_amount AS numeric;\nCREATE TABLE orders (id bigint PRIMARY KEY, total positive_amount);';

runRuleTests(rule, {
  valid: [
    { setup, code: 'ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_check CHECK (VALUE > 0) NOT VALID;' },
    { setup, code: 'ALTER DOMAIN positive_amount VALIDATE CONSTRAINT positive_amount_check;' },
    { setup, code: 'ALTER DOMAIN positive_amount DROP CONSTRAINT positive_amount_check;' },
    { setup, code: 'ALTER DOMAIN positive_amount SET DEFAULT 0;' },
    {
      name: 'domain created in the same file',
      code: 'CREATE DOMAIN app.code AS text;\nCREATE TABLE app.t (c app.code);\nALTER DOMAIN app.code ADD CONSTRAINT code_check CHECK (VALUE <> \'\');',
    },
    {
      name: 'domain created in the same file, unqualified under search_path',
      code: 'SET search_path TO app;\nCREATE DOMAIN code AS text;\nALTER DOMAIN app.code ADD CHECK (VALUE <> \'\');',
    },
    { name: 'the fixed form', setup, code: 'ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_check CHECK (VALUE > 0) NOT VALID;' },
  ],
  invalid: [
    {
      setup,
      code: 'ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_check CHECK (VALUE > 0);',
      errors: [
        {
          message:
            'Adding CHECK constraint positive_amount_check to domain positive_amount checks every stored value of every column of that type, in every table, ' +
            'holding a SHARE lock on each of those tables: their INSERT, UPDATE and DELETE wait for the whole scan (and one bad value aborts the migration). ' +
            'Add it NOT VALID (instant; new values are checked from then on), then run ALTER DOMAIN positive_amount VALIDATE CONSTRAINT positive_amount_check in a later migration, at a quiet time.',
          line: 1,
          column: 34,
          endColumn: 84,
        },
      ],
      output: 'ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_check CHECK (VALUE > 0) NOT VALID;',
    },
    {
      name: 'unnamed constraint: Postgres names it <domain>_check',
      code: 'alter domain app."Amount" add check (value > 0) -- no negatives\n;',
      errors: [{ message: 'then run ALTER DOMAIN app."Amount" VALIDATE CONSTRAINT "Amount_check" in a later migration' }],
      output: 'alter domain app."Amount" add check (value > 0) NOT VALID -- no negatives\n;',
    },
    {
      name: 'domain dropped and not re-created in this file is not new',
      code: 'CREATE DOMAIN d AS int;\nDROP DOMAIN d;\nALTER DOMAIN d ADD CONSTRAINT d_pos CHECK (VALUE > 0);',
      errors: [{ message: 'Adding CHECK constraint d_pos to domain d', line: 3 }],
      output: 'CREATE DOMAIN d AS int;\nDROP DOMAIN d;\nALTER DOMAIN d ADD CONSTRAINT d_pos CHECK (VALUE > 0) NOT VALID;',
    },
    {
      name: 'inside a transaction the fix still applies',
      setup,
      inTransaction: true,
      code: 'ALTER DOMAIN public.positive_amount ADD CONSTRAINT c CHECK (VALUE IS NOT NULL);',
      errors: [{ message: 'ALTER DOMAIN public.positive_amount VALIDATE CONSTRAINT c' }],
      output: 'ALTER DOMAIN public.positive_amount ADD CONSTRAINT c CHECK (VALUE IS NOT NULL) NOT VALID;',
    },
  ],
});
