import * as fs from 'node:fs';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import { cacheRoot } from './cache-root';
import { precompilePgQuery } from '../core/sql/pg-query-precompile';
import { COMMAND_V8_FLAGS, isCommandName } from './command-names';

/**
 * The `pglens` executable (dist/cli.js). It runs the CLI bundle (dist/cli-bundle.js, built from
 * main.ts) with a V8 code cache kept in the user's cache folder: a run then skips compiling the
 * bundle and the functions the previous run of the same command compiled, which is most of a
 * small `pglens lint`'s startup. The cache is specific to the bundle build, the command and the
 * Node version; a missing, stale or unwritable cache only costs that saving.
 */

/** Content hash of dist/cli-bundle.js, defined by the build. */
declare const PGLENS_BUNDLE_HASH: string;

const bundle = path.join(__dirname, 'cli-bundle.js');
const args = process.argv.slice(2);
// Run as `pglens …` (not required as a library): only then are the process's flags and exit its own.
const isMain = require.main === module;
const command = isMain && isCommandName(args[0]) ? args[0] : undefined;
// Before compiling: V8 rejects a code cache made under other flags. V8 checks a cache's version
// and flags but, unless told to, not its bytes: with the checksum, a damaged cache is rejected
// like a stale one (a digest of our own would load node:crypto, ~3 ms of a small lint run).
if (isMain) setFlagsFromString(`--verify-snapshot-checksum ${(command && COMMAND_V8_FLAGS[command]) ?? ''}`);
// lint's parser compiles on V8's threads while the bundle is evaluated and the inputs are read.
if (command === 'lint') precompilePgQuery(path.join(__dirname, 'libpg-query.wasm'));

const source = fs.readFileSync(bundle, 'utf8');
const cacheDir = path.join(cacheRoot(process.env), 'code-cache');
const cacheFile = path.join(cacheDir, cacheName());
// Required as a library, the flags are the host's: the cache is not checked, so it is not read.
const cached = isMain ? readCache() : undefined;
// CommonJS's module wrapper, on a line of its own so the bundle's line numbers stay as they are.
const script = new Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {
  filename: bundle,
  lineOffset: -1,
  cachedData: cached,
});
// Written when the run ends, so the cache holds every function this command compiled. A help,
// version or failed run (exit 2) compiles little: it leaves the cache to a real run.
if (isMain && (!cached || script.cachedDataRejected) && !args.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-v')) {
  process.once('exit', (code) => {
    if (code === 0 || code === 1) writeCache(script);
  });
}
(script.runInThisContext() as (...a: unknown[]) => void)(module.exports, require, module, bundle, __dirname);

/** One file per bundle build (hash, and size and time so a hand-edited bundle is not run from the cache of the one it replaced), command and Node. */
function cacheName(): string {
  const stat = fs.statSync(bundle);
  return `cli-${PGLENS_BUNDLE_HASH}-${stat.size}-${Math.trunc(stat.mtimeMs)}-${command ?? 'other'}-${process.version}-${process.arch}.bin`;
}

function readCache(): Buffer | undefined {
  try {
    return fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

/**
 * Written atomically (another run may be reading it). Other caches written over a day ago go:
 * those of replaced builds, and of other Node versions; one still in use is written again.
 */
function writeCache(s: Script): void {
  try {
    const data = s.createCachedData();
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, cacheFile);
    const dayAgo = Date.now() - 24 * 3600 * 1000;
    for (const name of fs.readdirSync(cacheDir)) {
      const file = path.join(cacheDir, name);
      if (name.startsWith('cli-') && file !== cacheFile && fs.statSync(file).mtimeMs < dayAgo) fs.rmSync(file, { force: true });
    }
  } catch {
    // An unwritable cache folder: the next run compiles the bundle, as this one did.
  }
}
