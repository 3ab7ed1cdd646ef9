/**
 * The CLI's flag contract (docs/cli.md "Arguments and help", "Common flags"): a flag a command
 * would not use is refused with the reason, never accepted and ignored; `--fail-on` takes the
 * same four values wherever it exists; every `--help` names the flags its command takes; the
 * main help says which command takes which common flag; `pglens` alone is a usage error.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FAIL_ON_CHOICES, flagFailOn, parseArgs, reachesFailOn, UsageError } from '../../../src/cli/args';
import { COMMAND_NAMES } from '../../../src/cli/command-names';
import type { CliContext, Command } from '../../../src/cli/context';
import { mainHelp } from '../../../src/cli/main';

const ROOT = path.resolve(__dirname, '../../..');
/** Owned elsewhere for now: its `--config` and `--fail-on` are accepted without effect (docs/cli.md says so). */
const NOT_YET = new Set<string>([]);

function load(name: string): Command {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the command module is chosen by name at run time
  return (require(path.join(ROOT, 'src', 'cli', 'commands', name)) as { command: Command }).command;
}
const commands = COMMAND_NAMES.map(load);

/** Runs a command in-process as main.ts does: a thrown UsageError/PglensError is exit 2 with its message. */
async function run(name: string, argv: string[], cwd = ROOT): Promise<{ code: number; out: string; err: string }> {
  const command = load(name);
  let out = '';
  let err = '';
  const ctx: CliContext = { cwd, env: {}, stdout: (t) => (out += t), stderr: (t) => (err += t) };
  try {
    return { code: await command.run(parseArgs(argv, command.flags), ctx), out, err };
  } catch (e) {
    return { code: 2, out, err: err + (e as Error).message };
  }
}

const UNREACHABLE = 'postgresql://postgres@127.0.0.1:1/test';

describe('CLI flags: refused, never ignored', () => {
  it('lint and plan refuse --timeout (they never connect), naming why and what to do', () => {
    for (const [name, what] of [['lint', 'lint reads files'], ['plan', 'plan reads EXPLAIN output']]) {
      const command = load(name);
      assert.ok(!command.flags.values.includes('timeout'), `${name} does not declare --timeout`);
      for (const argv of [['--timeout', '30'], ['--timeout=30']]) {
        assert.throws(
          () => parseArgs(argv, command.flags),
          (e: unknown) => e instanceof UsageError && e.message === `--timeout: ${what} and never connects to a database, so there is no statement to time out — leave --timeout out`,
          `${name} ${argv.join(' ')}`,
        );
      }
    }
  });

  it('migrations verify refuses --write and --id (they belong to migrations down)', async () => {
    const write = await run('migrations', ['verify', '.', '--write']);
    assert.deepEqual([write.code, write.out], [2, '']);
    assert.equal(write.err, '--write: belongs to `pglens migrations down FILE --write` (it puts a generated down in place); verify writes nothing — leave --write out');
    const id = await run('migrations', ['verify', '.', '--id', '002']);
    assert.deepEqual([id.code, id.out], [2, '']);
    assert.equal(id.err, '--id: picks the migration of FILE for `pglens migrations down FILE --id ID`; verify checks every migration of DIR — leave --id out');
  });

  it('migrations down refuses --fail-on, whatever its value (it judges no findings)', async () => {
    for (const value of ['error', 'banana']) {
      const r = await run('migrations', ['down', 'no-such-file.sql', '--fail-on', value]);
      assert.equal(r.code, 2);
      assert.match(r.err, /^--fail-on: migrations down judges no findings, so there is no severity to fail on \(its exit code: 0 verified, 1 verified with parts it cannot reverse, 2 it does not verify\) — leave --fail-on out$/);
    }
  });

  it('demo takes no option and stats no --format, --config or --fail-on: unknown options, exit 2', () => {
    assert.throws(() => parseArgs(['--format', 'json'], load('demo').flags), /^Error: unknown option --format \(see --help\)$/);
    for (const flag of ['format', 'config', 'fail-on']) assert.throws(() => parseArgs([`--${flag}`, 'x'], load('stats').flags), new RegExp(`unknown option --${flag}`));
  });
});

