import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/core/config';
import { PglensError } from '../../../src/core/errors';
import { DATABASE_CHECKS } from '../../../src/core/health/database/checks';
import { HEALTH_RULE_OPTIONS } from '../../../src/core/health/health-options';
import { INDEX_HEALTH_RULES } from '../../../src/core/health/health-finding';
import { N_PLUS_ONE_CANDIDATE } from '../../../src/core/health/n-plus-one-candidates';
import { RULE_REGISTRY } from '../../../src/core/rules/registry';

/** `"rules": { "<id>": ["warning", options] }` as the config reader reads it. */
const read = (id: string, options: unknown) => parseConfig({ rules: { [id]: ['warning', options] } }, '/w/.pglens.json');

describe('health rule options, checked when .pglens.json is read', () => {
  const valid: Array<[id: string, options: Record<string, unknown>]> = [
    ['unused-index', { minStatsDays: 30 }],
    ['unused-index', { minStatsDays: 0 }],
    ['unused-index', {}],
    ['seq-scan-heavy-table', { minRows: 5000, ratio: 2.5 }],
    // seq-scan-heavy-table's ratio is rows per row fetched, not a fraction.
    ['seq-scan-heavy-table', { ratio: 20 }],
    ['table-bloat', { deadRatio: 0.3, minBloatBytes: 1048576 }],
    ['connections', { share: 1, errorShare: 0 }],
    ['cache-hit-ratio', { minRatio: 0.95, maxTables: 3 }],
    ['xid-wraparound', { warnAge: 200000000 }],
    ['n-plus-one-candidate', { minCalls: 0, maxRowsPerCall: 1.5, maxCandidates: 5 }],
  ];
  for (const [id, options] of valid) {
    it(`accepts ${id} ${JSON.stringify(options)}`, () => {
      assert.deepEqual(read(id, options).rules[id], { severity: 'warning', options });
    });
  }

  const invalid: Array<[id: string, options: unknown, key: string, problem: string]> = [
    ['unused-index', { minStatsDays: -1 }, 'rules.unused-index[1].minStatsDays', 'must be a number ≥ 0, got -1'],
    ['unused-index', { minStatsDays: '7' }, 'rules.unused-index[1].minStatsDays', 'must be a number ≥ 0, got "7"'],
    ['unused-index', { minStatsDays: null }, 'rules.unused-index[1].minStatsDays', 'must be a number ≥ 0, got null'],
    ['unused-index', { minStatDays: 7 }, 'rules.unused-index[1].minStatDays', 'is not an option of unused-index (minStatsDays)'],
    ['seq-scan-heavy-table', { minRows: 5000, rate: 2 }, 'rules.seq-scan-heavy-table[1].rate', 'is not an option of seq-scan-heavy-table (minRows, ratio)'],
    ['seq-scan-heavy-table', { minRows: [5000] }, 'rules.seq-scan-heavy-table[1].minRows', 'must be a number ≥ 0, got [5000]'],
    ['invalid-index', { minRows: 1 }, 'rules.invalid-index[1].minRows', 'is not an option of invalid-index (it has none)'],
    ['unlogged-table', { minRows: 1 }, 'rules.unlogged-table[1].minRows', 'is not an option of unlogged-table (it has none)'],
    ['connections', { share: 2 }, 'rules.connections[1].share', 'is a fraction between 0 and 1, got 2'],
    ['table-bloat', { deadRatio: 1.5 }, 'rules.table-bloat[1].deadRatio', 'is a fraction between 0 and 1, got 1.5'],
    ['table-bloat', { limit: 10 }, 'rules.table-bloat[1].limit', 'is not an option of table-bloat (minDeadTuples, deadRatio, bloatRatio, minBloatBytes)'],
    ['long-running-query', { seconds: true }, 'rules.long-running-query[1].seconds', 'must be a number ≥ 0, got true'],
    ['n-plus-one-candidate', { maxCandidates: -5 }, 'rules.n-plus-one-candidate[1].maxCandidates', 'must be a number ≥ 0, got -5'],
  ];
  for (const [id, options, key, problem] of invalid) {
    it(`reports ${key} in ${JSON.stringify(options)}`, () => {
      assert.throws(
        () => read(id, options),
        (e: unknown) => e instanceof PglensError && e.code === 'bad-input' && e.message.startsWith(`/w/.pglens.json: "${key}" ${problem} — `),
      );
    });
  }

  it('knows the options of every health rule, from the defaults the rule runs with', () => {
    const ids = [...DATABASE_CHECKS.map((c) => c.id), ...Object.keys(INDEX_HEALTH_RULES), N_PLUS_ONE_CANDIDATE].sort();
    assert.deepEqual(Object.keys(HEALTH_RULE_OPTIONS).sort(), ids);
    for (const check of DATABASE_CHECKS) assert.deepEqual(HEALTH_RULE_OPTIONS[check.id].defaults, check.defaults, check.id);
    for (const [id, rule] of Object.entries(INDEX_HEALTH_RULES)) assert.equal(HEALTH_RULE_OPTIONS[id as keyof typeof INDEX_HEALTH_RULES].defaults, rule.options, id);
  });

  it('accepts every health rule\'s defaults as its options', () => {
    for (const [id, spec] of Object.entries(HEALTH_RULE_OPTIONS)) assert.deepEqual(read(id, { ...spec.defaults }).rules[id].options, spec.defaults, id);
  });

  it('gives the rule registry the same check for each health rule', () => {
    for (const id of Object.keys(HEALTH_RULE_OPTIONS)) {
      const meta = RULE_REGISTRY.find((r) => r.id === id);
      assert.ok(meta?.options, `${id} has no options check in the registry`);
      assert.equal(meta.options({}), undefined, id);
      assert.deepEqual(meta.options({ nope: 1 })?.path, 'nope', id);
    }
  });
});
