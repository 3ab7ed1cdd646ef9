import assert from 'node:assert/strict';
import { isRefreshKey, rule } from '../../../../src/core/lint/rules/matview-refresh-needs-unique-index';
import type { Index } from '../../../../src/core/schema/model';
import { runRuleTests } from '../rule-tester';

describe('isRefreshKey', () => {
  it('accepts a valid unique index on plain columns without WHERE', () => {
    const index = (over: Partial<Index>): Index => ({
      name: 'i', schema: 'public', table: 'mv', columns: ['id'], include: [], unique: true, primary: false, constraint: false, method: 'btree', valid: true, ...over,
    });
    assert.equal(isRefreshKey(index({})), true);
    assert.equal(isRefreshKey(index({ columns: ['a', 'b'] })), true);
    assert.equal(isRefreshKey(index({ unique: false })), false);
    assert.equal(isRefreshKey(index({ where: 'id > 0' })), false);
    assert.equal(isRefreshKey(index({ columns: ['(lower(name))'] })), false);
    assert.equal(isRefreshKey(index({ valid: false })), false);
  });
});

const setup = 'CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);\nCREATE MATERIALIZED VIEW order_totals AS SELECT id, total FROM orders;';

runRuleTests(rule, {
  valid: [
    { name: 'a unique index created in an earlier migration', setup: `${setup}\nCREATE UNIQUE INDEX order_totals_id ON order_totals (id);`, code: 'REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;' },
    { name: 'a unique index created earlier in the file', setup, code: 'CREATE UNIQUE INDEX CONCURRENTLY order_totals_id ON order_totals (id);\nREFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;' },
    { name: 'without CONCURRENTLY (require-concurrent-refresh judges that)', setup, code: 'REFRESH MATERIALIZED VIEW order_totals;' },
    { name: 'CONCURRENTLY … WITH NO DATA fails anyway (require-concurrent-refresh says so)', setup, code: 'REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals WITH NO DATA;' },
    { name: 'a view the migrations do not create', code: 'REFRESH MATERIALIZED VIEW CONCURRENTLY reports.daily;' },
    { name: 'IF NOT EXISTS may keep an older view with its own indexes', code: 'CREATE MATERIALIZED VIEW IF NOT EXISTS mv AS SELECT 1 AS a;\nREFRESH MATERIALIZED VIEW CONCURRENTLY mv;' },
    {
      name: 'search_path and a schema-qualified index target',
      code: 'SET search_path = app;\nCREATE MATERIALIZED VIEW mv AS SELECT 1 AS a;\nCREATE UNIQUE INDEX mv_a ON app.mv (a);\nREFRESH MATERIALIZED VIEW CONCURRENTLY mv;',
    },
    {
      name: 'the view was renamed with its index',
      setup: `${setup}\nCREATE UNIQUE INDEX order_totals_id ON order_totals (id);`,
      code: 'ALTER MATERIALIZED VIEW order_totals RENAME TO totals;\nREFRESH MATERIALIZED VIEW CONCURRENTLY totals;',
    },
    {
      name: 'the view was dropped and created again with an index',
      setup,
      code: 'DROP MATERIALIZED VIEW order_totals;\nCREATE MATERIALIZED VIEW order_totals AS SELECT id FROM orders;\nCREATE UNIQUE INDEX ON order_totals (id);\nREFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;',
    },
  ],
  invalid: [
    {
      setup,
      code: 'REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;',
      errors: [
        {
          message:
            'REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals fails with "cannot refresh materialized view "public.order_totals" concurrently": order_totals has no unique index on plain columns without WHERE; ' +
            'create one first on the columns that identify a row of the view (CREATE UNIQUE INDEX ON order_totals (…)), or refresh without CONCURRENTLY. This migration aborts.',
          line: 1,
          column: 27,
          endColumn: 39,
        },
      ],
      output: null,
    },
    {
      name: 'created in the same file without a unique index',
      code: 'CREATE MATERIALIZED VIEW mv AS SELECT 1 AS a;\nCREATE UNIQUE INDEX mv_a ON mv (a) WHERE a > 0;\nREFRESH MATERIALIZED VIEW CONCURRENTLY mv;',
      errors: [{ message: 'mv has no unique index on plain columns without WHERE (mv_a is partial or on expressions, which does not count)', line: 3 }],
    },
    {
      name: 'the unique index was dropped by an earlier migration',
      setup: `${setup}\nCREATE UNIQUE INDEX order_totals_id ON order_totals (id);\nDROP INDEX order_totals_id;`,
      code: 'REFRESH MATERIALIZED VIEW CONCURRENTLY public.order_totals;',
      errors: [{ message: 'order_totals has no unique index' }],
    },
    {
      name: 'a plain index and an expression unique index do not do; the view lives in another schema',
      code: 'CREATE SCHEMA rpt;\nCREATE MATERIALIZED VIEW rpt.daily AS SELECT 1 AS a, 2 AS b;\nCREATE INDEX ON rpt.daily (a);\nCREATE UNIQUE INDEX daily_expr ON rpt.daily ((a + b));\nREFRESH MATERIALIZED VIEW CONCURRENTLY rpt.daily;',
      errors: [{ message: 'cannot refresh materialized view "rpt.daily" concurrently": rpt.daily has no unique index on plain columns without WHERE (daily_expr is partial', line: 5 }],
    },
    {
      name: 'ALTER TABLE … RENAME on a view; the old name is gone',
      setup: `${setup}\nCREATE UNIQUE INDEX order_totals_id ON order_totals (id);`,
      code: 'ALTER TABLE order_totals RENAME TO totals;\nCREATE MATERIALIZED VIEW order_totals AS SELECT 1 AS id;\nREFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;',
      errors: [{ line: 3 }],
    },
  ],
});
