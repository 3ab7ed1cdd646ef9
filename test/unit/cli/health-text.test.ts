/**
 * `pglens health` text output (src/cli/commands/health.ts): a check that could read nothing it
 * judges is failed (never "ok"), and one that read only part says so in its state and below the
 * checks, not only in a note.
 */
import * as assert from 'node:assert/strict';
import { healthExitCode, healthText } from '../../../src/cli/commands/health';

type Run = Parameters<typeof healthText>[0];
type Check = Run['database']['checks'][number];

const HEADER: Run['header'] = {
  connection: { kind: 'server', label: 'postgresql://lo@db/shop', serverVersion: '15.20', database: 'shop' },
  isReplica: false,
  statsReset: null,
  statsSince: 'since the server started',
  sizesExact: null,
  notes: [],
};

function run(checks: Array<Partial<Check> & Pick<Check, 'id' | 'state'>>, findings: Run['findings'] = []): Run {
  return {
    header: HEADER,
    database: { checks: checks.map((c) => ({ title: c.id, notes: [], findings: 0, thresholds: {}, ...c })), findings: [] },
    findings,
  };
}

describe('pglens health text: checks that could not read what they judge', () => {
  it('a check that read nothing is failed with its reason, and the run exits 2', () => {
    const r = run([
      {
        id: 'sequence-exhaustion',
        state: 'failed',
        reason: 'not allowed to read what it judges: none of the one sequence it judges could be read (lo lacks SELECT or USAGE on it) — it needs SELECT or USAGE on each sequence',
        notes: ['1 sequence could not be read: lo lacks SELECT or USAGE on public.s'],
      },
    ]);
    const text = healthText(r);
    assert.match(text, /^ {2}sequence-exhaustion {2}failed {6}not allowed to read what it judges: none of the one sequence/m);
    assert.match(text, /note: 1 sequence could not be read: lo lacks SELECT or USAGE on public\.s/);
    assert.doesNotMatch(text, /^No findings\.$/m);
    assert.match(text, /^No findings from the checks that ran; 1 could not run or read nothing to judge \(sequence-exhaustion\): see Checks above\.$/m);
    let stderr = '';
    assert.equal(healthExitCode(r, 'warning', { stderr: (t) => void (stderr += t) }), 2);
    assert.match(stderr, /1 check could not run or read nothing to judge \(sequence-exhaustion\): the report is incomplete/);
  });

  it('a check that read part is "ok, partly", and the closing line says which checks are partial', () => {
    const r = run([
      { id: 'int-key-overflow', state: 'ran', partial: true, summary: '2 keys; the fullest …', notes: ['1 key sequence could not be read: lo lacks SELECT or USAGE on public.t_id_seq'] },
      { id: 'xid-wraparound', state: 'ran', summary: 'age 10' },
    ]);
    const text = healthText(r);
    assert.match(text, /^ {2}int-key-overflow {2}ok, partly {2}2 keys; the fullest …$/m);
    assert.match(text, /^ {2}xid-wraparound {4}ok {10}age 10$/m);
    assert.match(text, /^No findings in what could be read; 1 check could read only part of what it judges \(int-key-overflow\): see its notes above\.$/m);
    assert.equal(healthExitCode(r, 'warning', { stderr: () => undefined }), 0);
    const withFinding = healthText(
      run([{ id: 'table-bloat', state: 'ran', partial: true, findings: 1, summary: 's' }], [{ ruleId: 'table-bloat', severity: 'warning', message: 'm', schema: 'a', table: 'b' }]),
    );
    assert.match(withFinding, /^ {2}table-bloat {2}1 finding, partly {2}s$/m);
    assert.match(withFinding, /^Partly judged: 1 check could read only part of what it judges \(table-bloat\): see its notes above\.$/m);
  });
});
