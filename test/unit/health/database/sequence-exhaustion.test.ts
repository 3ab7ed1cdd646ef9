import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check as sequenceExhaustion, sequenceUsed, type SequenceData, type SequenceRow } from '../../../../src/core/health/database/checks/sequence-exhaustion';
import { judgeCase, runCheckTests } from './session-fixtures';

const INT_MAX = '2147483647';
const BIGINT_MAX = '9223372036854775807';

/** shop.order_no: an integer sequence from 1, not owned by any column, at 1,000. */
function seq(over: Partial<SequenceRow> = {}): SequenceRow {
  return {
    schema: 'shop',
    name: 'order_no',
    dataType: 'integer',
    minValue: '1',
    maxValue: INT_MAX,
    increment: '1',
    cycle: false,
    readable: true,
    locked: false,
    lastValue: '1000',
    narrowColumnLimit: null,
    ...over,
  };
}

function data(sequences: SequenceRow[]): SequenceData {
  return { role: 'app', sequences };
}

runCheckTests(sequenceExhaustion, {
  valid: [
    { name: 'far from its maximum', data: data([seq()]) },
    { name: 'never used (no last_value)', data: data([seq({ lastValue: null })]) },
    { name: 'just under half', data: data([seq({ lastValue: '1073741823' })]) },
    { name: 'a bigint sequence at 2 billion', data: data([seq({ dataType: 'bigint', maxValue: BIGINT_MAX, lastValue: '2000000000' })]) },
    {
      name: 'feeding an integer column: int-key-overflow judges it, not this check',
      data: data([seq({ lastValue: '2100000000', narrowColumnLimit: 2147483647 })]),
    },
    { name: 'not readable: noted, not judged', data: data([seq({ readable: false, lastValue: null })]) },
    { name: 'under a raised share', data: data([seq({ lastValue: '1500000000' })]), thresholds: { share: 0.75 } },
  ],
  invalid: [
    {
      name: 'an integer sequence at 93%: error',
      data: data([seq({ lastValue: '2000000000' })]),
      findings: [
        {
          severity: 'error',
          schema: 'shop',
          message:
            'sequence shop.order_no (integer) is at 2,000,000,000 of its maximum 2,147,483,647 (93.1% used, ~147.5M values left): ' +
            'after that every nextval() fails ("reached maximum value of sequence") and so does every insert that needs it',
          metrics: { lastValue: '2000000000', maxValue: INT_MAX, dataType: 'integer', usedRatio: 0.9313, valuesLeft: 147_483_647, cycle: false },
        },
      ],
    },
    {
      name: 'half used: warning',
      data: data([seq({ lastValue: '1073741824' })]),
      findings: [{ severity: 'warning', message: /is at 1,073,741,824 of its maximum 2,147,483,647 \(50\.0% used, ~1\.1G values left\)/ }],
    },
    {
      name: 'a bigint sequence with a small MAXVALUE, cycling',
      data: data([seq({ name: 'ticket_no', dataType: 'bigint', maxValue: '1000', lastValue: '600', cycle: true })]),
      findings: [
        {
          severity: 'warning',
          message:
            'sequence shop.ticket_no (bigint) is at 600 of its maximum 1,000 (59.9% used, ~400 values left): at the maximum it starts again at 1 (CYCLE) ' +
            'and hands out values existing rows may already hold, so inserts fail on duplicate keys',
        },
      ],
    },
    {
      name: 'a descending sequence, judged toward its minimum',
      data: data([seq({ name: 'countdown', dataType: 'smallint', minValue: '-32768', maxValue: '-1', increment: '-1', lastValue: '-30000' })]),
      findings: [{ severity: 'error', message: /^sequence shop\.countdown \(smallint\) is at -30,000 of its minimum -32,768 \(91\.5% used, ~2768 values left\)/ }],
    },
    {
      name: 'a smallint sequence feeding an integer column: the sequence runs out first',
      data: data([seq({ dataType: 'smallint', maxValue: '32767', lastValue: '30000', narrowColumnLimit: 2147483647 })]),
      findings: [{ severity: 'error', message: /\(smallint\) is at 30,000 of its maximum 32,767/ }],
    },
    {
      name: 'a bigint sequence at the end of the bigint range (increment 1,000,000,000,000)',
      data: data([seq({ dataType: 'bigint', maxValue: BIGINT_MAX, increment: '1000000000000', lastValue: '5000000000000000000' })]),
      findings: [{ severity: 'warning', message: /is at 5,000,000,000,000,000,000 of its maximum 9,223,372,036,854,775,807 \(54\.2% used, ~4\.2M values left\)/ }],
    },
  ],
});

