import assert from 'node:assert/strict';
import { HUB_MIN_REFERENCES, layoutDiagram, layoutSteps, type Box, type LayoutNode } from '../../../media/src/erd/layout';
import { isErdToHost } from '../../../media/src/erd/erd-protocol';

function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function assertNoOverlap(nodes: Map<string, Box>): void {
  const list = [...nodes];
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) assert.ok(!overlap(list[i][1], list[j][1]), `${list[i][0]} overlaps ${list[j][0]}`);
  }
}

describe('schema diagram: layout', () => {
  it('lays out connected tables left to right (referencing before referenced), without overlaps', () => {
    const nodes: LayoutNode[] = ['orders', 'customers', 'items', 'products', 'lonely'].map((id) => ({ id, width: 200, height: 120, group: 'public' }));
    const r = layoutDiagram(nodes, [
      { from: 'orders', to: 'customers' },
      { from: 'items', to: 'orders' },
      { from: 'items', to: 'products' },
    ]);
    assertNoOverlap(r.nodes);
    const x = (id: string) => r.nodes.get(id)!.x;
    assert.ok(x('items') < x('orders') && x('orders') < x('customers'));
    assert.deepEqual(r.groups, [], 'one schema: no frame');
    for (const b of r.nodes.values()) assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= r.width + 0.001 && b.y + b.height <= r.height + 0.001);
  });

  it('frames each schema and keeps its tables inside', () => {
    const nodes: LayoutNode[] = [
      ...Array.from({ length: 6 }, (_, i) => ({ id: `a${i}`, width: 180, height: 100, group: 'public' })),
      ...Array.from({ length: 4 }, (_, i) => ({ id: `b${i}`, width: 180, height: 100, group: 'sales' })),
    ];
    const r = layoutDiagram(nodes, [{ from: 'b0', to: 'a0' }, { from: 'a1', to: 'a2' }]);
    assert.deepEqual(r.groups.map((g) => g.name).sort(), ['public', 'sales']);
    for (const n of nodes) {
      const b = r.nodes.get(n.id)!;
      const g = r.groups.find((x) => x.name === n.group)!;
      assert.ok(b.x >= g.x && b.y >= g.y && b.x + b.width <= g.x + g.width && b.y + b.height <= g.y + g.height, `${n.id} outside ${g.name}`);
    }
    assertNoOverlap(r.nodes);
  });

  it('a table referenced by 200 others does not make a 40,000 px column: its rank is cut into columns', () => {
    const nodes: LayoutNode[] = [{ id: 'hub', width: 200, height: 100, group: 'public' }, ...Array.from({ length: 200 }, (_, i) => ({ id: `t${i}`, width: 200, height: 200, group: 'public' }))];
    const r = layoutDiagram(nodes, nodes.slice(1).map((n) => ({ from: n.id, to: 'hub' })));
    assertNoOverlap(r.nodes);
    assert.ok(r.height < 10_000 && r.width / r.height > 0.5, `${r.width} × ${r.height}`);
    assert.ok([...r.nodes].every(([id, b]) => id === 'hub' || b.x < r.nodes.get('hub')!.x), 'referencing tables still left of the hub');
  });
});

describe('schema diagram: layout of hub tables', () => {
  /** A multi-tenant schema: `n` tables, each referencing tenants and users; every tenth also another table. */
  function tenantGraph(n: number): { nodes: LayoutNode[]; edges: { from: string; to: string }[] } {
    const nodes: LayoutNode[] = [{ id: 'tenants', width: 180, height: 80, group: 'public' }, { id: 'users', width: 180, height: 100, group: 'public' }];
    const edges = [{ from: 'users', to: 'tenants' }];
    for (let i = 0; i < n; i++) {
      nodes.push({ id: `t${i}`, width: 160 + (i % 5) * 20, height: 60 + (i % 7) * 18, group: 'public' });
      edges.push({ from: `t${i}`, to: 'tenants' }, { from: `t${i}`, to: 'users' });
      if (i % 10 === 9) edges.push({ from: `t${i}`, to: `t${i - 9}` });
    }
    return { nodes, edges };
  }

  it(`tables referenced by more than ${HUB_MIN_REFERENCES} others stand in a column at the right, facing every table that references them`, () => {
    const { nodes, edges } = tenantGraph(300);
    const r = layoutDiagram(nodes, edges);
    assert.deepEqual([...r.hubs].sort(), ['tenants', 'users']);
    assertNoOverlap(r.nodes);
    const tenants = r.nodes.get('tenants')!;
    const users = r.nodes.get('users')!;
    assert.ok(users.x + users.width <= tenants.x, 'users references tenants: to its left');
    for (const [id, b] of r.nodes) if (!r.hubs.has(id)) assert.ok(b.x + b.width < users.x, `${id} is left of the hubs`);
    assert.equal(r.nodes.size, nodes.length);
    // A key among other tables still puts the referencing one to the left.
    assert.ok(r.nodes.get('t9')!.x < r.nodes.get('t0')!.x);
    assert.ok(r.width / r.height > 0.5 && r.width / r.height < 4, `proportions ${r.width} × ${r.height}`);
  });

  it('2,000 tables around two hubs reach dagre as small pieces (one piece of 2,002 took 19 s; bench/erd.mjs times the dense case)', () => {
    const { nodes, edges } = tenantGraph(2000);
    const steps = layoutSteps(nodes, edges);
    const pieceSizes: number[] = [];
    let before = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) {
      const done = Math.round(step.value * nodes.length);
      pieceSizes.push(done - before);
      before = done;
    }
    const r = step.value;
    assert.equal(r.nodes.size, 2002);
    assert.deepEqual([...r.hubs].sort(), ['tenants', 'users']);
    assert.ok(Math.max(...pieceSizes) <= 10, `largest piece laid out by dagre: ${Math.max(...pieceSizes)} tables`);
    assert.equal(pieceSizes.reduce((a, b) => a + b, 0), 2000, 'every table but the two hubs goes through a piece');
  });

  it('a table referenced by a few is no hub: laid out with them as before', () => {
    const nodes: LayoutNode[] = Array.from({ length: 12 }, (_, i) => ({ id: `n${i}`, width: 100, height: 50, group: 'public' }));
    const r = layoutDiagram(nodes, nodes.slice(1).map((n) => ({ from: n.id, to: 'n0' })));
    assert.equal(r.hubs.size, 0);
    assertNoOverlap(r.nodes);
  });
});

describe('schema diagram: messages from the webview', () => {
  it('accepts what the viewer sends and nothing else', () => {
    assert.ok(isErdToHost({ type: 'reveal', table: 'public.t' }));
    assert.ok(isErdToHost({ type: 'reveal', table: 'public.t', column: 'id' }));
    assert.ok(isErdToHost({ type: 'openFinding', table: 'public.t', index: 0 }));
    assert.ok(isErdToHost({ type: 'saveSvg', svg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>' }));
    assert.ok(!isErdToHost({ type: 'openFinding', table: 'public.t', index: -1 }));
    assert.ok(!isErdToHost({ type: 'openFinding', table: 'public.t', index: 0.5 }));
    assert.ok(!isErdToHost({ type: 'reveal', table: 1 }));
    assert.ok(!isErdToHost({ type: 'saveSvg', svg: '<html><script>x</script></html>' }));
    assert.ok(!isErdToHost({ type: 'exportMermaid', target: '/etc/passwd' }));
    assert.ok(!isErdToHost({ type: 'nope' }));
    assert.ok(!isErdToHost(null));
  });
});
