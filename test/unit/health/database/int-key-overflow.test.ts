import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check as intKeyOverflow, typeMax, usedShare, type IntKeyData, type IntKeyRow } from '../../../../src/core/health/database/checks/int-key-overflow';
import { judgeCase, runCheckTests } from './session-fixtures';

/** shop.orders.id: an integer identity primary key whose (integer) sequence is at 1,000. */
function key(over: Partial<IntKeyRow> = {}): IntKeyRow {
  return {
    schema: 'shop',
    table: 'orders',
    column: 'id',
    type: 'integer',
    identity: true,
    nextvalDefault: false,
    primaryKey: true,
    sequence: { schema: 'shop', name: 'orders_id_seq', dataType: 'integer', readable: true, locked: false, lastValue: 1000, increment: 1, minValue: 1, maxValue: 2_147_483_647 },
    sampledMax: null,
    references: [],
    views: [],
    ...over,
  };
}

const at = (lastValue: number | null, over: Partial<NonNullable<IntKeyRow['sequence']>> = {}): IntKeyRow['sequence'] => ({
  schema: 'shop',
  name: 'orders_id_seq',
  dataType: 'integer',
  readable: true,
  locked: false,
  lastValue,
  increment: 1,
  minValue: 1,
  maxValue: 2_147_483_647,
  ...over,
});

function data(keys: IntKeyRow[]): IntKeyData {
  return { role: 'app', keys };
}

const SERIAL = { identity: false, nextvalDefault: true };

runCheckTests(intKeyOverflow, {
  valid: [
    { name: 'far from the maximum', data: data([key()]) },
    { name: 'a sequence never used', data: data([key({ sequence: at(null) })]) },
    { name: 'just under half', data: data([key({ sequence: at(1_073_741_823) })]) },
    { name: 'a key without a sequence and without statistics (noted)', data: data([key({ identity: false, sequence: null })]) },
    { name: 'an unreadable sequence (noted)', data: data([key({ sequence: at(null, { readable: false }) })]) },
    { name: 'under a raised share', data: data([key({ sequence: at(1_500_000_000) })]), thresholds: { share: 0.75 } },
  ],
  invalid: [
    {
      name: 'an identity key at 70%: warning, by its sequence',
      data: data([key({ sequence: at(1_500_000_000) })]),
      findings: [
        {
          severity: 'warning',
          schema: 'shop',
          table: 'orders',
          message:
            'integer column shop.orders.id (identity, primary key) is at 69.8% of its maximum 2,147,483,647: its sequence shop.orders_id_seq is at 1,500,000,000, ' +
            'and past the maximum every insert fails with "nextval: reached maximum value of sequence"',
          metrics: { type: 'integer', value: 1_500_000_000, valueFrom: 'sequence', maxValue: 2_147_483_647, usedRatio: 0.6985, references: 0 },
        },
      ],
    },
    {
      name: 'a serial key at 93%: error',
      data: data([key({ ...SERIAL, sequence: at(2_000_000_000) })]),
      findings: [{ severity: 'error', message: /^integer column shop\.orders\.id \(serial, primary key\) is at 93\.1% of its maximum/ }],
    },
    {
      name: 'an integer column fed by a bigint sequence: it fails on the column type',
      data: data([key({ primaryKey: false, ...SERIAL, column: 'ref_no', sequence: at(1_200_000_000, { name: 'global_seq', dataType: 'bigint' }) })]),
      findings: [{ message: /^integer column shop\.orders\.ref_no \(serial\) is at 55\.8% .* every insert fails with "integer out of range"$/ }],
    },
    {
      name: 'a smallint key without a sequence, by the largest value ANALYZE sampled',
      data: data([key({ table: 'tags', type: 'smallint', identity: false, sequence: null, sampledMax: 30_000 })]),
      findings: [
        {
          severity: 'error',
          message:
            'smallint column shop.tags.id (primary key) is at 91.5% of its maximum 32,767: it holds at least 30,000 (the largest value ANALYZE sampled), ' +
            'and past the maximum every insert fails with "smallint out of range"',
          metrics: { valueFrom: 'statistics sample', value: 30_000, maxValue: 32_767 },
        },
      ],
    },
    {
      name: 'negative keys count by their size',
      data: data([key({ identity: false, sequence: null, sampledMax: 2_000_000_000 })]),
      findings: [{ severity: 'error' }],
    },
    {
      name: 'a lowered share',
      data: data([key({ sequence: at(300_000_000) })]),
      thresholds: { share: 0.1 },
      findings: [{ severity: 'warning', message: /is at 13\.9% of its maximum/ }],
    },
  ],
});

