/**
 * docs/cli.md "Connection resolution": no silent override — `--embedded` with `--db` is a usage
 * error naming both; on a server `--migrations` is said to be ignored, as `--data`/`--scale`/
 * `--no-data` are. And the sandbox child is started with a TypeScript loader when pglens runs
 * from source (`npx tsx src/cli/main.ts … --embedded`).
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, UsageError } from '../../../src/cli/args';
import { command as advise } from '../../../src/cli/commands/advise';
import { command as explain } from '../../../src/cli/commands/explain';
import { command as health } from '../../../src/cli/commands/health';
import { command as indexes } from '../../../src/cli/commands/indexes';
import type { Command } from '../../../src/cli/context';
import { openCliConnection, sandboxWorker, verifyWorkerScript } from '../../../src/cli/connection';

/** No server listens on port 1: a server connection fails at once, after what is said before connecting. */
const UNREACHABLE = 'postgresql://postgres@127.0.0.1:1/test';
const ROOT = path.resolve(__dirname, '../../..');

async function open(command: Command, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ error: Error; stderr: string }> {
  let stderr = '';
  const ctx = { cwd: ROOT, env, stdout: () => undefined, stderr: (t: string) => void (stderr += t) };
  try {
    const conn = await openCliConnection(parseArgs(argv, command.flags), ctx);
    await conn.close();
  } catch (e) {
    return { error: e as Error, stderr };
  }
  throw new Error(`${argv.join(' ')} connected`);
}

describe('CLI connection flags: no silent override', () => {
  for (const command of [explain, indexes, health]) {
    it(`${command.name}: --embedded with --db is a usage error naming both, before anything starts`, async () => {
      for (const argv of [['--embedded', '--db', UNREACHABLE], ['--db', 'postgresql://u:secret@db.example/x', '--embedded'], ['--embedded', '--db=']]) {
        const { error, stderr } = await open(command, argv);
        assert.ok(error instanceof UsageError, `${argv.join(' ')}: ${error.message}`);
        assert.equal(
          error.message,
          '--embedded and --db name two different databases (the embedded sandbox, and the server at --db) — give one: --db URL to use that server, --embedded to use the sandbox',
        );
        assert.doesNotMatch(error.message, /secret/);
        assert.equal(stderr, '');
      }
    });
  }

  it('--embedded alone still wins over DATABASE_URL (it picks the sandbox: no error)', async () => {
    // The sandbox is not started: --migrations names no folder, refused before it starts.
    const { error } = await open(explain, ['--embedded', '--migrations', 'no-such-folder'], { DATABASE_URL: UNREACHABLE });
    assert.match(error.message, /^--migrations no-such-folder: no such folder/);
  });

  it('on a server, --migrations is said to be ignored, the same way as --data/--scale/--no-data', async () => {
    const migrations = await open(explain, ['--db', UNREACHABLE, '--migrations', 'db/migrations']);
    assert.equal(migrations.stderr, 'pglens: --migrations builds the embedded sandbox: ignored on a server connection\n');
    assert.match(migrations.error.message, /could not connect/);
    const both = await open(indexes, ['--migrations', 'db/migrations', '--no-data'], { DATABASE_URL: UNREACHABLE });
    assert.equal(
      both.stderr,
      'pglens: --data, --scale and --no-data fill the embedded sandbox: ignored on a server connection\n' +
        'pglens: --migrations builds the embedded sandbox: ignored on a server connection\n',
    );
    const none = await open(health, ['--db', UNREACHABLE]);
    assert.equal(none.stderr, '', 'nothing to say without those flags');
  });

  it('advise --sandbox on a server builds its sandbox from those flags: they count, nothing is said', async () => {
    const { stderr } = await open(advise, ['--db', UNREACHABLE, '--sandbox', '--migrations', 'db/migrations', '--no-data']);
    assert.equal(stderr, '');
  });
});

describe('CLI child processes from source', () => {
  it('the sandbox child runs its .ts entry with tsx\'s loader, by absolute URL (any current folder)', () => {
    // Under mocha the CLI runs from src/: no bundle next to it.
    assert.ok(!existsSync(path.join(ROOT, 'src', 'cli', 'sandbox-process.js')));
    const { workerScript, execArgv } = sandboxWorker();
    assert.equal(workerScript, path.join(ROOT, 'src', 'core', 'db', 'sandbox-process.ts'));
    assert.equal(execArgv.length, 2);
    assert.equal(execArgv[0], '--import');
    assert.match(execArgv[1], /^file:\/\//);
    assert.ok(existsSync(fileURLToPath(execArgv[1])), execArgv[1]);
    assert.equal(fileURLToPath(execArgv[1]), require.resolve('tsx'));
  });

  it('the verification child gets the same loader', () => {
    const { script, execArgv } = verifyWorkerScript();
    assert.equal(script, path.join(ROOT, 'src', 'core', 'migrations', 'verify', 'verify-process.ts'));
    assert.deepEqual(execArgv, sandboxWorker().execArgv);
  });
});
