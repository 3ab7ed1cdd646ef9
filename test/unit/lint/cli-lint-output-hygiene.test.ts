/**
 * `pglens lint` output stays one finding per line whatever file names and identifiers hold: a
 * newline cannot start a line (where GitHub Actions would read a forged `::error`), no escape
 * sequence reaches the terminal, and JSON/SARIF stay valid and exact.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../../src/cli/args';
import { command } from '../../../src/cli/commands/lint';
import type { CliContext } from '../../../src/cli/context';
import { guardedContext } from '../../../src/cli/output';

const FORGED = '\n::error file=x::pwned';
const RED = '\x1b[31m';
/** A file whose name forges a command, and identifiers (quoted, so anything goes) that do too. */
const NASTY_FILE = `001_a${FORGED}${RED}.sql`;
const LEADING_FILE = '::error file=x::pwned.sql';
const TABLE = `t${FORGED}${RED}`;

async function lint(cwd: string, argv: string[], env: NodeJS.ProcessEnv, guarded: boolean): Promise<{ code: number; out: string }> {
  let out = '';
  const plain: CliContext = { cwd, env, stdout: (t) => (out += t), stderr: (t) => (out += t) };
  // runCli's context, as the pglens process has it (runCli itself loads commands with import()).
  const ctx = guarded ? guardedContext(plain) : plain;
  const code = await command.run(parseArgs(argv, command.flags), ctx);
  return { code, out };
}

/** Only pglens's own annotations may start a line with `::`, and nothing may carry an escape sequence. */
function assertNoForgery(out: string, annotations: number): void {
  const commandLines = out.split('\n').filter((l) => /^\s*::/.test(l));
  assert.equal(commandLines.length, annotations, commandLines.join('\n'));
  for (const l of commandLines) assert.match(l, /^::(error|warning|notice) file=[^:]*,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=pglens [a-z-]+::/);
  assert.doesNotMatch(out, /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]/);
}

describe('pglens lint: control characters in file names and identifiers', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pglens-lint-hygiene-'));
    mkdirSync(join(dir, 'm'));
    writeFileSync(join(dir, 'm', NASTY_FILE), `CREATE TABLE "${TABLE}" (id bigint PRIMARY KEY, note char(3));\n`);
    writeFileSync(join(dir, 'm', '002_index.sql'), `CREATE INDEX "i${FORGED}" ON "${TABLE}" (note);\n`);
    writeFileSync(join(dir, LEADING_FILE), 'DROP TABLE users;\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const guarded of [false, true]) {
    it(`text and GitHub annotations: one line per finding, names escaped visibly${guarded ? ' (through runCli\'s output guard)' : ''}`, async () => {
      const { code, out } = await lint(dir, ['m', LEADING_FILE], { GITHUB_ACTIONS: 'true' }, guarded);
      assert.equal(code, 1);
      assert.ok(out.includes('m/001_a\\n::error file=x::pwned\\u001b[31m.sql:2:53  info  ban-char-field'), out);
      assert.ok(out.includes('CREATE INDEX on existing table t\\n::error file=x::pwned\\u001b[31m without CONCURRENTLY'), out);
      const findings = (out.match(/^\S.*:\d+:\d+ {2}(error|warning|info) {2}/gm) ?? []).length;
      assert.equal(findings, 4);
      if (guarded) {
        // The file named `::error …` starts its finding's line: the guard makes that `::` inert.
        assert.ok(out.includes('\n\\u003a:error file=x::pwned.sql:1:12  warning  ban-drop-table'), out);
        assertNoForgery(out, findings);
      } else {
        assert.doesNotMatch(out, /^::error file=x::pwned$/m);
        assert.doesNotMatch(out, /\x1b/);
      }
    });
  }

  it('JSON and SARIF stay valid and give the names back exactly', async () => {
    for (const format of ['json', 'sarif']) {
      const { out } = await lint(dir, ['m', LEADING_FILE, '--format', format], { GITHUB_ACTIONS: 'true' }, true);
      assertNoForgery(out, 0);
      const parsed = JSON.parse(out);
      const text = JSON.stringify(parsed);
      assert.ok(text.includes(JSON.stringify(TABLE).slice(1, -1)), format);
      if (format === 'json') assert.ok(parsed.some((f: { file: string }) => f.file === `m/${NASTY_FILE}`));
    }
  });
});
