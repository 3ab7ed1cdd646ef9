// `npm test`: every layer in order, a summary per layer, and as the very last line the plain
// `N passed, N failed` over all layers (CI reads closing lines).
//
//   compile      tsc --noEmit                           (counts as one check)
//   lint         eslint . and scripts/import-cycles.mjs (`npm run lint`; one check each)
//   unit         mocha 'test/unit/**/*.test.ts'
//   integration  npm run build, then mocha 'test/integration/**/*.test.ts' (real server + PGlite)
//   editor       scripts/install-editor.sh, npm run package, scripts/vscode-tests.mjs
//
// usage: node scripts/test-all.mjs [layer …]   (default: all five)
// Under CI=true a layer that cannot run (no server, no editor) is a failure; elsewhere it is
// skipped with a loud `SKIPPED LAYER:` banner.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const CI = /^(1|true|yes)$/i.test(process.env.CI ?? '');
const LAYERS = ['compile', 'lint', 'unit', 'integration', 'editor'];

const requested = process.argv.slice(2);
const unknown = requested.filter((l) => !LAYERS.includes(l));
if (unknown.length) {
  console.error(`test-all: unknown layer ${unknown.join(', ')}; choose from ${LAYERS.join(', ')}`);
  process.exit(2);
}
const selected = requested.length ? LAYERS.filter((l) => requested.includes(l)) : LAYERS;

// A layer that has printed mocha's closing counts but does not exit holds the event loop open
// (an unclosed connection or child process): it is ended and counted as a failure, never left
// to hang CI. A layer running past its limit is ended the same way.
const EXIT_GRACE_MS = 60_000;
const LAYER_LIMIT_MS = { lint: 5 * 60_000, unit: 15 * 60_000, integration: 40 * 60_000, editor: 25 * 60_000 };
let currentChild;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (currentChild) killGroup(currentChild);
    process.exit(130);
  });
}

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
}

/**
 * Runs a command with its output streamed through; resolves with exit code and output, and a
 * `stuck` note when it had to be ended: past `limitMs`, or with `exitGrace` (one mocha run)
 * EXIT_GRACE_MS after its closing counts. The command runs in its own
 * process group so that ending it ends what it started.
 */
