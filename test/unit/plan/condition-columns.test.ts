import * as assert from 'node:assert/strict';
import { conditionColumns, indexKey } from '../../../src/core/plan/condition-columns';

describe('condition columns (for index suggestions)', () => {
  const cases: [string, (string | undefined)[], string[], string[]][] = [
    ['(orders.customer_id = 42)', ['orders', 'orders'], ['customer_id'], []],
    ["((o.status = 'paid'::text) AND (o.created_at > $1))", ['o', 'orders'], ['status'], ['created_at']],
    ["((status)::text = 'paid'::text)", ['orders'], ['status'], []],
    ['(o.customer_id = c.id)', ['o', 'orders'], ['customer_id'], []],
    ['(c.id = o.customer_id)', ['o', 'orders'], ['customer_id'], []],
    ["(id = ANY ('{1,2,3}'::integer[]))", ['t'], ['id'], []],
    ['((a >= 1) AND (a <= 5))', ['t'], [], ['a']],
    ['("Weird Col" = 3)', ['t'], ['"Weird Col"'], []],
    ["((a = 1) OR (b = 2))", ['t'], [], []],
    ['(a <> 1)', ['t'], [], []],
    ['(x.a = y.b)', ['t'], [], []],
    ["(note = 'a AND b = c')", ['t'], ['note'], []],
  ];
  for (const [cond, names, equality, range] of cases) {
    it(cond, () => assert.deepEqual(conditionColumns(cond, names), { equality, range }));
  }

  it('builds an index key: equality columns first, then one range column', () => {
    const key = indexKey(conditionColumns('(a > 1)', ['t']), conditionColumns('((b = 1) AND (c = 2) AND (d < 3))', ['t']));
    assert.deepEqual(key, ['b', 'c', 'a']);
    assert.deepEqual(indexKey(conditionColumns(undefined, ['t'])), []);
  });
});
