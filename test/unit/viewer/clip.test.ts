/** Long plan text shown short: where it is cut, and what stays available. */
import { strict as assert } from 'node:assert';
import { clip, clippedText, clipTitle, LABEL_CHARS, TEXT_CHARS } from '../../../media/src/clip';
import { FakeElement, installFakeDocument, uninstallFakeDocument } from './fake-dom';

describe('viewer clipping', () => {
  beforeEach(() => installFakeDocument());
  afterEach(() => uninstallFakeDocument());

  it('keeps short text, cuts long text to the limit with an ellipsis', () => {
    assert.equal(clip('orders'), 'orders');
    assert.equal(clip('x'.repeat(LABEL_CHARS)), 'x'.repeat(LABEL_CHARS));
    assert.equal(clip('x'.repeat(1_000_000)), `${'x'.repeat(LABEL_CHARS - 1)}…`);
    assert.equal(clip('abcdef', 4), 'abc…');
  });

  it('never splits a surrogate pair', () => {
    assert.equal(clip('ab😀cdef', 4), 'ab…');
    assert.equal(clip('abc😀def', 4), 'abc…');
  });

  it('gives a tooltip only to cut text, itself cut to the tooltip limit', () => {
    assert.equal(clipTitle('orders'), undefined);
    const title = clipTitle('y'.repeat(1_000_000))!;
    assert.equal(title.length, TEXT_CHARS);
    assert.ok(title.endsWith('…'));
  });

  it('shows the head of long text with a Show all button, and short text as it is', () => {
    assert.equal((clippedText('Filter: (a = 1)') as unknown as FakeElement).textContent, 'Filter: (a = 1)');
    const long = clippedText(`<b>${'z'.repeat(5000)}`) as unknown as FakeElement;
    const button = long.all().find((e) => e.tagName === 'button')!;
    assert.equal(button.textContent, 'Show all 5003 characters');
    assert.deepEqual(button.listeners, ['click']);
    assert.ok(long.serialize().startsWith(`<span class="clipped">&lt;b&gt;${'z'.repeat(TEXT_CHARS - 4)}… <button`));
  });
});
