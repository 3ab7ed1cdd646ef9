import { strict as assert } from 'node:assert';
import { loadSqlParser, parseSql } from '../../../src/core/sql/parse';
import { collectScopes } from '../../../src/core/advise/predicates';
import { candidateDdl, candidatesFor, type TableInfo } from '../../../src/core/advise/candidates';

const orders: TableInfo = {
  schema: 'public',
  name: 'orders',
  columns: ['id', 'customer_id', 'status', 'total', 'created_at'],
  estimatedRows: 100_000,
  nDistinct: { id: -1, customer_id: 20_000, status: 3, created_at: -0.5 },
  indexes: [{ name: 'orders_pkey', columns: ['id'], include: [], valid: true }],
};

function candidates(sql: string, table: TableInfo = orders) {
  const [scope] = collectScopes(parseSql(sql).statements[0].ast);
  const rel = scope.relations.find((r) => r.name === table.name)!;
  return candidatesFor(scope, rel, table).map((c) => candidateDdl(c, false));
}

describe('index candidates', () => {
  before(() => loadSqlParser());

  it('puts equality columns first, most selective first, then one range column', () => {
    const ddl = candidates("SELECT id FROM orders WHERE status = 'shipped' AND customer_id = $1 AND created_at > now() - interval '7 days'");
    assert.equal(ddl[0], 'CREATE INDEX orders_customer_id_status_created_at_idx ON public.orders (customer_id, status, created_at)');
  });

  it('proposes ORDER BY columns after equality under a LIMIT, and a partial index for a constant on a low-cardinality column', () => {
    const ddl = candidates("SELECT * FROM orders o WHERE o.status = 'pending' ORDER BY o.created_at DESC LIMIT 20");
    assert.ok(ddl.includes('CREATE INDEX orders_status_created_at_idx ON public.orders (status, created_at)'), ddl.join('\n'));
    assert.ok(ddl.includes("CREATE INDEX orders_created_at_partial_idx ON public.orders (created_at) WHERE status = 'pending'"), ddl.join('\n'));
  });

  it('adds an INCLUDE variant when the query reads few columns', () => {
    const ddl = candidates('SELECT total FROM orders WHERE customer_id = 42');
    assert.ok(ddl.includes('CREATE INDEX orders_customer_id_covering_idx ON public.orders (customer_id) INCLUDE (total)'), ddl.join('\n'));
  });

  it('never proposes an index that exists or is covered by a longer one', () => {
    const withIndex: TableInfo = { ...orders, indexes: [...orders.indexes, { name: 'orders_customer_created', columns: ['customer_id', 'created_at'], include: [], valid: true }] };
    const ddl = candidates('SELECT * FROM orders WHERE customer_id = 42', withIndex);
    assert.deepEqual(ddl, []);
  });

  it('ignores an invalid existing index (it serves no query)', () => {
    const invalid: TableInfo = { ...orders, indexes: [{ name: 'broken', columns: ['customer_id'], include: [], valid: false }] };
    assert.equal(candidates('SELECT * FROM orders WHERE customer_id = 42', invalid)[0], 'CREATE INDEX orders_customer_id_idx ON public.orders (customer_id)');
  });

  it('proposes nothing for a query without a filter, join or sort', () => {
    assert.deepEqual(candidates('SELECT count(*) FROM orders'), []);
  });

  it('uses join columns of the inner table and WHERE of UPDATE/DELETE', () => {
    const items: TableInfo = { schema: 'public', name: 'items', columns: ['order_id', 'sku'], estimatedRows: 1000, nDistinct: {}, indexes: [] };
    const [scope] = collectScopes(parseSql('SELECT * FROM orders o JOIN items i ON i.order_id = o.id WHERE o.status = $1').statements[0].ast);
    const rel = scope.relations.find((r) => r.name === 'items')!;
    assert.equal(candidateDdl(candidatesFor(scope, rel, items)[0], false), 'CREATE INDEX items_order_id_idx ON public.items (order_id)');
    assert.equal(candidates("DELETE FROM orders WHERE status = 'cancelled' AND created_at < $1")[0], 'CREATE INDEX orders_status_created_at_idx ON public.orders (status, created_at)');
  });
});