describe('sequence-exhaustion fix SQL', () => {
  const cases: { name: string; row: SequenceRow; fixSql: string | undefined; nextStep: RegExp }[] = [
    {
      name: 'smaller than bigint: widen it and lift the maximum',
      row: seq({ lastValue: '2000000000' }),
      fixSql: 'ALTER SEQUENCE shop.order_no AS bigint NO MAXVALUE;',
      nextStep: /^ALTER SEQUENCE is instant and locks only the sequence\. Every column that stores its values must hold them too: make those bigint \(see prefer-bigint-over-int\)\.$/,
    },
    {
      name: 'bigint with a MAXVALUE of its own: lift it',
      row: seq({ dataType: 'bigint', maxValue: '1000', lastValue: '900' }),
      fixSql: 'ALTER SEQUENCE shop.order_no NO MAXVALUE;',
      nextStep: /^ALTER SEQUENCE is instant/,
    },
    {
      name: 'descending: lift the minimum',
      row: seq({ dataType: 'smallint', minValue: '-32768', maxValue: '-1', increment: '-1', lastValue: '-30000' }),
      fixSql: 'ALTER SEQUENCE shop.order_no AS bigint NO MINVALUE;',
      nextStep: /^ALTER SEQUENCE is instant/,
    },
    {
      name: 'feeding a narrower column: widen that too',
      row: seq({ dataType: 'smallint', maxValue: '32767', lastValue: '30000', narrowColumnLimit: 2147483647 }),
      fixSql: 'ALTER SEQUENCE shop.order_no AS bigint NO MAXVALUE;',
      nextStep: /It feeds a smallint or integer column, which then becomes the limit: widen that column to bigint as well \(see prefer-bigint-over-int\)/,
    },
    {
      name: 'the whole bigint range: nothing to widen',
      row: seq({ dataType: 'bigint', maxValue: BIGINT_MAX, increment: '1000000000000', lastValue: '5000000000000000000' }),
      fixSql: undefined,
      nextStep: /^It already spans the whole bigint range: find what consumes values this fast \(its INCREMENT is 1000000000000;/,
    },
    {
      name: 'names that need quoting',
      row: seq({ schema: 'Billing', name: 'invoice no', lastValue: '2000000000' }),
      fixSql: 'ALTER SEQUENCE "Billing"."invoice no" AS bigint NO MAXVALUE;',
      nextStep: /^ALTER SEQUENCE/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [f] = judgeCase(sequenceExhaustion, { name: c.name, data: data([c.row]) }).findings;
      assert.equal(f?.fixSql, c.fixSql);
      assert.match(f.nextStep ?? '', c.nextStep);
      assert.equal(f.sequence, c.row.name);
    });
  }
});

