// Bundles src/core/lint (what the editor and CLI run) into a temp file for the lint benchmarks,
// so they measure compiled JavaScript, not a TypeScript loader. libpg-query stays external:
// it loads its .wasm from node_modules.
import { build } from 'esbuild';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const repoRequire = createRequire(join(root, 'package.json'));

export async function loadLintCore() {
  const outfile = join(mkdtempSync(join(tmpdir(), 'pglens-bench-')), 'lint-core.cjs');
  await build({
    // The lint entry, plus the config defaults the benchmarks lint with (src/core/config since the config moved there).
    stdin: {
      contents: "export * from './src/core/lint/index';\nexport { defaultConfig } from './src/core/config';\n",
      resolveDir: root,
      sourcefile: 'bench-lint-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'error',
    plugins: [
      {
        name: 'libpg-query-from-repo',
        setup(b) {
          // Kept external by absolute path, so the temp bundle finds it (and its .wasm) in this repo.
          b.onResolve({ filter: /^libpg-query(\/|$)/ }, (args) => ({ path: repoRequire.resolve(args.path), external: true }));
        },
      },
    ],
  });
  const core = repoRequire(outfile);
  await core.loadLintEngine();
  return core;
}

/** The shared corpus folder, or exit 2 with a clear message when it is absent. */
export function corpusDir(bench, sub) {
  const dir = resolve(root, '../shared/corpus', sub);
  if (!existsSync(dir)) {
    console.error(`${bench}: ${dir} not found — this benchmark reads the shared corpus next to the repository (../shared/corpus); it is not part of the repo.`);
    process.exit(2);
  }
  return dir;
}
