import { rule } from '../../../../src/core/lint/rules/exclusion-constraint-locks';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE bookings (id bigint PRIMARY KEY, room int, during tstzrange);';

runRuleTests(rule, {
  valid: [
    {
      name: 'table created in the same file',
      code: 'CREATE TABLE b (room int, during tstzrange);\nALTER TABLE b ADD CONSTRAINT b_no_overlap EXCLUDE USING gist (during WITH &&);',
    },
    { name: 'inline in CREATE TABLE', code: 'CREATE TABLE b (during tstzrange, EXCLUDE USING gist (during WITH &&));' },
    { name: 'other constraints are other rules’ business', setup, code: 'ALTER TABLE bookings ADD CONSTRAINT c CHECK (room > 0) NOT VALID;' },
  ],
  invalid: [
    {
      setup,
      code: 'ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);',
      errors: [
        {
          message:
            'Adding exclusion constraint bookings_no_overlap to existing table bookings builds its gist index and checks every row against the others ' +
            'under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole build (minutes on millions of rows). ' +
            'An exclusion constraint cannot be built CONCURRENTLY, added NOT VALID, or attached USING INDEX: ' +
            'run it in a maintenance window, or create a new table with the constraint, copy the rows into it, and swap the names.',
          line: 1,
          column: 26,
          endColumn: 105,
        },
      ],
      output: null,
    },
    {
      name: 'unnamed, default access method (btree), with a WHERE, in a transaction',
      setup,
      inTransaction: true,
      code: 'ALTER TABLE public.bookings ADD EXCLUDE (room WITH =) WHERE (room > 0);',
      errors: [{ message: 'Adding exclusion constraint to existing table public.bookings builds its btree index and' }],
      output: null,
    },
    {
      name: 'one finding per constraint',
      setup,
      code: 'ALTER TABLE bookings\n  ADD EXCLUDE USING gist (during WITH &&),\n  ADD EXCLUDE USING gist (room WITH =, during WITH &&);',
      errors: [{ line: 2, column: 7 }, { line: 3, column: 7 }],
      output: null,
    },
  ],
});
