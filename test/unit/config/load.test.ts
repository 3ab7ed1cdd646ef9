import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../../../src/core/config';
import { closestKey } from '../../../src/core/config/problems';
import { PglensError } from '../../../src/core/errors';
import { planOptionsFromConfig } from '../../../src/core/plan/config';

describe('core/config loader', () => {
  const rejects = (value: unknown, pattern: RegExp) =>
    assert.throws(
      () => parseConfig(value, '/w/.pglens.json'),
      (e: unknown) => e instanceof PglensError && e.code === 'bad-input' && pattern.test(e.message) && e.message.startsWith('/w/.pglens.json: '),
    );

  it('reads known plan thresholds as numbers, into the plan analyser options', () => {
    const config = parseConfig({ plan: { seqScanFilterMinRows: 5000, heapFetchesMinPct: 0 }, rules: { misestimate: 'off' } }, '/w/.pglens.json');
    assert.deepEqual(config.plan, { seqScanFilterMinRows: 5000, heapFetchesMinPct: 0 });
    assert.deepEqual(planOptionsFromConfig(config), { thresholds: { seqScanFilterMinRows: 5000, heapFetchesMinPct: 0 }, severities: { misestimate: 'off' } });
  });

  it('reports an unknown plan key with its path when the file is read, suggesting the nearest threshold', () => {
    rejects({ plan: { seqScanFilterMinRow: 5000 } }, /"plan\.seqScanFilterMinRow" is not a plan threshold \(did you mean "seqScanFilterMinRows"\?\) — /);
    rejects({ plan: { seqscanfilterminrows: 5000 } }, /\(did you mean "seqScanFilterMinRows"\?\) — /);
    rejects({ plan: { colour: 1 } }, /"plan\.colour" is not a plan threshold \(known: seqScanFilterMinRows, seqScanFilterMinRemovedPct, /);
    rejects({ plan: { thresholds: { misestimate: 20 } } }, /"plan\.thresholds" is not a plan threshold/);
  });

  it('reports a plan value that is not a number ≥ 0 with its path', () => {
    rejects({ plan: { misestimateMinFactor: '10' } }, /"plan\.misestimateMinFactor" must be a number ≥ 0, got "10"( — |$)/);
    rejects({ plan: { misestimateMinFactor: -1 } }, /"plan\.misestimateMinFactor" must be a number ≥ 0, got -1( — |$)/);
    rejects({ plan: { misestimateMinFactor: null } }, /must be a number ≥ 0, got null( — |$)/);
    rejects({ plan: [] }, /"plan" must be an object( — |$)/);
  });

  it('fails the whole load on a bad key (the editor reports it and uses the defaults), naming the file read from disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pglens-config-load-'));
    const file = join(dir, '.pglens.json');
    writeFileSync(file, JSON.stringify({ rules: { 'select-star': 'off' }, plan: { seqScanFilterMinRow: 1 } }));
    assert.throws(() => loadConfig(dir), (e: unknown) => e instanceof PglensError && e.message.startsWith(`${file}: "plan.seqScanFilterMinRow" is not a plan threshold (did you mean "seqScanFilterMinRows"?)`));
  });

  it('suggests a key only when it is close', () => {
    const known = ['seqScanFilterMinRows', 'indexFilterMinRows', 'skip'];
    assert.equal(closestKey('indexFilterMinRow', known), 'indexFilterMinRows');
    assert.equal(closestKey('SKIP', known), 'skip');
    assert.equal(closestKey('skp', known), 'skip');
    assert.equal(closestKey('sk', known), undefined);
    assert.equal(closestKey('rows', known), undefined);
  });
});
