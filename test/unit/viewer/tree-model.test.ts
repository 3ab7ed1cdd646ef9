import { strict as assert } from 'node:assert';
import { packReport, unpackReport } from '../../../media/src/protocol';
import { DEFAULT_ROW_BUDGET, EXPAND_ALL_LIMIT, TreeModel, nodeConditions, nodeTarget } from '../../../media/src/tree-model';
import { makeReport, makeWideReport } from './fixture';

describe('viewer tree model', () => {
  it('expands small plans fully and lists rows in preorder', () => {
    const r = makeReport({ nodeType: 'Hash Join', children: [{ nodeType: 'Seq Scan' }, { nodeType: 'Hash', children: [{ nodeType: 'Seq Scan' }] }] });
    const m = new TreeModel(r);
    m.expandDefault();
    assert.deepEqual(m.visibleRows(), [1, 2, 3, 4]);
    m.toggle(3);
    assert.deepEqual(m.visibleRows(), [1, 2, 3]);
    assert.equal(m.toggle(2), false, 'a leaf does not toggle');
    m.revealPath(4);
    assert.deepEqual(m.visibleRows(), [1, 2, 3, 4]);
  });

  it('opens big plans along the hot path within a row budget', () => {
    const r = makeWideReport(5000, 4);
    assert.ok(r.nodes.length > EXPAND_ALL_LIMIT);
    const deep = r.nodes[r.nodes.length - 1];
    r.summary.hotPath = [];
    for (let id: number | null = deep.id; id !== null; id = r.nodes[id - 1].parentId) r.summary.hotPath.unshift(id);
    const m = new TreeModel(r);
    m.expandDefault();
    const rows = m.visibleRows();
    assert.ok(rows.includes(deep.id), 'the hot leaf is visible');
    assert.ok(rows.length < DEFAULT_ROW_BUDGET + 4 * r.summary.hotPath.length, `rows ${rows.length}`);
    m.expandAll();
    assert.equal(m.visibleRows().length, 5000);
  });

  it('tells the hot path owners from their ancestors', () => {
    const r = makeReport(
      { nodeType: 'Hash Join', exclusiveTimeMs: 1, children: [{ nodeType: 'Seq Scan', exclusiveTimeMs: 70 }, { nodeType: 'Hash', exclusiveTimeMs: 1, children: [{ nodeType: 'Seq Scan', exclusiveTimeMs: 28 }] }] },
      [],
      [1, 2, 3, 4],
    );
    const m = new TreeModel(r);
    assert.deepEqual([...m.owners].sort(), [2, 4]);
    assert.ok(m.hot.has(1) && m.hot.has(3));
  });

  it('keeps the deepest row within a narrow width', () => {
    const m = new TreeModel(makeWideReport(1000, 1));
    assert.equal(m.maxDepth, 999);
    assert.equal(m.indentStep(300), 4);
    assert.equal(new TreeModel(makeWideReport(7, 2)).indentStep(300), 14);
  });

  it('names targets and conditions', () => {
    const r = makeReport({ nodeType: 'Index Scan', relation: 'orders', schema: 'sales', alias: 'o', indexName: 'orders_pkey', indexCond: '(id = 1)', filter: '(x > 2)' });
    assert.equal(nodeTarget(r.root), 'using orders_pkey on sales.orders o');
    assert.deepEqual(nodeConditions(r.root), ['Index Cond: (id = 1)', 'Filter: (x > 2)']);
  });

  it('packs a report without the flat node list and rebuilds it', () => {
    const r = makeWideReport(50, 3);
    const packed = JSON.parse(JSON.stringify(packReport(r)));
    assert.equal(packed.nodes.length, 0);
    const back = unpackReport(packed);
    assert.deepEqual(back.nodes.map((n) => n.id), r.nodes.map((n) => n.id));
    assert.equal(back.nodes[10], back.nodes[back.nodes[10].parentId! - 1].children.find((c) => c.id === 11));
  });
});
