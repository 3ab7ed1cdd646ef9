// Bundles the extension, the CLI, the sandbox child process and the plan viewer front end.
// The wasm/data files that libpg-query and PGlite load at run time are copied next to the
// bundles: both resolve them relative to the bundle's own directory.
import { analyzeMetafile, build } from 'esbuild';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, chmodSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  // Maps point at the files on disk (src/, media/src/, node_modules/) instead of carrying their
  // text: a development build holds no copy of third-party source, comments and all.
  sourcesContent: false,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
  // The sandbox resolves PGlite's extension bundles from node_modules only when run from source.
  logOverride: { 'require-resolve-not-external': 'silent' },
  // ESM dependencies (PGlite) locate their wasm with import.meta.url: point it at the bundle.
  define: { 'import.meta.url': '__pglensImportMetaUrl', 'process.env.NODE_ENV': '"production"' },
  banner: { js: "const __pglensImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

/**
 * The CLI: the bundle (dist/cli-bundle.js), then the `pglens` executable (dist/cli.js) that runs
 * it from a V8 code cache keyed by the bundle's hash (src/cli/launcher.ts).
 */
async function buildCli() {
  // Always minified: each run reads the whole bundle and deserialises its cached code, both
  // smaller minified, and comments would put non-ASCII characters in it (a two-byte string for V8).
  await build({ ...common, minify: true, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli-bundle.js' });
  const hash = createHash('sha256').update(readFileSync('dist/cli-bundle.js')).digest('hex').slice(0, 16);
  await build({
    ...common,
    sourcemap: false,
    entryPoints: ['src/cli/launcher.ts'],
    outfile: 'dist/cli.js',
    define: { ...common.define, PGLENS_BUNDLE_HASH: JSON.stringify(hash) },
    banner: { js: '#!/usr/bin/env node' },
  });
}

/**
 * The extension loads @babel/parser (N+1 analysis of code files, ~0.6 MB) from its own file next
 * to the bundle, and only when a code file is first analysed: inside extension.js it was parsed
 * at every activation, a third of the load time. The package is one self-contained file. It is
 * reached through a small CommonJS module, so the `require` stays inside the lazily initialised
 * code that uses it (an ES `import` of an external file would be hoisted to the top of its chunk).
 */
const babelApart = {
  name: 'babel-parser-apart',
  setup(b) {
    b.onResolve({ filter: /^@babel\/parser$/ }, () => ({ path: '@babel/parser', namespace: 'babel-parser-apart' }));
    b.onLoad({ filter: /.*/, namespace: 'babel-parser-apart' }, () => ({ contents: "module.exports = require('./babel-parser.js');", loader: 'js' }));
    b.onResolve({ filter: /^\.\/babel-parser\.js$/ }, () => ({ path: './babel-parser.js', external: true }));
  },
};

/**
 * The extension, split so that activation parses almost nothing: dist/extension.js is the
 * activation shell (src/extension/extension.ts); each feature module it imports on first use
 * (src/extension/features/*.ts) becomes its own dist/extension-<feature>-<hash>.js, and code
 * several of them use goes to shared dist/extension-chunk-<hash>.js files, loaded once. esbuild
 * splits code only for ES module output, and the extension host loads extensions with
 * `require`: so the extension is bundled as ES modules into a temporary folder under out/, then
 * each file is converted to CommonJS into dist/ (dynamic `import()` becoming `require`, source
 * maps chained).
 * The files land next to the other bundles, where __dirname-relative lookups (wasm, initdb,
 * PGlite extensions) expect them.
 */
async function buildExtension() {
  mkdirSync('out', { recursive: true });
  const esmDir = mkdtempSync('out/extension-esm-');
  const esm = await build({
    ...common,
    metafile: true,
    format: 'esm',
    splitting: true,
    banner: {},
    entryPoints: ['src/extension/extension.ts'],
    outdir: esmDir,
    entryNames: '[name]',
    chunkNames: 'extension-[name]-[hash]',
    external: ['vscode'],
    plugins: [babelApart],
  });
  const files = Object.keys(esm.metafile.outputs).filter((f) => f.endsWith('.js'));
  const cjs = await build({
    ...common,
    metafile: true,
    entryPoints: files,
    outdir: 'dist',
    supported: { 'dynamic-import': false },
    plugins: [{ name: 'all-external', setup: (b) => b.onResolve({ filter: /.*/ }, (a) => (a.kind === 'entry-point' ? undefined : { path: a.path, external: true })) }],
  });
  rmSync(esmDir, { recursive: true, force: true });
  // Chunks of earlier builds (their names carry a content hash) would otherwise ship in the .vsix.
  const written = new Set(Object.keys(cjs.metafile.outputs).map((f) => f.replace(/^dist\//, '')));
  for (const f of readdirSync('dist')) if (/^extension-.+\.js(\.map)?$/.test(f) && !written.has(f)) rmSync(join('dist', f), { force: true });
  return esm;
}

mkdirSync('dist', { recursive: true });
cpSync('node_modules/@babel/parser/lib/index.js', 'dist/babel-parser.js');
const results = await Promise.all([
  buildExtension(),
  buildCli(),
  build({ ...common, entryPoints: ['src/core/db/sandbox-process.ts'], outfile: 'dist/sandbox-process.js' }),
  build({ ...common, entryPoints: ['src/core/migrations/verify/verify-process.ts'], outfile: 'dist/verify-process.js' }),
  build({ ...common, entryPoints: ['src/core/migrations/verify/verify-serve.ts'], outfile: 'dist/verify-serve.js' }),
  existsSync('media/src/plan-viewer.ts')
    ? build({ ...common, define: {}, banner: {}, platform: 'browser', format: 'iife', target: 'es2020', entryPoints: ['media/src/plan-viewer.ts'], outfile: 'media/dist/plan-viewer.js' })
    : Promise.resolve(),
  build({ ...common, define: {}, banner: {}, platform: 'browser', format: 'iife', target: 'es2020', entryPoints: ['media/src/erd/erd-viewer.ts'], outfile: 'media/dist/erd-viewer.js' }),
]);
chmodSync('dist/cli.js', 0o755);
if (process.argv.includes('--metafile')) console.log(await analyzeMetafile(results[0].metafile));

cpSync('node_modules/libpg-query/wasm/libpg-query.wasm', 'dist/libpg-query.wasm');
const pglite = 'node_modules/@electric-sql/pglite/dist';
for (const f of ['pglite.wasm', 'pglite.data', 'initdb.wasm']) cpSync(join(pglite, f), join('dist', f));
// Contrib extension bundles, loaded by the sandbox for the CREATE EXTENSIONs the migrations contain.
mkdirSync('dist/pglite-ext', { recursive: true });
for (const f of readdirSync(pglite).filter((n) => n.endsWith('.tar.gz'))) cpSync(join(pglite, f), join('dist/pglite-ext', f));
cpSync('node_modules/@electric-sql/pglite-pgvector/dist/vector.tar.gz', 'dist/pglite-ext/vector.tar.gz');
// PGlite's initdb, run once per PGlite version: the first sandbox on a machine unpacks it instead.
await (await import('./scripts/initdb-archive.mjs')).writeInitdbArchive('dist');
