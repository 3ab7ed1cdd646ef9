import * as assert from 'node:assert/strict';
import { statementsReading, type SlowQuery } from '../../../src/core/health/slow-queries';

const q = (query: string): SlowQuery => ({ queryId: null, query, calls: 1, totalMs: 1, meanMs: 1, rows: 1 });

describe('statementsReading (the statements behind a seq-scan-heavy-table finding)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['bare FROM', 'SELECT * FROM orders WHERE status = $1', true],
    ['schema-qualified', 'select id from shop.orders o where o.x = $1', true],
    ['quoted', 'SELECT 1 FROM "shop"."orders"', true],
    ['JOIN', 'SELECT 1 FROM customers c JOIN orders o ON o.customer_id = c.id', true],
    ['UPDATE', 'UPDATE orders SET status = $1 WHERE id = $2', true],
    ['DELETE FROM ONLY', 'DELETE FROM ONLY shop.orders WHERE id = $1', true],
    ['INSERT INTO', 'INSERT INTO orders (id) VALUES ($1)', true],
    ['a longer name', 'SELECT 1 FROM orders_archive', false],
    ['another schema', 'SELECT 1 FROM audit.orders', false],
    ['a column of that name', 'SELECT orders FROM customers', false],
  ];
  for (const [title, query, expected] of cases) {
    it(`${expected ? 'finds' : 'ignores'}: ${title}`, () => {
      assert.equal(statementsReading('shop', 'orders', [q(query)]).length, expected ? 1 : 0);
    });
  }

  it('keeps the slowest first and at most three', () => {
    const list = ['SELECT 1 FROM orders', 'SELECT 2 FROM orders', 'SELECT 3 FROM customers', 'SELECT 4 FROM orders', 'SELECT 5 FROM orders'].map(q);
    assert.deepEqual(statementsReading('shop', 'orders', list).map((s) => s.query), ['SELECT 1 FROM orders', 'SELECT 2 FROM orders', 'SELECT 4 FROM orders']);
  });
});