function run(cmd, args, { limitMs, exitGrace = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repoRoot, env: process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    currentChild = child;
    let output = '';
    let stuck;
    let graceTimer;
    const end = (why) => {
      if (stuck) return;
      stuck = why;
      process.stderr.write(`\ntest-all: ${why}; ending it\n`);
      killGroup(child);
    };
    const limitTimer = limitMs ? setTimeout(() => end(`still running after its limit of ${limitMs / 60_000} minutes`), limitMs) : undefined;
    const tee = (stream) => (chunk) => {
      output += chunk;
      stream.write(chunk);
      if (exitGrace && !graceTimer && /^\s*\d+ passing \(/m.test(output.slice(-4000).replace(/\x1b\[[0-9;]*m/g, ''))) {
        graceTimer = setTimeout(() => end(`printed its results but did not exit within ${EXIT_GRACE_MS / 1000} s: a test left a connection, timer or child process open`), EXIT_GRACE_MS);
      }
    };
    child.stdout.on('data', tee(process.stdout));
    child.stderr.on('data', tee(process.stderr));
    let settled = false;
    const settle = (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(limitTimer);
      clearTimeout(graceTimer);
      currentChild = undefined;
      resolve({ code: stuck ? 1 : code ?? 1, output, stuck });
    };
    child.on('error', (e) => { output += String(e); settle(127); });
    child.on('close', (code) => settle(code));
    // Once ended, grandchildren may still hold the pipes: do not wait for them to close.
    child.on('exit', (code) => { if (stuck) settle(code); });
  });
}

// The counts of mocha's spec reporter epilogue; the last occurrence wins.
function mochaCounts(output) {
  const text = output.replace(/\x1b\[[0-9;]*m/g, '');
  const last = (re) => { const all = [...text.matchAll(re)]; return all.length ? Number(all[all.length - 1][1]) : 0; };
  return {
    passed: last(/^\s*(\d+) passing/gm),
    failed: last(/^\s*(\d+) failing/gm),
    pending: last(/^\s*(\d+) pending/gm),
  };
}

async function mochaLayer(args, limitMs) {
  const { code, output, stuck } = await run(process.execPath, [path.join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js'), ...args], { limitMs, exitGrace: true });
  return countsOrCrash(code, output, 'mocha', stuck);
}

/**
 * A non-zero exit without a failing count (a crash, no test files) still counts as a failure;
 * so does a run that had to be ended (`stuck`).
 */
function countsOrCrash(code, output, what, stuck) {
  const counts = mochaCounts(output);
  if (stuck) return { ...counts, failed: counts.failed + 1, note: `${what} ${stuck}` };
  if (code !== 0 && counts.failed === 0) return { ...counts, failed: 1, note: `${what} exited with ${code}` };
  return counts;
}

function banner(text) {
  const line = '='.repeat(Math.min(100, text.length + 4));
  console.log(`\n${line}\n  ${text}\n${line}`);
}

/** Is the PostgreSQL server the integration and editor layers need answering? */
async function serverProblem() {
  const { Client } = createRequire(path.join(repoRoot, 'package.json'))('pg');
  const config = process.env.DATABASE_URL
    ? { connectionString: process.env.DATABASE_URL }
    : { host: process.env.PGHOST || '127.0.0.1', port: Number(process.env.PGPORT || 5432),
        user: process.env.PGUSER || 'postgres', database: process.env.PGDATABASE || 'test' };
  const client = new Client({ ...config, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (e) {
    const where = config.connectionString ? 'DATABASE_URL' : `${config.host}:${config.port}/${config.database}`;
    return `no PostgreSQL server answers at ${where} (${e.message}); start it, e.g. pg_ctlcluster --skip-systemctl-redirect 15 main start`;
  } finally {
    await client.end().catch(() => {});
  }
}

const layers = {
  async compile() {
    const { code } = await run(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', '.']);
    if (code === 0) console.log('tsc --noEmit: no type errors');
    return code === 0 ? { passed: 1, failed: 0, pending: 0 } : { passed: 0, failed: 1, pending: 0, note: 'type errors' };
  },
  /**
   * ESLint (typescript-eslint's recommended rules and the room boundaries, eslint.config.mjs)
   * and the import-cycle check; each fails with the cause named in the summary line.
   */
  async lint() {
    const eslint = await run(process.execPath, [path.join(repoRoot, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--max-warnings', '0', '.'], { limitMs: LAYER_LIMIT_MS.lint });
    const cycles = await run(process.execPath, [path.join(repoRoot, 'scripts', 'import-cycles.mjs')], { limitMs: LAYER_LIMIT_MS.lint });
    const notes = [];
    if (eslint.code !== 0) {
      const problems = /✖ (\d+) problems?/.exec(eslint.output.replace(/\x1b\[[0-9;]*m/g, ''))?.[1];
      notes.push(eslint.stuck ? `eslint ${eslint.stuck}` : problems ? `eslint: ${problems} problem${problems === '1' ? '' : 's'} (listed above)` : `eslint exited with ${eslint.code}`);
    } else {
      console.log('eslint: no problems');
    }
    if (cycles.code !== 0) {
      const count = /(\d+) cycles?/.exec(cycles.output)?.[1];
      notes.push(cycles.stuck ? `import-cycles.mjs ${cycles.stuck}` : count ? `${count} import cycle${count === '1' ? '' : 's'} (listed above)` : `import-cycles.mjs exited with ${cycles.code}`);
    }
    const failed = (eslint.code !== 0 ? 1 : 0) + (cycles.code !== 0 ? 1 : 0);
    return { passed: 2 - failed, failed, pending: 0, ...(notes.length && { note: notes.join('; ') }) };
  },
  async unit() {
    return mochaLayer(['test/unit/**/*.test.ts'], LAYER_LIMIT_MS.unit);
  },
  async integration() {
    const problem = await serverProblem();
    if (problem) return { unavailable: problem };
    const build = await run('npm', ['run', 'build']);
    if (build.code !== 0) return { passed: 0, failed: 1, pending: 0, note: 'npm run build failed' };
    return mochaLayer(['--timeout', '60000', 'test/integration/**/*.test.ts'], LAYER_LIMIT_MS.integration);
  },
  async editor() {
    const problem = await serverProblem();
    if (problem) return { unavailable: problem };
    const install = await run('bash', [path.join(repoRoot, 'scripts', 'install-editor.sh')]);
    if (install.code !== 0) return { unavailable: 'code-server/Chromium could not be installed (see above); run: bash scripts/install-editor.sh' };
    const pack = await run('npm', ['run', 'package']);
    if (pack.code !== 0) return { passed: 0, failed: 1, pending: 0, note: 'npm run package failed' };
    const { code, output, stuck } = await run(process.execPath, [path.join(repoRoot, 'scripts', 'vscode-tests.mjs')], { limitMs: LAYER_LIMIT_MS.editor });
    return countsOrCrash(code, output, 'vscode-tests.mjs', stuck);
  },
};

const results = [];
for (const name of selected) {
  banner(`layer: ${name}`);
  const started = Date.now();
  let result;
  try {
    result = await layers[name]();
  } catch (e) {
    result = { passed: 0, failed: 1, pending: 0, note: `crashed: ${e.message}` };
  }
  if (result.unavailable) {
    if (CI) {
      console.log(`LAYER FAILED (CI=true, a layer may not be skipped): ${name} — ${result.unavailable}`);
      result = { passed: 0, failed: 1, pending: 0, note: `could not run: ${result.unavailable}` };
    } else {
      banner(`SKIPPED LAYER: ${name} — ${result.unavailable}`);
      result = { skipped: result.unavailable, passed: 0, failed: 0, pending: 0 };
    }
  }
  results.push({ name, seconds: (Date.now() - started) / 1000, ...result });
}

banner('summary');
for (const r of results) {
  const status = r.skipped ? 'SKIPPED' : r.failed ? 'FAILED' : 'ok';
  const counts = r.skipped ? r.skipped : `${r.passed} passed, ${r.failed} failed, ${r.pending} pending${r.note ? ` (${r.note})` : ''}`;
  console.log(`${r.name.padEnd(12)} ${status.padEnd(8)} ${r.seconds.toFixed(1).padStart(6)} s  ${counts}`);
}
for (const r of results.filter((x) => x.skipped)) console.log(`SKIPPED LAYER: ${r.name} — ${r.skipped}`);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
