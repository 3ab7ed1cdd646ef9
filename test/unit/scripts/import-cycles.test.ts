import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// scripts/import-cycles.mjs (part of `npm run lint`) on small module trees of its own.
const SCRIPT = path.join(__dirname, '..', '..', '..', 'scripts', 'import-cycles.mjs');

function run(files: Record<string, string>): { code: number | null; out: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-cycles-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      fs.writeFileSync(path.join(root, name), text);
    }
    const r = spawnSync(process.execPath, [SCRIPT, '--root', root], { cwd: root, encoding: 'utf8' });
    return { code: r.status, out: r.stdout + r.stderr };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

describe('scripts/import-cycles.mjs', () => {
  it('passes a tree without cycles, packages and missing files ignored', () => {
    const r = run({
      'a.ts': "import { b } from './b';\nimport * as fs from 'node:fs';\nimport x from 'left-pad';\nexport const a = b + String(fs) + x;",
      'b.ts': "import { c } from './sub';\nexport const b = c;",
      'sub/index.ts': "import { gone } from '../gone';\nexport const c = gone;",
    });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /3 modules, 2 imports, 0 cycles/);
  });

  it('fails on a cycle and names its modules in order', () => {
    const r = run({
      'a.ts': "import { b } from './b';\nexport const a = 1 + b;",
      'b.ts': "import { c } from './c';\nexport const b = c;",
      'c.ts': "import { a } from './a';\nexport const c = a;",
      'd.ts': "import { a } from './a';\nexport const d = a;",
    });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /import cycle: a\.ts → b\.ts → c\.ts → a\.ts/);
    assert.match(r.out, /1 cycle \(/);
  });

  it('counts type-only imports, re-exports, import() and require() as imports', () => {
    for (const back of [
      "import type { A } from './a';\nexport type B = A;",
      "export { a } from './a';",
      "export const load = () => import('./a');",
      "export const load = () => require('./a');",
    ]) {
      const r = run({ 'a.ts': "import { load } from './b';\nexport const a = load;", 'b.ts': back });
      assert.equal(r.code, 1, `${back}\n${r.out}`);
      assert.match(r.out, /import cycle: a\.ts → b\.ts → a\.ts/);
    }
  });

  it('reports each tangle of modules once', () => {
    const r = run({
      'a.ts': "import './b';\nimport './c';",
      'b.ts': "import './a';",
      'c.ts': "import './a';",
      'x.ts': "import './y';",
      'y.ts': "import './x';",
    });
    assert.equal(r.code, 1);
    assert.equal(r.out.match(/^import cycle:/gm)?.length, 2, r.out);
  });
});
