/** `--timeout SECONDS`: what statement_timeout and the sandbox's timer can take, refused as a usage error otherwise. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { flagTimeout, parseArgs, UsageError } from '../../../src/cli/args';

const timeout = (value: string) => flagTimeout(parseArgs(['--timeout', value], { values: ['timeout'], switches: [] }));

describe('--timeout', () => {
  it('takes a positive number of seconds up to statement_timeout\'s 2147483647 ms', () => {
    assert.equal(timeout('30'), 30);
    assert.equal(timeout('0.5'), 0.5);
    assert.equal(timeout('2147483.647'), 2_147_483.647);
    assert.equal(flagTimeout(parseArgs([], { values: ['timeout'], switches: [] })), undefined);
  });

  it('refuses 1e9, 0, -1, abc, Infinity, NaN and an empty value, naming the range', () => {
    for (const bad of ['1e9', '2147483.648', '0', '-1', 'abc', 'Infinity', 'NaN', '', ' ']) {
      assert.throws(
        () => timeout(bad),
        (e: unknown) => e instanceof UsageError && e.message === `--timeout must be a number of seconds above 0 and at most 2147483.647 (statement_timeout's limit, 2147483647 ms), got "${bad}"`,
        bad,
      );
    }
  });

  it('is a usage error of every command that takes it, before it connects or reads anything', function () {
    this.timeout(60_000);
    for (const argv of [
      ['explain', '--db', 'postgresql://postgres@127.0.0.1:1/test', '--timeout', '1e9', 'SELECT 1'],
      ['indexes', '--db', 'postgresql://postgres@127.0.0.1:1/test', '--timeout=-1'],
      ['health', '--db', 'postgresql://postgres@127.0.0.1:1/test', '--timeout', 'abc'],
    ]) {
      const r = pglens(argv);
      assert.equal(r.status, 2, argv.join(' '));
      assert.match(r.stderr, new RegExp(`^pglens ${argv[0]}: --timeout must be a number of seconds above 0 and at most 2147483\\.647 .*, got "[^"]+"\\n$`));
    }
  });

  it('is refused by lint and plan, which never connect: the reason and the next step, never ignored', function () {
    this.timeout(60_000);
    for (const [argv, what] of [
      [['lint', '--timeout', '30', 'no-such-folder'], 'lint reads files'],
      [['plan', '--timeout=30', 'plan.json'], 'plan reads EXPLAIN output'],
    ] as const) {
      const r = pglens([...argv]);
      assert.equal(r.status, 2, argv.join(' '));
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `pglens ${argv[0]}: --timeout: ${what} and never connects to a database, so there is no statement to time out — leave --timeout out\n`);
    }
  });
});

/** The pglens process (runCli loads each command with import(), which needs tsx's ESM hook). */
function pglens(argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const root = path.join(__dirname, '..', '..', '..');
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), ...argv], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH } });
}
