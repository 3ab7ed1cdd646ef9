/**
 * Arguments that used to be taken silently (docs/cli.md "Arguments and help"): an empty value or
 * argument, an argument a command does not take, a switch given a value, a short option, an option
 * written with a typographic dash — each a usage error (exit 2) with a reason that says what it is.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { flagNames, parseArgs, UsageError } from '../../../src/cli/args';
import type { CliContext, Command } from '../../../src/cli/context';

const ROOT = path.resolve(__dirname, '../../..');
const UNREACHABLE = 'postgresql://postgres@127.0.0.1:1/test';

/** Runs a command in-process as main.ts does: a thrown UsageError/PglensError is exit 2, `pglens <command>: <message>` on stderr. */
async function cli([name, ...argv]: string[], cwd = ROOT): Promise<{ code: number; out: string; err: string }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the command module is chosen by name at run time
  const command = (require(path.join(ROOT, 'src', 'cli', 'commands', name)) as { command: Command }).command;
  let out = '';
  let err = '';
  const ctx: CliContext = { cwd, env: {}, stdout: (t) => void (out += t), stderr: (t) => void (err += t) };
  try {
    return { code: await command.run(parseArgs(argv, command.flags), ctx), out, err };
  } catch (e) {
    return { code: 2, out, err: `${err}pglens ${name}: ${(e as Error).message}\n` };
  }
}

const usage = (message: RegExp) => (e: unknown) => e instanceof UsageError && message.test(e.message);

