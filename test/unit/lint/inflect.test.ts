import assert from 'node:assert/strict';
import { inflectLastWord, isPlural, isSingular, pluralize, singularize } from '../../../src/core/lint/rules/support/inflect';

/** The English inflector behind naming-convention's plural and singular tables. */
describe('inflect', () => {
  const PAIRS: Array<[string, string]> = [
    ['user', 'users'], ['person', 'people'], ['status', 'statuses'], ['category', 'categories'], ['address', 'addresses'],
    ['child', 'children'], ['box', 'boxes'], ['batch', 'batches'], ['wish', 'wishes'], ['house', 'houses'], ['bus', 'buses'],
    ['movie', 'movies'], ['cookie', 'cookies'], ['analysis', 'analyses'], ['axis', 'axes'], ['key', 'keys'], ['day', 'days'],
    ['company', 'companies'], ['leaf', 'leaves'], ['archive', 'archives'], ['cache', 'caches'], ['size', 'sizes'],
    ['response', 'responses'], ['menu', 'menus'], ['photo', 'photos'], ['schema', 'schemas'], ['alias', 'aliases'],
    ['process', 'processes'], ['business', 'businesses'], ['index', 'indexes'], ['quiz', 'quizzes'], ['entry', 'entries'],
    ['policy', 'policies'], ['clause', 'clauses'], ['api', 'apis'], ['hero', 'heroes'], ['tax', 'taxes'], ['class', 'classes'],
    ['virus', 'viruses'], ['crisis', 'crises'], ['license', 'licenses'], ['criterion', 'criteria'],
  ];
  for (const [one, many] of PAIRS) {
    it(`${one} ↔ ${many}`, () => {
      assert.equal(pluralize(one), many);
      assert.equal(singularize(many), one);
      assert.ok(isPlural(many) && !isPlural(one), 'plural');
      assert.ok(isSingular(one) && !isSingular(many), 'singular');
    });
  }
  it('keeps uncountable words as they are, and never reports them', () => {
    for (const w of ['data', 'metadata', 'series', 'news', 'species', 'equipment', 'information', 'settings']) {
      assert.equal(pluralize(w), w);
      assert.equal(singularize(w), w);
      assert.ok(isPlural(w) && isSingular(w), w);
    }
  });
  it('reads indices as the plural of index', () => assert.equal(singularize('indices'), 'index'));
  it('inflects the last word of a snake_case name', () => {
    assert.equal(inflectLastWord('order_status', pluralize), 'order_statuses');
    assert.equal(inflectLastWord('user_accounts', singularize), 'user_account');
    assert.equal(inflectLastWord('events_2024', pluralize), 'events_2024');
  });
});
