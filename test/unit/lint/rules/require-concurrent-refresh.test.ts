import { rule } from '../../../../src/core/lint/rules/require-concurrent-refresh';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);\nCREATE MATERIALIZED VIEW order_totals AS SELECT id, total FROM orders;';

runRuleTests(rule, {
  valid: [
    { setup, code: 'REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;' },
    {
      name: 'view created in the same file',
      code: 'CREATE MATERIALIZED VIEW mv AS SELECT 1 AS a;\nREFRESH MATERIALIZED VIEW mv;',
    },
    {
      name: 'view created WITH NO DATA in the same file, then populated',
      code: 'CREATE MATERIALIZED VIEW app.mv AS SELECT 1 AS a WITH NO DATA;\nREFRESH MATERIALIZED VIEW app.mv;',
    },
    {
      name: 'view created in the same file with a unique index, refreshed concurrently',
      code: 'CREATE MATERIALIZED VIEW mv AS SELECT 1 AS a;\nCREATE UNIQUE INDEX mv_a ON mv (a);\nREFRESH MATERIALIZED VIEW CONCURRENTLY mv;',
    },
    {
      name: 'search_path resolves the view created in the file',
      code: 'SET search_path = app;\nCREATE MATERIALIZED VIEW mv AS SELECT 1 AS a;\nCREATE UNIQUE INDEX mv_a ON mv (a);\nREFRESH MATERIALIZED VIEW CONCURRENTLY app.mv;',
    },
    {
      name: 'WITH NO DATA runs no query',
      setup,
      code: 'REFRESH MATERIALIZED VIEW order_totals WITH NO DATA;',
    },
    {
      name: 'the fixed form',
      setup,
      code: 'CREATE UNIQUE INDEX CONCURRENTLY order_totals_id ON order_totals (id);\nREFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;',
    },
    {
      name: 'IF NOT EXISTS may keep an older view with its own indexes',
      code: 'CREATE MATERIALIZED VIEW IF NOT EXISTS mv AS SELECT 1 AS a;\nREFRESH MATERIALIZED VIEW CONCURRENTLY mv;',
    },
    'SELECT 1;',
    {
      name: 'CONCURRENTLY on a view without a unique index is matview-refresh-needs-unique-index\'s finding',
      code: 'CREATE MATERIALIZED VIEW mv AS SELECT 1 AS a;\nCREATE UNIQUE INDEX mv_a ON mv (a) WHERE a > 0;\nREFRESH MATERIALIZED VIEW CONCURRENTLY mv;',
    },
  ],
  invalid: [
    {
      setup,
      code: 'REFRESH MATERIALIZED VIEW order_totals;',
      errors: [
        {
          message:
            'REFRESH MATERIALIZED VIEW order_totals without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on it: every query reading order_totals waits until the refresh query has run to the end. ' +
            'Use REFRESH MATERIALIZED VIEW CONCURRENTLY, which lets readers keep the old contents meanwhile; it needs a unique index, so create a unique index on plain columns of the view, ' +
            'without WHERE (CREATE UNIQUE INDEX CONCURRENTLY), first.',
          line: 1,
          column: 1,
          endColumn: 26,
        },
      ],
      output: null,
    },
    {
      name: 'a unique index created earlier in the file: fix',
      setup,
      code: 'CREATE UNIQUE INDEX CONCURRENTLY order_totals_id ON order_totals (id);\nREFRESH MATERIALIZED VIEW order_totals;',
      errors: [{ message: 'Use REFRESH MATERIALIZED VIEW CONCURRENTLY, which lets readers keep the old contents meanwhile (it uses the unique index order_totals_id).', line: 2 }],
      output: 'CREATE UNIQUE INDEX CONCURRENTLY order_totals_id ON order_totals (id);\nREFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;',
    },
    {
      name: 'a partial or expression unique index does not do',
      setup,
      code:
        'CREATE UNIQUE INDEX order_totals_p ON order_totals (id) WHERE total > 0;\nCREATE UNIQUE INDEX order_totals_e ON order_totals ((id + 0));\n' +
        'REFRESH MATERIALIZED VIEW order_totals;',
      errors: [{ message: 'it needs a unique index', line: 3 }],
      output: null,
    },
    {
      name: 'a dropped unique index does not do',
      setup,
      code: 'CREATE UNIQUE INDEX order_totals_id ON order_totals (id);\nDROP INDEX order_totals_id;\nREFRESH MATERIALIZED VIEW order_totals;',
      errors: [{ message: 'it needs a unique index' }],
      output: null,
    },
    {
      name: 'view unknown to the migrations is an existing one (also inside a transaction)',
      inTransaction: true,
      code: 'refresh materialized view app.sales;',
      errors: [{ message: 'REFRESH MATERIALIZED VIEW app.sales without CONCURRENTLY' }],
      output: null,
    },
    {
      name: 'CONCURRENTLY with WITH NO DATA fails',
      setup,
      code: 'REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals WITH NO DATA;',
      errors: [
        {
          message:
            'REFRESH MATERIALIZED VIEW CONCURRENTLY fails with "CONCURRENTLY and WITH NO DATA options cannot be used together". Drop one of them. This migration aborts.',
          column: 27,
          endColumn: 39,
        },
      ],
      output: null,
    },
    {
      name: 'CONCURRENTLY on a view never populated fails',
      code: 'CREATE MATERIALIZED VIEW mv AS SELECT 1 AS a WITH NO DATA;\nCREATE UNIQUE INDEX mv_a ON mv (a);\nREFRESH MATERIALIZED VIEW CONCURRENTLY mv;',
      errors: [
        {
          message:
            'REFRESH MATERIALIZED VIEW CONCURRENTLY fails with "CONCURRENTLY cannot be used when the materialized view is not populated": mv was created WITH NO DATA. ' +
            'Refresh it without CONCURRENTLY the first time (it has no readers yet). This migration aborts.',
          line: 3,
        },
      ],
      output: null,
    },
  ],
});