describe('CLI schema: its flags', () => {
  it('refuses --fail-on with the reason (it judges nothing), whatever the value', async () => {
    for (const value of ['error', 'banana']) {
      const r = await run('schema', ['--fail-on', value]);
      assert.deepEqual([r.code, r.out], [2, '']);
      assert.match(r.err, /^--fail-on: schema draws the schema and judges nothing .* — leave --fail-on out, and run `pglens lint` to fail on findings$/);
    }
  });

  it('takes --format mermaid|json|text (mermaid by default), one source at most, no argument but -o FILE', async () => {
    assert.match(load('schema').usage, /--format mermaid\|json\|text +output format \(default mermaid\)/);
    assert.match(load('schema').usage, /^ {2}-o FILE, --output FILE /m);
    const cases: Array<[string[], RegExp]> = [
      [['--format', 'svg'], /^--format must be one of mermaid, json, text, got "svg"$/],
      [['--migrations', 'm', '--db', UNREACHABLE], /^--migrations and --db name different sources — give one/],
      [['--migrations', 'm', '--prisma', 'p.prisma', '--db', UNREACHABLE], /^--migrations and --prisma and --db name different sources/],
      [['migrations'], /^schema takes no arguments, got "migrations" — name the source with --migrations DIR, --prisma FILE or --db URL$/],
      [['-o'], /^-o needs a file name \(or - for stdout\)$/],
      [['--schema', ','], /--schema/],
    ];
    for (const [argv, expected] of cases) {
      const r = await run('schema', argv);
      assert.deepEqual([r.code, r.out], [2, ''], argv.join(' '));
      assert.match(r.err, expected, argv.join(' '));
    }
    assert.throws(() => parseArgs(['-x'], load('schema').flags), /unknown short option -x/);
    assert.deepEqual(parseArgs(['-o', 'out.mmd', '--format=json'], load('schema').flags).positionals, ['-o', 'out.mmd']);
  });

  it('the main help lists it and its connection line', () => {
    const help = mainHelp(commands);
    assert.match(help, /^ {2}schema +the ER diagram of the migrations, a schema\.prisma or the live catalog/m);
    assert.match(help, /--fail-on SEVERITY .* — all but advise, demo, stats, schema$/m);
    assert.match(help, /^schema draws migrations or a schema\.prisma, else a server's catalog \(--db, DATABASE_URL\); never the sandbox\.$/m);
  });
});

describe('CLI --fail-on: one rule on every command that has it', () => {
  it('takes error, warning, info and off; anything else is a usage error naming the four', () => {
    assert.deepEqual([...FAIL_ON_CHOICES], ['error', 'warning', 'info', 'off']);
    for (const v of FAIL_ON_CHOICES) assert.equal(flagFailOn(parseArgs(['--fail-on', v], { values: ['fail-on'], switches: [] })), v);
    assert.equal(flagFailOn(parseArgs([], { values: ['fail-on'], switches: [] })), 'warning');
    assert.equal(flagFailOn(parseArgs([], { values: ['fail-on'], switches: [] }), 'off'), 'off');
    assert.throws(() => flagFailOn(parseArgs(['--fail-on', 'banana'], { values: ['fail-on'], switches: [] })), /^Error: --fail-on must be one of error, warning, info, off, got "banana"$/);
  });

  it('off never fails; a severity fails at or above it', () => {
    const findings = [{ severity: 'info' as const }, { severity: 'warning' as const }];
    assert.equal(reachesFailOn(findings, 'off'), false);
    assert.equal(reachesFailOn(findings, 'info'), true);
    assert.equal(reachesFailOn(findings, 'warning'), true);
    assert.equal(reachesFailOn(findings, 'error'), false);
    assert.equal(reachesFailOn([{ severity: 'error' }], 'off'), false);
  });

  // Each command checks --fail-on before it reads or connects: banana is refused with the four
  // values; off passes that check and the run stops later (no server on port 1, no such folder).
  const cases: Array<{ name: string; argv: string[] }> = [
    { name: 'lint', argv: ['no-such-folder'] },
    { name: 'explain', argv: ['--db', UNREACHABLE, 'SELECT 1'] },
    { name: 'plan', argv: ['no-such-plan.json'] },
    { name: 'indexes', argv: ['--db', UNREACHABLE] },
    { name: 'migrations', argv: ['verify', 'no-such-folder'] },
    { name: 'health', argv: ['--db', UNREACHABLE] },
    { name: 'queries', argv: ['--db', UNREACHABLE, '--no-code'] },
  ];

  it('covers every command that takes --fail-on (but advise, owned elsewhere)', () => {
    const taking = commands.filter((c) => c.flags.values.includes('fail-on') && !NOT_YET.has(c.name)).map((c) => c.name);
    assert.deepEqual(taking.sort(), cases.map((c) => c.name).sort());
  });

  for (const { name, argv } of cases) {
    it(`${name}: --fail-on banana is refused naming off too; --fail-on off is accepted`, async () => {
      const bad = await run(name, [...argv, '--fail-on', 'banana']);
      assert.equal(bad.code, 2);
      assert.match(bad.err, /--fail-on must be one of error, warning, info, off, got "banana"/);
      const off = await run(name, [...argv, '--fail-on', 'off']);
      assert.equal(off.code, 2, 'stops later, at the missing input or server');
      assert.doesNotMatch(off.err, /--fail-on/);
    });
  }

  it('lint --fail-on off exits 0 on the findings --fail-on warning exits 1 on', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pglens-fail-on-'));
    try {
      mkdirSync(path.join(dir, 'migrations'));
      writeFileSync(path.join(dir, 'migrations', '001.sql'), 'CREATE TABLE t (id int PRIMARY KEY);\nCREATE INDEX t_id ON t (id);\n');
      const warning = await run('lint', ['migrations', '--fail-on', 'warning'], dir);
      assert.equal(warning.code, 1, warning.err);
      assert.match(warning.out, /warning/);
      const off = await run('lint', ['migrations', '--fail-on', 'off'], dir);
      assert.equal(off.code, 0, off.err);
      assert.equal(off.out, warning.out, 'the same report');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CLI help is true', () => {
  it('every --help names each flag its command takes (advise: owned elsewhere)', () => {
    const problems: string[] = [];
    for (const c of commands) {
      if (NOT_YET.has(c.name)) continue;
      for (const f of [...c.flags.values, ...c.flags.switches]) if (!new RegExp(`(?<![\\w-])--${f}(?![\\w-])`).test(c.usage)) problems.push(`pglens ${c.name} --help does not name --${f}`);
    }
    assert.deepEqual(problems, []);
  });

  it('indexes and health --help name --config; every --fail-on line offers off', () => {
    for (const name of ['indexes', 'health']) assert.match(load(name).usage, /^ {2}--config FILE /m, name);
    for (const c of commands) {
      if (NOT_YET.has(c.name)) continue;
      for (const m of c.usage.matchAll(/--fail-on ([a-z|]+)/g)) assert.equal(m[1], 'error|warning|info|off', `pglens ${c.name} --help: --fail-on ${m[1]}`);
    }
    assert.match(load('explain').usage, /--fail-on error\|warning\|info\|off/);
  });

  it('the main help says which commands take each common flag, as they declare it', () => {
    const help = mainHelp(commands);
    assert.doesNotMatch(help, /Common options:/);
    const takes = (c: Command, flag: string) => c.flags.values.includes(flag);
    for (const flag of ['format', 'config', 'timeout', 'fail-on']) {
      const line = help.split('\n').find((l) => l.startsWith(`  --${flag} `));
      assert.ok(line, `--${flag} has a line`);
      const without = commands.filter((c) => !takes(c, flag)).map((c) => c.name);
      assert.ok(line.endsWith(`— all but ${without.join(', ')}`), `${line} (without: ${without.join(', ')})`);
    }
    // What the issue was about: demo takes no option, stats only --timeout, lint and plan no --timeout.
    assert.match(help, /--format F .* — all but demo, stats$/m);
    assert.match(help, /--timeout SECONDS .* — all but lint, plan, demo$/m);
    assert.match(help, /--fail-on SEVERITY +error\|warning\|info\|off/);
  });

  it('pglens alone is a usage error: the list and the cause on stderr, exit 2; --help: stdout, exit 0', function () {
    this.timeout(30_000);
    const cli = (argv: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), ...argv], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH } });
    const bare = cli([]);
    assert.equal(bare.status, 2);
    assert.equal(bare.stdout, '');
    assert.match(bare.stderr, /^pglens \S+ — PostgreSQL plans/);
    assert.match(bare.stderr, /\n\npglens: no command given — pick one of the commands above \(`pglens --help` prints this list\)\n$/);
    const help = cli(['--help']);
    assert.equal(help.status, 0);
    assert.equal(help.stderr, '');
    assert.equal(help.stdout, mainHelp(commands) + '\n');
    assert.ok(bare.stderr.startsWith(help.stdout), 'the same list');
  });
});
