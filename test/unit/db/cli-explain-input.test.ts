/** Which statement `pglens explain` / `advise` take from --file, and the one-line refusals when there is none. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from '../../../src/cli/args';
import { command, statementFromArgs } from '../../../src/cli/commands/explain';
import type { CliContext } from '../../../src/cli/context';
import { loadSqlParser } from '../../../src/core/sql/parse';

describe('pglens explain: the statement from --file', () => {
  let dir: string;
  let ctx: CliContext;
  before(async () => {
    await loadSqlParser();
    dir = mkdtempSync(path.join(tmpdir(), 'pglens-explain-input-'));
    ctx = { cwd: dir, env: {}, stdout: () => undefined, stderr: () => undefined };
    writeFileSync(path.join(dir, 'empty.sql'), '-- nothing here yet\n');
    writeFileSync(path.join(dir, 'two.sql'), '\ufeffSELECT 1;\n\nSELECT 2;\n');
    writeFileSync(path.join(dir, 'open.sql'), 'SELECT 1;\nSELECT 2 /* never closed\n');
    writeFileSync(path.join(dir, 'nested.sql'), '/*'.repeat(100_000));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const statement = (argv: string[]) => statementFromArgs(parseArgs(argv, command.flags), ctx);

  it('takes the statement at --line, reading past a byte order mark', () => {
    assert.equal(statement(['--file', 'two.sql', '--line', '1']), 'SELECT 1');
    assert.equal(statement(['--file', 'two.sql', '--line', '3']), 'SELECT 2');
  });

  it('says a file without a statement has none (not "pass --line N")', () => {
    assert.throws(() => statement(['--file', 'empty.sql']), /^PglensError: empty\.sql has no SQL statement — pass a file with the statement to explain$/);
  });

  it('reports a statement that does not parse where it fails, with --line or as the only statement', () => {
    assert.throws(() => statement(['--file', 'open.sql', '--line', '2']), /^PglensError: open\.sql:2:10: unterminated \/\* comment/);
    assert.throws(() => statement(['--file', 'nested.sql']), /^PglensError: nested\.sql:1:1: unterminated \/\* comment/);
  });

  it('says a folder is a folder', () => {
    assert.throws(() => statement(['--file', '.']), /^PglensError: \. is a folder — pass a file$/);
  });
});
