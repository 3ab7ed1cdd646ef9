import assert from 'node:assert/strict';
import { rule } from '../../../../src/core/lint/rules/duplicate-index';
import { coversIndex, redundantIndexes } from '../../../../src/core/schema/redundant-indexes';
import type { Index, Table } from '../../../../src/core/schema/model';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, created_at timestamptz, status text);';

function index(name: string, columns: string[], extra: Partial<Index> = {}): Index {
  return { name, schema: 'public', table: 't', columns, include: [], unique: false, primary: false, constraint: false, method: 'btree', valid: true, ...extra };
}

describe('duplicate-index predicates', () => {
  it('covers by leading prefix with the same method, predicate and included columns', () => {
    assert.ok(coversIndex(index('a', ['x']), index('b', ['x', 'y'])));
    assert.ok(!coversIndex(index('a', ['y']), index('b', ['x', 'y'])));
    assert.ok(!coversIndex(index('a', ['x', 'y']), index('b', ['x'])));
    assert.ok(!coversIndex(index('a', ['x'], { unique: true }), index('b', ['x', 'y'])));
    assert.ok(!coversIndex(index('a', ['x'], { method: 'hash' }), index('b', ['x'])));
    assert.ok(!coversIndex(index('a', ['x'], { where: 'x > 0' }), index('b', ['x'])));
    assert.ok(coversIndex(index('a', ['x'], { where: 'x  >  0' }), index('b', ['x'], { where: 'X > 0' })));
    assert.ok(!coversIndex(index('a', ['x'], { include: ['z'] }), index('b', ['x', 'y'])));
    assert.ok(coversIndex(index('a', ['(lower(e))']), index('b', ['(lower(e))', 'y'])));
  });
  it('compares operator classes, collations and sort orders (all reversed reads backwards, so it still covers)', () => {
    assert.ok(!coversIndex(index('a', ['x']), index('b', ['x'], { keyOptions: [{ opclass: 'text_pattern_ops' }] })));
    assert.ok(!coversIndex(index('a', ['x'], { keyOptions: [{ collation: 'C' }] }), index('b', ['x'])));
    assert.ok(coversIndex(index('a', ['x'], { keyOptions: [{ collation: 'C' }] }), index('b', ['x', 'y'], { keyOptions: [{ collation: 'C' }, {}] })));
    assert.ok(coversIndex(index('a', ['x']), index('b', ['x'], { keyOptions: [{ descending: true }] })));
    assert.ok(!coversIndex(index('a', ['x'], { keyOptions: [{ nullsFirst: true }] }), index('b', ['x'])));
    assert.ok(!coversIndex(index('a', ['x', 'y']), index('b', ['x', 'y'], { keyOptions: [{}, { descending: true }] })));
    assert.ok(coversIndex(index('a', ['x', 'y']), index('b', ['x', 'y', 'z'], { keyOptions: [{ descending: true }, { descending: true }, {}] })));
  });
  it('reports the later of two identical indexes, once', () => {
    const t: Table = { schema: 'public', name: 't', columns: [], indexes: [index('first', ['x']), index('second', ['x']), index('third', ['x', 'y'])], foreignKeys: [] };
    assert.deepEqual(
      redundantIndexes(t).map((r) => [r.redundant.name, r.coveredBy.name]),
      [['first', 'third'], ['second', 'first']],
    );
  });
});

runRuleTests(rule, {
  valid: [
    { setup, code: 'CREATE INDEX a ON orders (customer_id, created_at);\nCREATE INDEX b ON orders (created_at);' },
    { name: 'different methods, predicates and expressions', setup, code: "CREATE INDEX a ON orders (status);\nCREATE INDEX b ON orders USING hash (status);\nCREATE INDEX c ON orders (status) WHERE status = 'open';\nCREATE INDEX d ON orders (lower(status));" },
    { name: 'a unique index is never redundant', setup, code: 'CREATE INDEX a ON orders (customer_id, created_at);\nCREATE UNIQUE INDEX b ON orders (customer_id);' },
    {
      name: 'different operator classes, collations or mixed sort orders',
      setup,
      code:
        'CREATE INDEX a ON orders (status);\nCREATE INDEX b ON orders (status text_pattern_ops);\nCREATE INDEX c ON orders (status COLLATE "C");\n' +
        'CREATE INDEX d ON orders (customer_id, created_at);\nCREATE INDEX e ON orders (customer_id, created_at DESC);',
    },
    { name: 'INCLUDE columns the other lacks', setup, code: 'CREATE INDEX a ON orders (customer_id) INCLUDE (status);\nCREATE INDEX b ON orders (customer_id, created_at);' },
  ],
  invalid: [
    {
      setup,
      code: 'CREATE INDEX orders_customer_idx ON orders (customer_id);\nCREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at);',
      errors: [{ message: /index orders_customer_idx \(customer_id\) is redundant: orders_customer_created_idx \(customer_id, created_at\) starts with the same columns/, line: 1, column: 1 }],
    },
    {
      name: 'identical indexes: the later one is reported',
      setup,
      code: 'CREATE INDEX a ON orders (status);\nCREATE INDEX b ON orders (status);',
      errors: [{ message: 'index b (status) is redundant: a (status) has the same columns', line: 2, column: 1 }],
    },
    {
      name: 'all keys reversed: a b-tree reads backwards',
      setup,
      code: 'CREATE INDEX a ON orders (customer_id DESC, created_at DESC);\nCREATE INDEX b ON orders (customer_id, created_at);',
      errors: [{ message: /index b \(customer_id, created_at\) is redundant: a/, line: 2 }],
    },
    {
      name: 'covered by the primary key; the earlier file defines the covering index',
      setup,
      code: 'CREATE INDEX orders_id_idx ON orders (id);',
      errors: [{ message: 'orders_id_idx (id) is redundant: orders_pkey (id)', line: 1 }],
    },
  ],
});