describe('int-key-overflow fix SQL', () => {
  const cases: { name: string; row: IntKeyRow; fixSql: string }[] = [
    {
      name: 'identity: widen the column (its sequence follows)',
      row: key({ sequence: at(2_000_000_000) }),
      fixSql: "SET lock_timeout = '5s';\nALTER TABLE shop.orders ALTER COLUMN id TYPE bigint;",
    },
    {
      name: 'serial: widen the column and its integer sequence',
      row: key({ ...SERIAL, sequence: at(2_000_000_000) }),
      fixSql: "SET lock_timeout = '5s';\nALTER TABLE shop.orders ALTER COLUMN id TYPE bigint;\nALTER SEQUENCE shop.orders_id_seq AS bigint;",
    },
    {
      name: 'a bigint sequence already: the column only',
      row: key({ ...SERIAL, sequence: at(2_000_000_000, { dataType: 'bigint' }) }),
      fixSql: "SET lock_timeout = '5s';\nALTER TABLE shop.orders ALTER COLUMN id TYPE bigint;",
    },
    {
      name: 'the integer foreign keys that reference it grow with it',
      row: key({
        sequence: at(2_000_000_000),
        references: [
          { schema: 'shop', table: 'order_lines', column: 'order_id', type: 'integer' },
          { schema: 'billing', table: 'Invoices', column: 'Order Id', type: 'integer' },
        ],
      }),
      fixSql:
        "SET lock_timeout = '5s';\nALTER TABLE shop.orders ALTER COLUMN id TYPE bigint;\n" +
        'ALTER TABLE shop.order_lines ALTER COLUMN order_id TYPE bigint;\nALTER TABLE billing."Invoices" ALTER COLUMN "Order Id" TYPE bigint;',
    },
    {
      name: 'views that use the key or a referencing column: said first, since the ALTER fails until they are dropped',
      row: key({ sequence: at(2_000_000_000), views: ['shop.open_orders', 'report."Order Lines"'] }),
      fixSql:
        '-- views shop.open_orders, report."Order Lines" use these columns: the ALTER COLUMN … TYPE below fails ("cannot alter type of a column used by a view or rule") ' +
        'until they are dropped, and created again after it in the same transaction (definitions: pg_get_viewdef; keep their grants and options)\n' +
        "SET lock_timeout = '5s';\nALTER TABLE shop.orders ALTER COLUMN id TYPE bigint;",
    },
    {
      name: 'names that need quoting',
      row: key({ schema: 'Shop', table: 'order', column: 'Id', ...SERIAL, sequence: at(2_000_000_000, { schema: 'Shop', name: 'order_Id_seq' }) }),
      fixSql: 'SET lock_timeout = \'5s\';\nALTER TABLE "Shop"."order" ALTER COLUMN "Id" TYPE bigint;\nALTER SEQUENCE "Shop"."order_Id_seq" AS bigint;',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [f] = judgeCase(intKeyOverflow, { name: c.name, data: data([c.row]) }).findings;
      assert.equal(f?.fixSql, c.fixSql);
      assert.equal(f.column, c.row.column);
    });
  }

  it('warns that the rewrite locks the table, names the referencing columns, and points to the online path', () => {
    const [f] = judgeCase(intKeyOverflow, {
      name: '',
      data: data([key({ sequence: at(2_000_000_000), references: [{ schema: 'shop', table: 'order_lines', column: 'order_id', type: 'integer' }] })]),
    }).findings;
    assert.equal(
      f.nextStep,
      'ALTER COLUMN … TYPE bigint rewrites the table and all its indexes under an ACCESS EXCLUSIVE lock (no reads or writes until it finishes), ' +
        'and so does each referencing column (shop.order_lines.order_id). On a big or busy table, widen it online instead: add a bigint column, ' +
        'keep it filled by a trigger, backfill in batches, build its unique index CONCURRENTLY, then swap the columns in one short transaction ' +
        '(docs/rules/int-key-overflow.md; see also prefer-bigint-over-int).',
    );
    assert.equal(f.sequence, 'orders_id_seq');
  });
});

