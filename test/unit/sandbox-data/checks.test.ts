import * as assert from 'node:assert/strict';
import { emptyShapes, ensureCheckParser, parseArrayLiteral, readCheck, type CheckShapes } from '../../../src/core/sandbox-data/checks';

/** CHECK expressions as pg_get_expr prints them, read into what the generator can honour. */
function shapes(...exprs: string[]): CheckShapes {
  const s = emptyShapes();
  for (const e of exprs) readCheck(e, s);
  return s;
}

describe('sandbox data: CHECK shapes', () => {
  before(() => ensureCheckParser());

  it('reads IN lists in the = ANY (ARRAY[…]) form, through casts', () => {
    const s = shapes(`((status)::text = ANY ((ARRAY['new'::character varying, 'it''s'::character varying])::text[]))`);
    assert.deepEqual(s.columns.get('status')?.values, ['new', "it's"]);
    assert.deepEqual(shapes(`(tier = ANY (ARRAY['free'::text, 'pro'::text]))`).columns.get('tier')?.values, ['free', 'pro']);
    assert.deepEqual(shapes(`(n = ANY ('{1,2,3}'::integer[]))`).columns.get('n')?.values, ['1', '2', '3']);
    assert.deepEqual(shapes(`(kind IN ('a', 'b'))`).columns.get('kind')?.values, ['a', 'b']);
  });

  it('reads ranges: >= <= > <, BETWEEN, a constant on the left, negative numbers', () => {
    const r = shapes(`((price >= (0)::numeric) AND (price <= 100.5))`).columns.get('price')!;
    assert.deepEqual([r.min?.num, r.min?.inclusive, r.max?.num, r.max?.inclusive], [0, true, 100.5, true]);
    const q = shapes(`(qty > 0)`).columns.get('qty')!;
    assert.deepEqual([q.min?.num, q.min?.inclusive, q.max], [0, false, undefined]);
    assert.equal(shapes(`(x > '-1'::integer)`).columns.get('x')?.min?.num, -1);
    assert.equal(shapes(`(x >= (- 5))`).columns.get('x')?.min?.num, -5);
    const b = shapes(`(age BETWEEN 18 AND 120)`).columns.get('age')!;
    assert.deepEqual([b.min?.num, b.max?.num], [18, 120]);
    assert.equal(shapes(`(10 > n)`).columns.get('n')?.max?.num, 10);
    // The tighter bound wins.
    assert.equal(shapes(`(n > 1)`, `(n >= 5)`).columns.get('n')?.min?.num, 5);
    // A date bound keeps its literal.
    assert.equal(shapes(`(d >= '2020-01-01'::date)`).columns.get('d')?.min?.sql, `'2020-01-01'`);
  });

  it('reads length limits and non-empty strings', () => {
    assert.equal(shapes(`(length(name) <= 100)`).columns.get('name')?.maxLength, 100);
    assert.equal(shapes(`(char_length((code)::text) >= 3)`).columns.get('code')?.minLength, 3);
    assert.equal(shapes(`(length(btrim(title)) > 0)`).columns.get('title')?.minLength, 1);
    assert.equal(shapes(`(name <> ''::text)`).columns.get('name')?.nonEmpty, true);
    assert.equal(shapes(`(btrim(name) <> ''::text)`).columns.get('name')?.nonEmpty, true);
  });

  it('reads an order between two columns', () => {
    assert.deepEqual(shapes(`(start_at < end_at)`).orders, [{ low: 'start_at', high: 'end_at', strict: true }]);
    assert.deepEqual(shapes(`(ends_on >= starts_on)`).orders, [{ low: 'starts_on', high: 'ends_on', strict: false }]);
  });

  it('reads `col IS NULL OR …` as a shape of col, and OR branches as the union of their values', () => {
    assert.equal(shapes(`((x IS NULL) OR (x > 0))`).columns.get('x')?.min?.num, 0);
    const s = shapes(`(((type = 'workspace'::text) AND (workspace_id IS NOT NULL)) OR ((type = 'personal'::text) AND (workspace_id IS NULL)))`);
    assert.deepEqual(s.columns.get('type')?.values, ['workspace', 'personal']);
    assert.equal(s.columns.get('workspace_id')?.values, undefined);
  });

  it('reads num_nonnulls / num_nulls counts', () => {
    assert.deepEqual(shapes(`(num_nonnulls(order_id, product_id) = 1)`).nonNulls, [{ columns: ['order_id', 'product_id'], min: 1, max: 1 }]);
    assert.deepEqual(shapes(`(num_nulls(a, b, c) = 2)`).nonNulls, [{ columns: ['a', 'b', 'c'], min: 1, max: 1 }]);
    assert.deepEqual(shapes(`(num_nonnulls(a, b) <= 1)`).nonNulls, [{ columns: ['a', 'b'], min: 0, max: 1 }]);
  });

  it('reads a domain CHECK with VALUE standing for the column', () => {
    const s = emptyShapes();
    readCheck(`(VALUE > 0)`, s, 'price');
    assert.equal(s.columns.get('price')?.min?.num, 0);
    readCheck(`(other > 0)`, s, 'price');
    assert.equal(s.columns.has('other'), false);
  });

  it('ignores what it does not understand (the INSERT filters on the CHECK anyway)', () => {
    const s = shapes(`((value ->> 'raw') IS NOT NULL)`, `(x ~ '^[a-z]+$'::text)`, `((`, `(f(x) = g(y))`);
    assert.deepEqual([...s.columns.keys()], []);
    assert.deepEqual([s.orders, s.nonNulls], [[], []]);
  });

  it('parses one-dimensional array literals', () => {
    assert.deepEqual(parseArrayLiteral('{a,"b c",d}'), ['a', 'b c', 'd']);
    assert.deepEqual(parseArrayLiteral('{"say \\"hi\\""}'), ['say "hi"']);
    assert.deepEqual(parseArrayLiteral('{}'), []);
    assert.equal(parseArrayLiteral('{a,NULL}'), undefined);
  });
});
