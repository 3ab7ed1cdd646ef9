/** Node's TLS warnings stay out of the way: pglens's own error is the one thing on stderr. */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { PATH: process.env.PATH, ...env } }, (error, _stdout, stderr) => {
      resolve({ code: error ? (error.code as number) : 0, stderr });
    });
  });
}

describe('TLS warnings in the CLI', function () {
  this.timeout(60_000);
  let server: Server;
  let port = 0;

  before(async () => {
    // Says yes to Postgres's SSLRequest and hangs up: pg starts TLS (Node warns), then fails.
    server = createServer((socket) => {
      socket.once('data', () => socket.end('S'));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('prints the connection error alone with NODE_TLS_REJECT_UNAUTHORIZED=0 and sslmode=require', async () => {
    const r = await run(
      [path.join('src', 'cli', 'main.ts'), 'explain', '--db', `postgresql://postgres@127.0.0.1:${port}/test?sslmode=require`, 'SELECT 1'],
      { NODE_TLS_REJECT_UNAUTHORIZED: '0' },
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^pglens explain: [^\n]*127\.0\.0\.1:\d+\/test[^\n]*\n$/);
  });

  it('still prints every other warning', async () => {
    const script = [
      `require(${JSON.stringify(path.join(ROOT, 'src', 'cli', 'tls-warnings.ts'))}).quietTlsWarnings();`,
      "require('node:tls').connect({ host: '127.0.0.1', port: 1 }).on('error', () => undefined);",
      "process.emitWarning('SECURITY WARNING: The SSL modes \\'prefer\\', \\'require\\', and \\'verify-ca\\' are treated as aliases for \\'verify-full\\'.');",
      "process.emitWarning('something else', 'CustomWarning');",
    ].join('\n');
    const r = await run(['-e', script], { NODE_TLS_REJECT_UNAUTHORIZED: '0' });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /^\(node:\d+\) CustomWarning: something else\n/);
    assert.doesNotMatch(r.stderr, /NODE_TLS_REJECT_UNAUTHORIZED|SSL modes/);
  });
});
