/** `--migrations DIR` is checked before the sandbox starts: a mistyped folder is a cause, not an empty database. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from '../../../src/cli/args';
import { command } from '../../../src/cli/commands/explain';
import { openCliConnection } from '../../../src/cli/connection';

describe('CLI connection: --migrations', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pglens-cli-connection-'));
    writeFileSync(path.join(dir, '001_init.sql'), 'CREATE TABLE t (id bigint PRIMARY KEY);\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const open = (argv: string[]) => openCliConnection(parseArgs(argv, command.flags), { cwd: dir, env: {}, stdout: () => undefined, stderr: () => undefined });

  it('refuses a folder that does not exist', async () => {
    await assert.rejects(open(['--embedded', '--migrations', 'db/migratoins']), /^PglensError: --migrations db\/migratoins: no such folder — pass the folder that holds the migration \.sql files$/);
  });

  it('refuses a file in place of the folder', async () => {
    await assert.rejects(open(['--embedded', '--migrations', '001_init.sql']), /^PglensError: --migrations 001_init\.sql is a file — pass the folder/);
  });
});