describe('sequence-exhaustion summary and notes', () => {
  it('names the fullest sequence it judged', () => {
    const j = judgeCase(sequenceExhaustion, { name: '', data: data([seq(), seq({ name: 'invoice_no', lastValue: '21474836' })]) });
    assert.equal(j.summary, '2 sequences; the fullest, shop.invoice_no, has used 0.9% of its range');
    assert.equal(judgeCase(sequenceExhaustion, { name: '', data: data([]) }).summary, 'no sequence to judge here');
  });

  it('says which sequences the role could not read, and which int-key-overflow judges', () => {
    const j = judgeCase(sequenceExhaustion, {
      name: '',
      data: data([seq({ readable: false, lastValue: null }), seq({ name: 'b', readable: false, lastValue: null }), seq({ name: 'id_seq', narrowColumnLimit: 2147483647 })]),
    });
    assert.deepEqual(j.notes, [
      '2 sequences could not be read: app lacks SELECT or USAGE on shop.order_no, shop.b (pg_sequences shows no last_value without it)',
      '1 sequence feeds a smallint or integer column that runs out first: int-key-overflow judges it',
    ]);
  });

  it('judging nothing because every sequence is unreadable is unjudged (failed), not "ok — no sequence to judge here"', () => {
    const one = judgeCase(sequenceExhaustion, { name: '', data: data([seq({ readable: false, lastValue: null }), seq({ name: 'id_seq', narrowColumnLimit: 2147483647 })]) });
    assert.deepEqual(one.unjudged, { reason: 'none of the one sequence it judges could be read (app lacks SELECT or USAGE on it)', privilege: true });
    const mixed = judgeCase(sequenceExhaustion, {
      name: '',
      data: data([seq({ readable: false, lastValue: null }), seq({ name: 'b', readable: false, lastValue: null }), seq({ name: 'c', locked: true, lastValue: null })]),
    });
    assert.deepEqual(mixed.unjudged, { reason: 'none of the 3 sequences it judges could be read (app lacks SELECT or USAGE on 2; 1 is locked by another session)', privilege: true });
    const locked = judgeCase(sequenceExhaustion, { name: '', data: data([seq({ locked: true, lastValue: null }), seq({ name: 'b', locked: true, lastValue: null })]) });
    assert.deepEqual(locked.unjudged, { reason: 'none of the 2 sequences it judges could be read (all are locked by another session)', privilege: false });
    // None at all, or only ones int-key-overflow judges: nothing was unread, so it is judged.
    assert.equal(judgeCase(sequenceExhaustion, { name: '', data: data([]) }).unjudged, undefined);
    assert.equal(judgeCase(sequenceExhaustion, { name: '', data: data([seq({ narrowColumnLimit: 2147483647 })]) }).unjudged, undefined);
  });

  it('judging some and not reading others stays judged, marked partial', () => {
    const j = judgeCase(sequenceExhaustion, { name: '', data: data([seq(), seq({ name: 'b', readable: false, lastValue: null })]) });
    assert.equal(j.unjudged, undefined);
    assert.equal(j.partial, true);
    assert.equal(judgeCase(sequenceExhaustion, { name: '', data: data([seq()]) }).partial, undefined);
  });

  it('leaves out a sequence another session holds locked, and says so (its value would wait for that session)', () => {
    const j = judgeCase(sequenceExhaustion, { name: '', data: data([seq({ locked: true, lastValue: null }), seq({ name: 'b', lastValue: '2000000000' })]) });
    assert.deepEqual(j.findings.map((f) => f.sequence), ['b']);
    assert.deepEqual(j.notes, [
      '1 sequence was not read: another session holds it locked (ALTER SEQUENCE or TRUNCATE … RESTART IDENTITY in progress?): shop.order_no — run the check again when it is done',
    ]);
  });

  it('sequenceUsed counts in the direction the sequence goes, exactly on bigint text', () => {
    assert.equal(sequenceUsed({ minValue: '1', maxValue: '101', increment: '1', lastValue: '51' }), 0.5);
    assert.equal(sequenceUsed({ minValue: '-101', maxValue: '-1', increment: '-1', lastValue: '-51' }), 0.5);
    assert.equal(sequenceUsed({ minValue: '1', maxValue: BIGINT_MAX, increment: '1', lastValue: BIGINT_MAX }), 1);
    assert.equal(sequenceUsed({ minValue: '1', maxValue: '10', increment: '1', lastValue: null }), null);
  });

  it('defaults: warning from 50%, error from 90%', () => {
    assert.deepEqual(sequenceExhaustion.defaults, { share: 0.5, errorShare: 0.9 });
  });
});

describe('sequence-exhaustion docs page', () => {
  it('quotes the message and fix of its example', () => {
    const flat = (text: string): string => text.replace(/\s+/g, ' ');
    const page = flat(readFileSync(join(__dirname, '../../../../docs/rules/sequence-exhaustion.md'), 'utf8'));
    const { findings } = judgeCase(sequenceExhaustion, { name: '', data: data([seq({ lastValue: '2000000000' })]) });
    for (const f of [findings[0]]) {
      assert.ok(page.includes(flat(f.message)), `sequence-exhaustion.md does not quote: ${f.message}`);
      if (f.fixSql) assert.ok(page.includes(flat(f.fixSql)), `sequence-exhaustion.md does not show: ${f.fixSql}`);
    }
  });
});
