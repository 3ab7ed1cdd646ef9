/** The createMany quick fix, applied to the editor suite's fixture, still type-checks (`tsc --noEmit --strict`). */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintCodeFile } from '../../../src/core/app-code/lint-code-file';
import { applyEdits } from '../../../src/core/lint/apply-edits';
import { defaultConfig } from '../../../src/core/config';

const ROOT = join(__dirname, '../../..');
const FIXTURE = join(ROOT, 'test/vscode/workspace/app');

describe('n-plus-one-query quick fix output type-checks', () => {
  it('createMany over rows.map(…) in the editor fixture compiles under tsc --strict', function () {
    this.timeout(60_000);
    const text = readFileSync(join(FIXTURE, 'orders.ts'), 'utf8');
    const { findings } = lintCodeFile(join(FIXTURE, 'orders.ts'), text, defaultConfig(FIXTURE));
    const fix = findings.find((f) => f.fix?.title === 'Insert all rows with one order.createMany')?.fix;
    assert.ok(fix, `no createMany fix among: ${findings.map((f) => f.message).join('\n')}`);
    const fixed = applyEdits(text, fix.edits);
    assert.match(fixed, /await prisma\.order\.createMany\(\{ data: rows\.map\(\(row\) => \(\{ userId: row\.userId, total: row\.total \}\)\) \}\);/);
    const dir = mkdtempSync(join(tmpdir(), 'pglens-fix-tsc-'));
    try {
      writeFileSync(join(dir, 'orders.ts'), fixed);
      copyFileSync(join(FIXTURE, 'prisma-client.ts'), join(dir, 'prisma-client.ts'));
      const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
      const args = ['--noEmit', '--strict', '--target', 'ES2022', '--module', 'commonjs', '--lib', 'ES2022', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules/@types'), join(dir, 'orders.ts')];
      try {
        execFileSync(process.execPath, [tsc, ...args], { encoding: 'utf8' });
      } catch (e) {
        assert.fail(`tsc rejected the fixed file:\n${(e as { stdout?: string }).stdout ?? String(e)}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
