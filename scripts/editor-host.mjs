// A real VS Code for tests and benches: code-server 4.100.3 (installed by install-editor.sh)
// driven by headless Chromium through playwright-core. Shared by vscode-tests.mjs,
// screenshots.mjs and bench/activation.mjs. See ../shared/vscode-e2e/README.md for why this
// shape (no Electron download is possible here; the web workbench honours the same
// extensionDevelopmentPath/extensionTestsPath contract as @vscode/test-electron).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

// Turn signals into a normal exit so the 'exit' handlers below end the server group.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(sig, () => process.exit(130));

export const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export function editorHome() {
  return process.env.PGLENS_EDITOR_HOME || path.join(os.homedir(), '.cache', 'pglens-editor');
}

const CHROMIUM = process.env.PGLENS_CHROMIUM || '/usr/bin/chromium';
// No network beyond the local server: the machine is offline and updates must not stall runs.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Throws a PglensError-style message naming what is missing and how to install it. */
export function checkEditorInstalled() {
  const entry = path.join(editorHome(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const problems = [];
  if (!fs.existsSync(entry)) problems.push(`code-server is not installed in ${editorHome()}`);
  if (!fs.existsSync(path.join(editorHome(), 'node_modules', 'playwright-core', 'package.json'))) {
    problems.push(`playwright-core is not installed in ${editorHome()}`);
  }
  if (!fs.existsSync(CHROMIUM)) problems.push(`no Chromium at ${CHROMIUM}`);
  if (problems.length) {
    throw new Error(`${problems.join('; ')}. Run: bash scripts/install-editor.sh`);
  }
  return entry;
}

function chromium() {
  return createRequire(path.join(editorHome(), 'package.json'))('playwright-core').chromium;
}

export async function launchBrowser() {
  return chromium().launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh per-run folder: user data, extensions, config and temp never leak between runs. */
export function makeRunDir(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pglens-${label}-`));
  for (const sub of ['user-data', 'extensions', 'config', 'tmp']) fs.mkdirSync(path.join(dir, sub));
  return dir;
}

function serverEnv(runDir, extra) {
  return {
    ...process.env,
    XDG_CONFIG_HOME: path.join(runDir, 'config'),
    XDG_DATA_HOME: path.join(runDir, 'data'),
    TMPDIR: path.join(runDir, 'tmp'),
    ...extra,
  };
}

function runNode(args, env, logFile) {
  return new Promise((resolve) => {
    const out = fs.openSync(logFile, 'a');
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', out, out] });
    child.on('exit', (code) => { fs.closeSync(out); resolve(code ?? 1); });
  });
}

/**
 * Installs a .vsix the way a user would (`code-server --install-extension`) into the run's
 * extensions folder; returns the folder it was unpacked to.
 */
export async function installVsix(runDir, vsixPath) {
  const entry = checkEditorInstalled();
  const log = path.join(runDir, 'install-extension.log');
  const code = await runNode([entry, '--install-extension', vsixPath,
    '--user-data-dir', path.join(runDir, 'user-data'),
    '--extensions-dir', path.join(runDir, 'extensions')], serverEnv(runDir, {}), log);
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const id = `${manifest.publisher}.${manifest.name}-`.toLowerCase();
  const installed = fs.readdirSync(path.join(runDir, 'extensions'))
    .find((d) => d.toLowerCase().startsWith(id));
  if (code !== 0 || !installed) {
    throw new Error(`code-server could not install ${vsixPath} (exit ${code}):\n${fs.readFileSync(log, 'utf8')}`);
  }
  return path.join(runDir, 'extensions', installed);
}

/**
 * Starts code-server in its own process group (VS Code keeps children alive for reconnection,
 * so only killing the whole group ends them). `env` reaches the extension host.
 */
export async function startServer(runDir, env = {}) {
  const entry = checkEditorInstalled();
  const port = await freePort();
  const logFile = path.join(runDir, 'server.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [entry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', path.join(runDir, 'user-data'),
    '--extensions-dir', path.join(runDir, 'extensions')],
  { env: serverEnv(runDir, env), stdio: ['ignore', out, out], detached: true });
  fs.closeSync(out);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* the group already ended */ }
  };
  process.on('exit', stop);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      stop();
      throw new Error(`code-server exited with ${child.exitCode} while starting:\n${fs.readFileSync(logFile, 'utf8')}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      stop();
      throw new Error(`code-server did not answer on ${url} within 60 s; log: ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, authority: `127.0.0.1:${port}`, logFile, stop };
}

/** The workbench URL that loads `devPath` as the extension under development and runs `testsPath`. */
export function testUrl(server, { devPath, testsPath, folder }) {
  const remote = (p) => `vscode-remote://${server.authority}${p}`;
  const payload = [['extensionDevelopmentPath', remote(devPath)]];
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  return `${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/**
 * Opens the test URL and resolves with the exit code the workbench reports through
 * `codeAutomationExit` once the extension host's `run()` settles ('timeout' if it never does).
 * The limit covers every suite: the first sandbox start alone (initdb, replay, filling the
 * tables with generated data) takes half a minute on a loaded 2-core machine.
 */
export async function runExtensionTests(server, opts, timeoutMs = 600_000) {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    let done;
    const exited = new Promise((r) => { done = r; });
    await page.exposeFunction('codeAutomationLog', () => {});
    await page.exposeFunction('codeAutomationExit', (code) => done(code));
    page.on('pageerror', (e) => process.stderr.write(`workbench page error: ${e.message}\n`));
    await page.goto(testUrl(server, opts));
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  } finally {
    await browser.close();
  }
}

/** Prints what is appended to `file` while `promise` runs; returns the promise's value. */
export async function followFile(file, promise, write = (s) => process.stdout.write(s)) {
  let offset = 0;
  const drain = () => {
    if (!fs.existsSync(file)) return;
    const buf = fs.readFileSync(file);
    if (buf.length > offset) { write(buf.subarray(offset).toString('utf8')); offset = buf.length; }
  };
  const timer = setInterval(drain, 250);
  try { return await promise; } finally { clearInterval(timer); drain(); }
}

/**
 * Bundles the mocha entry and suites for the extension host into out/test/vscode (`vscode` and
 * mocha stay external). The same bundle serves code-server (vscode-tests.mjs) and desktop VS Code
 * (desktop-tests.mjs): both call `run()` from index.js.
 */
export async function buildEditorTests() {
  const outDir = path.join(repoRoot, 'out', 'test', 'vscode');
  const suiteDir = path.join(repoRoot, 'test', 'vscode', 'suite');
  const suites = fs.readdirSync(suiteDir).filter((f) => f.endsWith('.test.ts')).map((f) => path.join(suiteDir, f));
  fs.rmSync(outDir, { recursive: true, force: true });
  await build({
    entryPoints: [path.join(repoRoot, 'test', 'vscode', 'index.ts'), ...suites],
    outbase: path.join(repoRoot, 'test', 'vscode'),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return path.join(outDir, 'index.js');
}
