import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PartWatchdog } from '../../../src/core/migrations/verify/child';
import type { HungMigration } from '../../../src/core/migrations/verify/types';
import type { ServeAnswer } from '../../../src/core/migrations/verify/verify-serve';
import { removeSettled, repoRoot } from '../db/test-env';

/**
 * The editor's long-lived verification child (verify-serve) with the editor's watchdog: a down
 * that never ends on PGlite blocks the child, the watchdog ends it at the limit, and the folder
 * is asked again with that part named: it is reported as running too long, the rest verified.
 */
describe('rollback verification child of the editor: a part that never ends', function () {
  this.timeout(150_000);
  const dir = mkdtempSync(join(tmpdir(), 'pglens-serve-'));
  after(() => removeSettled(dir));

  /** One request to a new child; the answer, or the part the watchdog ended it in. */
  function ask(hung: HungMigration[], limitSeconds: number): Promise<{ answer?: ServeAnswer['answer']; stopped?: HungMigration; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot(), 'src', 'core', 'migrations', 'verify', 'verify-serve.ts')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stopped: HungMigration | undefined;
    let stderr = '';
    const dog = new PartWatchdog(limitSeconds * 1000, limitSeconds, (h) => {
      stopped = h;
      child.kill('SIGKILL');
    });
    let partial = '';
    child.stderr.on('data', (c: Buffer) => {
      const lines = (partial + c.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (!dog.line(l)) stderr += `${l}\n`;
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    return new Promise((resolve) => {
      child.stdout.on('data', () => {
        const line = out.split('\n').find((l) => l.trim());
        if (!line) return;
        dog.stop();
        child.stdin.end();
        resolve({ answer: (JSON.parse(line) as ServeAnswer).answer, stderr });
      });
      child.on('close', () => {
        dog.stop();
        resolve({ stopped, stderr });
      });
      child.stdin.write(`${JSON.stringify({ id: 1, dir, label: 'db', ...(hung.length && { hung }) })}\n`);
    });
  }

  it('is stopped by the watchdog, then reported as running too long; the migrations after it are verified', async () => {
    mkdirSync(join(dir, 'db'), { recursive: true });
    writeFileSync(join(dir, 'db', '00001_a.sql'), '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n');
    writeFileSync(
      join(dir, 'db', '00002_loop.sql'),
      '-- +goose Up\nCREATE TABLE b (id int);\n-- +goose Down\n-- +goose StatementBegin\nDO $$ BEGIN LOOP END LOOP; END $$;\n-- +goose StatementEnd\nDROP TABLE b;\n',
    );
    writeFileSync(join(dir, 'db', '00003_c.sql'), '-- +goose Up\nCREATE TABLE c (id int);\n-- +goose Down\nDROP TABLE c;\n');
    const first = await ask([], 4);
    assert.equal(first.answer, undefined, 'the child answered: the loop did not hang it');
    assert.deepEqual(first.stopped, { folder: 'db', id: '00002_loop', part: 'down', seconds: 4 });
    const second = await ask([first.stopped!], 60);
    assert.ok(second.answer && 'report' in second.answer, JSON.stringify(second));
    assert.deepEqual(
      second.answer.report.verdicts.map((v) => [v.id, v.kind, v.timedOut?.part]),
      [['00001_a', 'verified', undefined], ['00002_loop', 'unverifiable', 'down'], ['00003_c', 'verified', undefined]],
    );
    assert.doesNotMatch(first.stderr + second.stderr, /@@pglens-part/);
  });
});
