import * as assert from 'node:assert/strict';
import type { TypeInfo } from '../../../src/core/sandbox-data/catalog';
import type { Restriction } from '../../../src/core/sandbox-data/checks';
import {
  capacity,
  defaultDistinct,
  numericLayout,
  numericTypmod,
  plusStep,
  specFor,
  textStyle,
  UNBOUNDED,
  valueSql,
  type Spec,
} from '../../../src/core/sandbox-data/values';
import { baseTypes, OID } from './catalog-fixture';

const types = baseTypes();
types.set(9001, { oid: 9001, name: 'mood', typname: 'mood', kind: 'e', category: 'E', notNull: false, checks: [], labels: ['sad', 'ok', "it's fine"] });
types.set(9002, { oid: 9002, name: 'integer[]', typname: '_int4', kind: 'b', category: 'A', elem: OID.int4, notNull: false, checks: [] });
types.set(9003, { oid: 9003, name: 'pair', typname: 'pair', kind: 'c', category: 'C', notNull: false, checks: [] });
types.set(9004, { oid: 9004, name: 'int4range', typname: 'int4range', kind: 'r', category: 'R', rangeSubtype: OID.int4, notNull: false, checks: [] });

function spec(typeOid: number, column: string, restriction: Restriction = {}, typmod = -1): Spec {
  const type = types.get(typeOid) as TypeInfo;
  return specFor({ type, typmod, castType: type.name, column, restriction, types, salt: 's', capabilities: { xml: false } });
}

/** numeric(p, s) as atttypmod stores it. */
const numericMod = (p: number, s: number) => ((p << 16) | s) + 4;

describe('sandbox data: values from keys', () => {
  it('bounds integers by their type and their CHECKs', () => {
    assert.deepEqual(spec(OID.int2, 'n'), { t: 'int', min: 1, max: 32767 });
    const age = spec(OID.int2, 'age', { min: { sql: '18', num: 18, inclusive: true }, max: { sql: '120', num: 120, inclusive: true } });
    assert.deepEqual(age, { t: 'int', min: 18, max: 120 });
    assert.equal(capacity(age), 103);
    assert.equal(valueSql(age, 'k'), '(18 + (k % 103))');
    assert.deepEqual(spec(OID.int4, 'n', { min: { sql: '0', num: 0, inclusive: false } }), { t: 'int', min: 1, max: 2147483647 });
    assert.equal(capacity(spec(OID.int8, 'n')), UNBOUNDED);
    assert.equal(valueSql(spec(OID.int8, 'n'), 'k'), '(1 + k)');
  });

  it('reads numeric precision and scale, and maps keys one-to-one within them', () => {
    assert.deepEqual(numericTypmod(numericMod(12, 2)), { precision: 12, scale: 2 });
    assert.deepEqual(numericTypmod(-1), { scale: 2 });
    for (const [s, cap] of [
      [spec(OID.numeric, 'x', {}, numericMod(3, 1)), 1000],
      [spec(OID.numeric, 'x', { min: { sql: '1', num: 1, inclusive: true }, max: { sql: '5', num: 5, inclusive: true } }, numericMod(3, 1)), 40],
      [spec(OID.numeric, 'x', { min: { sql: '0', num: 0, inclusive: true }, max: { sql: '1', num: 1, inclusive: false } }, numericMod(4, 3)), 1000],
    ] as Array<[Extract<Spec, { t: 'numeric' }>, number]>) {
      assert.equal(capacity(s), cap);
      // The SQL's arithmetic, in JS: every key below capacity gets its own value, inside the bounds.
      const { whole, unit, m } = numericLayout(s);
      const seen = new Set<number>();
      for (let k = 0; k < cap; k++) {
        const units = whole < 1 ? s.minUnits + k : s.minUnits + (k % whole) * unit + ((Math.floor(k / whole) + k * m) % unit);
        assert.ok(units >= s.minUnits && units <= s.maxUnits, `${units} in [${s.minUnits}, ${s.maxUnits}]`);
        seen.add(units);
      }
      assert.equal(seen.size, cap);
    }
  });

  it('fits text to its length: decorated, digits, then letter codes', () => {
    const email = spec(OID.text, 'email') as Extract<Spec, { t: 'text' }>;
    assert.equal(valueSql(email, 'k'), `('user' || k::text || '@example.com')`);
    assert.equal(capacity(email), UNBOUNDED);
    const sku = spec(OID.varchar, 'sku', {}, 8 + 4) as Extract<Spec, { t: 'text' }>;
    assert.equal(sku.prefix, '');
    assert.equal(capacity(sku), 1e8);
    const code = spec(OID.varchar, 'country', {}, 2 + 4);
    assert.equal(capacity(code), 26 * 26);
    assert.match(valueSql(code, 'k'), /chr\(65 \+ \(k \/ 26 % 26\)::int4\) \|\| chr\(65 \+ \(k % 26\)::int4\)/);
    const padded = spec(OID.text, 'pin', { minLength: 6, maxLength: 6 });
    assert.match(valueSql(padded, 'k'), /lpad/);
    assert.equal(textStyle('avatar_url'), 'url');
    assert.equal(textStyle('display_name'), 'title');
    assert.equal(textStyle('body'), 'long');
  });

  it('cycles enum labels and CHECK lists, quoting them', () => {
    const mood = spec(9001, 'mood');
    assert.deepEqual(mood, { t: 'list', values: ['sad', 'ok', "it's fine"] });
    assert.equal(capacity(mood), 3);
    assert.equal(valueSql(mood, 'k'), `(ARRAY['sad', 'ok', 'it''s fine'])[1 + (k % 3)::int4]`);
    assert.deepEqual(spec(OID.text, 'tier', { values: ['free', 'pro'] }), { t: 'list', values: ['free', 'pro'] });
  });

  it('builds arrays (never empty when unique) and ranges, and gives up on composites', () => {
    const arr = spec(9002, 'ids');
    assert.equal(arr.t, 'array');
    assert.match(valueSql(arr, 'k'), /\[1:\(k % 4\)::int4\]$/);
    assert.match(valueSql(arr, 'k', true), /\[1:1 \+ \(k % 3\)::int4\]$/);
    const range = spec(9004, 'r');
    assert.equal(range.t, 'range');
    assert.match(valueSql(range, 'k'), /^int4range\(\(.*\)::integer, \(.*\)::integer\)$/);
    assert.deepEqual(spec(9003, 'p'), { t: 'unknown', type: 'pair' });
    assert.equal(capacity({ t: 'unknown', type: 'pair' }), 0);
  });

  it('steps up for column orders, and picks distinct counts by type and name', () => {
    assert.equal(plusStep(spec(OID.date, 'd'), 'lo', 'k'), '(lo + 1 + (k % 60)::int4)');
    assert.deepEqual(defaultDistinct(spec(OID.text, 'status'), 'status', 20000), { distinct: 8 });
    assert.deepEqual(defaultDistinct(spec(OID.bool, 'is_active'), 'is_active', 20000), { distinct: 2 });
    assert.equal(defaultDistinct(spec(OID.timestamptz, 'created_at'), 'created_at', 20000).ordered, true);
    assert.equal(defaultDistinct(spec(OID.timestamptz, 'expires_at'), 'expires_at', 20000).ordered, false);
    assert.deepEqual(defaultDistinct(spec(OID.int4, 'quantity'), 'quantity', 20000), { distinct: 100 });
    assert.equal(spec(OID.bool, 'is_deleted').t === 'bool' && (spec(OID.bool, 'is_deleted') as { invert: boolean }).invert, true);
  });
});
