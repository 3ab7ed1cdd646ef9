import { rule } from '../../../../src/core/lint/rules/require-concurrent-detach-partition';
import { runRuleTests } from '../rule-tester';

const setup =
  'CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\n' +
  "CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');";

runRuleTests(rule, {
  valid: [
    { setup, code: 'ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;' },
    { setup, code: 'ALTER TABLE events DETACH PARTITION events_2023 FINALIZE;' },
    {
      name: 'partitioned table created in the same file',
      code: 'CREATE TABLE p (a int) PARTITION BY LIST (a);\nCREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);\nALTER TABLE p DETACH PARTITION p1;',
    },
    { setup, code: "ALTER TABLE events ATTACH PARTITION events_2023 FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');" },
    {
      name: 'the default partition was dropped earlier in the file',
      setup,
      code: 'CREATE TABLE events_other PARTITION OF events DEFAULT;\nDROP TABLE events_other;\nALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;',
    },
  ],
  invalid: [
    {
      setup,
      code: 'ALTER TABLE events DETACH PARTITION events_2023;',
      errors: [
        {
          message:
            'DETACH PARTITION events_2023 without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on events: every query on events, and every INSERT and UPDATE on its other partitions, ' +
            'waits until it is done (and behind any long query it waits for). Use DETACH PARTITION … CONCURRENTLY (Postgres 14+; not when the table has a DEFAULT partition).',
          line: 1,
          column: 20,
          endColumn: 48,
        },
      ],
      output: 'ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;',
    },
    {
      name: 'qualified names, and a comment after the partition',
      code: 'alter table app.events detach partition app.events_2023 -- old year\n;',
      errors: [{ message: 'DETACH PARTITION app.events_2023 without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on app.events' }],
      output: 'alter table app.events detach partition app.events_2023 CONCURRENTLY -- old year\n;',
    },
    {
      name: 'no fix inside a transaction',
      setup,
      inTransaction: true,
      code: 'ALTER TABLE events DETACH PARTITION events_2023;',
      errors: [{ message: "Use DETACH PARTITION … CONCURRENTLY (Postgres 14+; not when the table has a DEFAULT partition), which cannot run inside this migration's transaction." }],
      output: null,
    },
    {
      name: 'no fix before Postgres 14',
      setup,
      postgresVersion: 13,
      code: 'ALTER TABLE events DETACH PARTITION events_2023;',
      errors: [{ message: 'Postgres before 14 cannot detach concurrently: set a short lock_timeout and retry at a quiet time.' }],
      output: null,
    },
    {
      name: 'no fix when the file gave the table a default partition',
      setup,
      code: 'CREATE TABLE events_other PARTITION OF events DEFAULT;\nALTER TABLE events DETACH PARTITION events_2023;',
      errors: [{ message: 'CONCURRENTLY would fail here, because events has a default partition (public.events_other)', line: 2 }],
      output: null,
    },
    {
      name: 'CONCURRENTLY in a transaction fails',
      setup,
      inTransaction: true,
      code: 'ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;',
      errors: [
        {
          message:
            'DETACH PARTITION … CONCURRENTLY inside a transaction fails with "cannot run inside a transaction block", so this migration aborts. ' +
            'Move it to its own migration file that the runner does not wrap in a transaction (and no BEGIN … COMMIT around it).',
          column: 49,
          endColumn: 61,
        },
      ],
      output: null,
    },
    {
      name: 'CONCURRENTLY with a default partition fails',
      setup,
      code: 'ALTER TABLE events ATTACH PARTITION events_misc DEFAULT;\nALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;',
      errors: [
        {
          message:
            'DETACH PARTITION … CONCURRENTLY fails with "cannot detach partitions concurrently when a default partition exists" (public.events_misc), so this migration aborts. ' +
            'Detach without CONCURRENTLY (with a short lock_timeout), or detach the default partition first.',
          line: 2,
        },
      ],
      output: null,
    },
  ],
});
