import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../../src/cli/args';
import { command } from '../../../src/cli/commands/lint';
import type { CliContext } from '../../../src/cli/context';

/** Query files, folders of queries and SQL in code see the schema of the migrations linted in the same run. */
async function lint(cwd: string, argv: string[]): Promise<string> {
  let out = '';
  const ctx: CliContext = { cwd, env: {}, stdout: (t) => (out += t), stderr: () => undefined };
  await command.run(parseArgs(argv, command.flags), ctx);
  return out;
}

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pglens-cli-lint-schema-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const RULE = 'partitioned-table-without-partition-key-filter';

describe('pglens lint: the workspace schema for queries', () => {
  const files = {
    'db/migrations/001_events.sql':
      'CREATE TABLE events (id bigint PRIMARY KEY, kind text, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);\n',
    'db/queries/recent.sql': "SELECT id FROM events WHERE kind = 'signup';\nSELECT id FROM events WHERE created_at > now() - interval '1 day';\n",
    'src/repo.ts': 'import { sql } from "./db";\nexport const q = (k: string) => sql`SELECT id FROM events WHERE kind = ${k}`;\n',
  };

  it('reports queries on a partitioned table the migrations create, in .sql folders and code', async () => {
    const out = await lint(workspace(files), ['.', '--format', 'json', '--fail-on', 'off']);
    const found = (JSON.parse(out) as Array<{ file: string; line: number; rule: string }>).filter((f) => f.rule === RULE).map((f) => `${f.file}:${f.line}`);
    assert.deepEqual(found.sort(), ['db/queries/recent.sql:1', 'src/repo.ts:2']);
  });

  it('gives queries no schema when the nearest migrations did not replay fully', async () => {
    // 002 does not parse: the DROP and CREATE after it are lost, and events would look partitioned still.
    const broken = {
      ...files,
      'db/migrations/002_flatten.sql': 'CREATE TABLE foo (id int;\nDROP TABLE events;\nCREATE TABLE events (id bigint PRIMARY KEY, kind text, created_at timestamptz NOT NULL);\n',
    };
    const out = await lint(workspace(broken), ['.', '--format', 'json', '--fail-on', 'off']);
    assert.deepEqual((JSON.parse(out) as Array<{ rule: string }>).filter((f) => f.rule === RULE), []);
    // A DO block that changes tables: the replay cannot follow it either.
    const dynamic = { ...files, 'db/migrations/002_flatten.sql': "DO $$ BEGIN EXECUTE 'DROP TABLE events'; END $$;\n" };
    const out2 = await lint(workspace(dynamic), ['.', '--format', 'json', '--fail-on', 'off']);
    assert.deepEqual((JSON.parse(out2) as Array<{ rule: string }>).filter((f) => f.rule === RULE), []);
  });

  it('knows nothing of the migrations when they are not part of the run', async () => {
    const out = await lint(workspace(files), ['db/queries', 'src', '--format', 'json', '--fail-on', 'off']);
    assert.deepEqual((JSON.parse(out) as Array<{ rule: string }>).filter((f) => f.rule === RULE), []);
  });
});
