import { strict as assert } from 'node:assert';
import { factorMagnitude, formatBlocks, formatCount, formatDelta, formatFactor, formatMs, formatShare, formatValue } from '../../../media/src/format';

describe('viewer formatting', () => {
  it('formats times with a sensible unit and never NaN', () => {
    assert.equal(formatMs(0.0123), '0.01 ms');
    assert.equal(formatMs(0.004), '0.004 ms');
    assert.equal(formatMs(12.34), '12.3 ms');
    assert.equal(formatMs(250.4), '250 ms');
    assert.equal(formatMs(1234), '1.23 s');
    assert.equal(formatMs(125_000), '2.1 min');
    assert.equal(formatMs(undefined), '–');
    assert.equal(formatMs(Number.NaN), '–');
  });
  it('formats counts compactly', () => {
    assert.equal(formatCount(999), '999');
    assert.equal(formatCount(12_345), '12.3k');
    assert.equal(formatCount(2_500_000), '2.5M');
    assert.equal(formatCount(150_000_000), '150M');
  });
  it('formats shares and estimate factors in both directions', () => {
    assert.equal(formatShare(0.5), '50%');
    assert.equal(formatShare(0.0005), '<0.1%');
    assert.equal(formatShare(0.05), '5.0%');
    assert.equal(formatFactor(120), '×120 under');
    assert.equal(formatFactor(0.01), '×100 over');
    assert.equal(formatFactor(1.01), '×1');
    assert.equal(factorMagnitude(0.1), 10);
    assert.equal(factorMagnitude(undefined), 1);
  });
  it('formats blocks with their size, deltas with sign and share', () => {
    assert.equal(formatBlocks(128), '128 (1.0 MB)');
    assert.equal(formatBlocks(10), '10 (80 kB)');
    assert.equal(formatDelta(200, 50, formatMs), '−150 ms (−75%)');
    assert.equal(formatDelta(10, 12, String), '+2 (+20%)');
    assert.equal(formatDelta(undefined, 12, String), '–');
  });
  it('formats raw property values', () => {
    assert.equal(formatValue(['a', 'b']), 'a, b');
    assert.equal(formatValue(true), 'true');
    assert.equal(formatValue({ x: 1 }), '{"x":1}');
    assert.equal(formatValue(null), '');
  });
});
