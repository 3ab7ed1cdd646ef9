import * as assert from 'node:assert/strict';
import { isCovered, type ExistingIndex, type TableInfo } from '../../../src/core/advise/candidates';

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
