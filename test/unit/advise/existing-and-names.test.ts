import * as assert from 'node:assert/strict';
import { indexName, isCovered, type ExistingIndex, type TableInfo } from '../../../src/core/advise/candidates';

function table(indexes: ExistingIndex[]): TableInfo {
  return { indexes } as unknown as TableInfo;
}

const index = (over: Partial<ExistingIndex>): ExistingIndex => ({ name: 'i', columns: ['meta'], include: [], valid: true, method: 'gin', ...over });

describe('isCovered: an existing index serves a candidate only with an operator class that has its operators', () => {
  const cases: Array<[string, Parameters<typeof isCovered>[0], ExistingIndex, boolean]> = [
    ['default jsonb_ops serves a default-class candidate (`?`)', { columns: ['meta'], include: [], using: 'gin' }, index({ opclasses: ['jsonb_ops'], defaultOpclasses: [true] }), true],
    ['jsonb_path_ops does not serve `?` (a default-class candidate)', { columns: ['meta'], include: [], using: 'gin' }, index({ opclasses: ['jsonb_path_ops'], defaultOpclasses: [false] }), false],
    ['jsonb_path_ops serves a jsonb_path_ops candidate', { columns: ['meta'], include: [], using: 'gin', opclasses: ['jsonb_path_ops'] }, index({ opclasses: ['jsonb_path_ops'], defaultOpclasses: [false] }), true],
    [
      'text_pattern_ops does not serve range and ORDER BY in the collation',
      { columns: ['title'], include: [], using: 'btree' },
      index({ columns: ['title'], method: 'btree', opclasses: ['text_pattern_ops'], defaultOpclasses: [false] }),
      false,
    ],
    ['a default B-tree serves a default candidate', { columns: ['title'], include: [], using: 'btree' }, index({ columns: ['title'], method: 'btree', opclasses: ['text_ops'], defaultOpclasses: [true] }), true],
    ['an index of unknown operator classes is taken as default', { columns: ['title'], include: [], using: 'btree' }, index({ columns: ['title'], method: 'btree' }), true],
  ];
  for (const [title, candidate, existing, expected] of cases) {
    it(title, () => assert.equal(isCovered(candidate, table([existing]), true), expected));
  }
});

describe('indexName: never two candidates with one name, never a name an index already has', () => {
  it('keeps plain names as they are', () => {
    assert.equal(indexName('orders', ['customer_id', 'created_at'], ''), 'orders_customer_id_created_at_idx');
  });

  it('keeps letters of any script, so "é" and "ü" get two names', () => {
    const [a, b] = [indexName('Order "Items"', ['é'], ''), indexName('Order "Items"', ['ü'], '')];
    assert.notEqual(a, b);
    assert.equal(a, 'Order "Items"_é_idx');
  });

  it('cuts a long name to 63 bytes with a hash of the whole name, so three long names stay three', () => {
    const table = 'customer_subscription_billing_events_archive';
    const names = [['subscription_identifier'], ['subscription_identifier', 'created_timestamp'], ['subscription_identifier', 'created_timestamp', 'id']].map((cols) => indexName(table, cols, ''));
    assert.equal(new Set(names).size, 3);
    for (const n of names) {
      assert.ok(Buffer.byteLength(n) <= 63, n);
      assert.match(n, /^customer_subscription_billing_events_archive_\w*_[0-9a-f]{8}_idx$/);
    }
  });

  it('counts bytes, not characters, and never cuts a character in two', () => {
    const n = indexName('таблица_заказов', ['идентификатор_клиента', 'дата'], '');
    assert.ok(Buffer.byteLength(n) <= 63, `${Buffer.byteLength(n)} bytes`);
    assert.ok(!n.includes('\uFFFD'));
    assert.match(n, /_[0-9a-f]{8}_idx$/);
  });

  it('takes another name when the table already has an index of that name', () => {
    const n = indexName('docs', ['user_id', 'status'], '', new Set(['docs_user_id_status_idx']));
    assert.match(n, /^docs_user_id_status_[0-9a-f]{8}_idx$/);
  });
});