describe('strict arguments: nothing silently taken', () => {
  const spec = { values: ['schema', 'config', 'param', 'timeout', 'db', 'format'], switches: ['embedded'] };

  it('an empty value of a value flag is a usage error, except where it means something or is refused with its own reason', () => {
    for (const argv of [['--schema', ''], ['--config='], ['--format', ' ']]) {
      assert.throws(() => parseArgs(argv, spec), usage(/^--(schema|config|format) is empty: give it a value, or leave --\w+ out \(see --help\)$/), argv.join(' '));
    }
    assert.deepEqual(parseArgs(['--param', ''], spec).lists.get('param'), ['']);
    assert.equal(parseArgs(['--timeout', ''], spec).flags.get('timeout'), '', '--timeout names its range itself');
    assert.equal(parseArgs(['--db='], spec).flags.get('db'), '', '--db is refused as no PostgreSQL URL');
    assert.deepEqual(parseArgs(['--schema', ''], { ...spec, emptyAllowed: ['schema'] }).lists.get('schema'), ['']);
  });

  it('an empty argument is a usage error', () => {
    assert.throws(() => parseArgs([''], spec), usage(/^an empty argument \(""\) is not a file, folder or statement/));
    assert.deepEqual(parseArgs(['--', ''], { ...spec, emptyPositionals: true }).positionals, ['']);
  });

  it('a switch given a value says switches take none', () => {
    assert.throws(() => parseArgs(['--embedded=true'], spec), usage(/^--embedded is a switch and takes no value: write --embedded alone, not --embedded=true$/));
  });

  it('a short option is named as one; stats export -o is the one pglens takes', () => {
    assert.throws(() => parseArgs(['-f', 'json'], spec), usage(/^unknown short option -f: pglens's options are long, written with two hyphens/));
    assert.throws(() => parseArgs(['-fjson'], spec), usage(/^unknown short option -f:/));
    assert.deepEqual(parseArgs(['export', '-o', 'x.json'], { ...spec, shortOptions: ['-o'] }).positionals, ['export', '-o', 'x.json']);
    assert.deepEqual(parseArgs(['-'], spec).positionals, ['-'], 'a lone - is stdin');
    assert.deepEqual(parseArgs(['-1'], spec).positionals, ['-1'], 'not a letter: not an option');
  });

  it('an option written with a typographic dash is named as such', () => {
    assert.throws(() => parseArgs(['—format', 'json'], spec), usage(/^"—format" looks like an option written with a typographic dash \(U\+2014\), not two hyphens: type --format/));
    assert.throws(() => parseArgs(['–db=x'], spec), usage(/^"–db=x" looks like an option written with a typographic dash \(U\+2013\).*type --db/));
    assert.throws(() => parseArgs(['——format'], spec), usage(/\(U\+2014 U\+2014\)/));
    assert.deepEqual(parseArgs(['— a note'], spec).positionals, ['— a note'], 'a dash before a blank is text, not an option');
  });

  it('flagNames: comma lists, repeated, and a double-quoted name holding a comma', () => {
    const names = (...argv: string[]) => flagNames(parseArgs(argv, spec), 'schema');
    assert.deepEqual(names('--schema', 'a, b', '--schema', 'c'), ['a', 'b', 'c']);
    assert.deepEqual(names('--schema', '"sales,eu",archive'), ['sales,eu', 'archive']);
    assert.deepEqual(names('--schema', '"sales,eu"', '--schema', '"Say ""hi"""'), ['sales,eu', 'Say "hi"']);
    assert.deepEqual(names('--schema', ' "a b" , c,'), ['a b', 'c']);
    assert.deepEqual(names(), []);
    assert.throws(() => names('--schema', ','), usage(/^--schema names nothing/));
    assert.throws(() => names('--schema', '"a,b'), usage(/a quoted name has no closing "/));
    assert.throws(() => names('--schema', '"a"b'), usage(/put a comma after a quoted name/));
  });
});

describe('strict arguments through the commands (exit 2, reason on stderr)', function () {
  this.timeout(30_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pglens-args-'));
    writeFileSync(path.join(dir, 'a.sql'), 'SELECT 1;\n\nSELECT 2;\n');
    writeFileSync(path.join(dir, 'p.json'), '[{"Plan": {"Node Type": "Result", "Total Cost": 1}}]');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[string, string[], RegExp]> = [
    ["lint ''", ['lint', ''], /^pglens lint: an empty argument \(""\) is not a file, folder or statement/],
    ["queries --workspace ''", ['queries', '--db', UNREACHABLE, '--workspace', ''], /^pglens queries: --workspace is empty/],
    ["health --schema ''", ['health', '--db', UNREACHABLE, '--schema', ''], /^pglens health: --schema is empty/],
    ['health --schema ,', ['health', '--db', UNREACHABLE, '--schema', ','], /^pglens health: --schema names nothing/],
    ["plan A B --fail-on-regression ''", ['plan', 'p.json', 'p.json', '--fail-on-regression', ''], /^pglens plan: --fail-on-regression is empty/],
    ['demo DIR extra', ['demo', 'examples/shop', 'extra'], /^pglens demo: demo takes one folder, got 2 arguments \(the extra one: "extra"\)/],
    ['--embedded=true', ['health', '--embedded=true'], /^pglens health: --embedded is a switch and takes no value/],
    ['-f json', ['explain', '-f', 'json', 'SELECT 1'], /^pglens explain: unknown short option -f/],
    ['—format json', ['explain', '—format', 'json', 'SELECT 1'], /^pglens explain: "—format" looks like an option written with a typographic dash/],
    ['migrations down without a file', ['migrations', 'down'], /^pglens migrations: down needs the migration file: pglens migrations down FILE\n$/],
    ['--line 1.5', ['explain', '--file', 'a.sql', '--line', '1.5'], /^pglens explain: --line must be a positive whole number \(a line of --file, from 1\), got "1\.5"/],
    ['--line 0', ['advise', '--file', 'a.sql', '--line', '0'], /^pglens advise: --line must be a positive whole number/],
  ];
  for (const [title, argv, expected] of cases) {
    it(title, async () => {
      const r = await cli(argv, argv[0] === 'plan' || argv.includes('a.sql') ? dir : ROOT);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, expected);
      assert.doesNotMatch(r.err, /pglens migrations: pglens migrations/);
    });
  }

  it('advise - and explain - with an empty stdin say stdin was empty, under the command that ran', () => {
    for (const name of ['advise', 'explain']) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), name, '-', '--db', UNREACHABLE], { cwd: ROOT, input: '', encoding: 'utf8', env: { PATH: process.env.PATH } });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`^pglens ${name}: stdin was empty: \`-\` reads the statement from stdin`));
      assert.doesNotMatch(r.stderr, /Explain takes exactly one/);
    }
  });
});