describe('int-key-overflow summary and notes', () => {
  it('names the fullest key', () => {
    const j = judgeCase(intKeyOverflow, { name: '', data: data([key(), key({ table: 'lines', sequence: at(214_748_365) })]) });
    assert.equal(j.summary, '2 smallint/integer keys; the fullest, shop.lines.id, is at 10.0% of its type\'s maximum');
    assert.equal(judgeCase(intKeyOverflow, { name: '', data: data([]) }).summary, 'no smallint/integer identity, serial or primary-key column');
  });

  it('says which keys it could not judge, and why', () => {
    const j = judgeCase(intKeyOverflow, {
      name: '',
      data: data([key({ sequence: at(null, { readable: false }) }), key({ table: 'tags', identity: false, sequence: null })]),
    });
    assert.equal(j.summary, '2 smallint/integer keys, none readable');
    assert.deepEqual(j.notes, [
      '1 key sequence could not be read: app lacks SELECT or USAGE on shop.orders_id_seq',
      '1 integer primary key without a sequence has no visible statistics (never analyzed, or app may not read the column), so its largest value is unknown: shop.tags.id',
    ]);
    // Nothing judged, partly for privileges: not "ok" — the runner reports it failed.
    assert.deepEqual(j.unjudged, {
      reason: 'none of the 2 keys it judges could be read (app lacks SELECT or USAGE on 1 key sequence; 1 key has no statistics yet)',
      privilege: true,
    });
  });

  it('judging nothing because every key is unreadable is unjudged (failed), not "ok"', () => {
    const j = judgeCase(intKeyOverflow, {
      name: '',
      data: data([
        key({ sequence: at(null, { readable: false }) }),
        key({ table: 'tags', identity: false, sequence: null, columnReadable: false }),
        key({ table: 'lines', sequence: at(null, { name: 'lines_id_seq', locked: true }) }),
      ]),
    });
    assert.deepEqual(j.findings, []);
    assert.deepEqual(j.unjudged, {
      reason:
        'none of the 3 keys it judges could be read (app lacks SELECT or USAGE on 1 key sequence; app may not read the column of 1 key without a sequence; ' +
        '1 key sequence is locked by another session)',
      privilege: true,
    });
    assert.ok(j.notes?.includes(
      '1 integer primary key without a sequence could not be judged: app may not read its column, so its statistics are hidden (pg_stats shows only columns the role may SELECT): shop.tags.id',
    ));
    const locked = judgeCase(intKeyOverflow, { name: '', data: data([key({ sequence: at(null, { locked: true }) })]) });
    assert.deepEqual(locked.unjudged, { reason: 'none of the one key it judges could be read (1 key sequence is locked by another session)', privilege: false });
  });

  it('judging some keys and not others stays judged, marked partial; a key never analyzed alone is neither', () => {
    const j = judgeCase(intKeyOverflow, { name: '', data: data([key(), key({ table: 'lines', sequence: at(null, { readable: false }) })]) });
    assert.equal(j.unjudged, undefined);
    assert.equal(j.partial, true);
    assert.match(j.summary ?? '', /^2 smallint\/integer keys; the fullest, shop\.orders\.id/);
    const fresh = judgeCase(intKeyOverflow, { name: '', data: data([key({ table: 'tags', identity: false, sequence: null })]) });
    assert.equal(fresh.unjudged, undefined, 'no statistics yet is nobody\'s privilege: noted, not failed');
    assert.equal(fresh.partial, undefined);
    assert.equal(judgeCase(intKeyOverflow, { name: '', data: data([key()]) }).partial, undefined);
  });

  it('typeMax: smallint and integer', () => {
    assert.equal(typeMax('smallint'), 32_767);
    assert.equal(typeMax('integer'), 2_147_483_647);
    assert.deepEqual(intKeyOverflow.defaults, { share: 0.5, errorShare: 0.9 });
  });
});

describe('int-key-overflow docs page', () => {
  it('quotes the message and fix of its example', () => {
    const flat = (text: string): string => text.replace(/\s+/g, ' ');
    const page = flat(readFileSync(join(__dirname, '../../../../docs/rules/int-key-overflow.md'), 'utf8'));
    const { findings } = judgeCase(intKeyOverflow, { name: '', data: data([key({ sequence: at(1_500_000_000), references: [{ schema: 'shop', table: 'order_lines', column: 'order_id', type: 'integer' }] })]) });
    for (const f of [findings[0]]) {
      assert.ok(page.includes(flat(f.message)), `int-key-overflow.md does not quote: ${f.message}`);
      if (f.fixSql) assert.ok(page.includes(flat(f.fixSql)), `int-key-overflow.md does not show: ${f.fixSql}`);
    }
  });
});

describe('int-key-overflow: the share of the range a sequence has used', () => {
  const cases: Array<[string, Partial<NonNullable<IntKeyRow['sequence']>>, number, number]> = [
    ['an ordinary ascending sequence', {}, 1_500_000_000, 0.698],
    ['started at the type minimum (the range doubled): almost nothing used', { minValue: -2_147_483_648 }, -2_147_483_639, 0],
    ['started at the type minimum, past zero', { minValue: -2_147_483_648 }, 1_073_741_824, 0.75],
    ['descending from -1 towards the minimum', { increment: -1, minValue: -2_147_483_648, maxValue: -1 }, -1_610_612_736, 0.75],
  ];
  for (const [title, seq, value, share] of cases) {
    it(title, () => {
      const k = key({ sequence: at(value, seq) });
      assert.ok(Math.abs(usedShare(k, value) - share) < 0.001, `${usedShare(k, value)} ≠ ${share}`);
    });
  }
});
