/** `pglens lint` on a folder of TypeScript files and `pglens explain --file x.ts --line N`, through the CLI commands. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../../src/cli/args';
import { command as explain } from '../../../src/cli/commands/explain';
import { command as lint } from '../../../src/cli/commands/lint';
import type { CliContext, Command } from '../../../src/cli/context';
import { removeSettled, serverUnavailable, serverUrl } from '../db/test-env';

/** stdout in `out` (JSON must parse), stderr in `err`. */
async function run(cmd: Command, cwd: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CliContext = { cwd, env: {}, stdout: (t) => (out += t), stderr: (t) => (err += t) };
  const code = await cmd.run(parseArgs(argv, cmd.flags), ctx);
  return { code, out, err };
}

const FILES: Record<string, string> = {
  'package.json': '{ "name": "shop" }\n',
  'prisma/schema.prisma': `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id     Int     @id @default(autoincrement())
  email  String  @unique
  orders Order[]
}

model Order {
  id     Int  @id @default(autoincrement())
  userId Int
  user   User @relation(fields: [userId], references: [id])

  @@index([userId])
}
`,
  'src/feed.ts': `import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();

export async function report() {
  const users = await prisma.user.findMany();
  for (const user of users) {
    const orders = await prisma.order.findMany({ where: { userId: user.id } });
    console.log(user.email, orders.length);
  }
}
`,
  'src/raw.ts': `import { Pool } from 'pg';
import postgres from 'postgres';
const pool = new Pool();
const sql = postgres();

export async function names(ids: number[]) {
  return Promise.all(ids.map((id) => pool.query('SELECT email FROM "User" WHERE id = $1', [id])));
}

export async function search(term: string) {
  return sql\`SELECT * FROM pg_class WHERE relname LIKE '%' || \${term} ORDER BY random()\`;
}
`,
  'src/broken.ts': "import { prisma } from './db';\nexport function half( {\n",
  'src/types.d.ts': 'declare const prisma: any;\nfor (const x of xs) prisma.user.findMany();\n',
  'node_modules/lib/index.js': "const { Pool } = require('pg');\nfor (const x of xs) new Pool().query('SELECT 1');\n",
  'dist/feed.js': "const prisma = new (require('@prisma/client').PrismaClient)();\nfor (const u of users) prisma.order.findMany({ where: { userId: u.id } });\n",
};

describe('pglens lint / explain on application code (CLI)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pglens-app-code-cli-'));
    for (const [name, text] of Object.entries(FILES)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
  });
  after(() => removeSettled(dir));

  it('lints a folder of TypeScript files: N+1 with the include rewrite, SQL template rules, notes for what it could not read', async () => {
    const { code, out } = await run(lint, dir, ['src']);
    assert.equal(code, 1);
    const lines = out.split('\n');
    assert.ok(lines.includes('src/broken.ts:3:1: does not parse (Unexpected token); its loops were not checked'), out);
    assert.ok(
      lines.some((l) => l.startsWith('src/feed.ts:7:26  warning  n-plus-one-query  `prisma.order.findMany` runs once per element of `users` (for…of loop, line 6)') && l.includes('add `include: { orders: true }` to `prisma.user.findMany` (line 5)')),
      out,
    );
    assert.ok(lines.includes('    fix: Load orders with include on the parent query'), out);
    assert.ok(lines.some((l) => l.startsWith('src/raw.ts:7:38  warning  n-plus-one-query  `pool.query` runs once per element of `ids` (.map callback, line 7)') && l.includes('`id = ANY($1)` with the array `ids`')), out);
    assert.ok(lines.some((l) => l.startsWith('src/raw.ts:11:21  warning  select-star')), out);
    assert.ok(lines.some((l) => l.startsWith('src/raw.ts:11:') && l.includes('order-by-random')), out);
    assert.ok(!out.includes('types.d.ts') && !out.includes('node_modules') && !out.includes('dist/'), 'generated files are skipped');
  });

  it('lints the whole project (SQL, schema.prisma and code) and gives JSON with 1-based positions', async () => {
    const { out } = await run(lint, dir, ['.', '--format', 'json']);
    const json = JSON.parse(out) as Array<{ file: string; rule: string; line: number; column: number; fix?: { edits: unknown[] } }>;
    const n1 = json.filter((f) => f.rule === 'n-plus-one-query');
    assert.deepEqual(n1.map((f) => `${f.file}:${f.line}:${f.column}`), ['src/feed.ts:7:26', 'src/raw.ts:7:38']);
    assert.equal(n1[0].fix?.edits.length, 2);
    assert.ok(!json.some((f) => f.file.startsWith('dist/') || f.file.startsWith('node_modules/')));
  });

  it('lints one code file given by name, and reads appCode.skip from .pglens.json', async () => {
    const one = await run(lint, dir, ['src/feed.ts']);
    assert.match(one.out, /src\/feed\.ts:7:26 {2}warning {2}n-plus-one-query/);
    writeFileSync(join(dir, '.pglens.json'), JSON.stringify({ appCode: { skip: ['src/raw.ts', '**/node_modules'] } }));
    try {
      const { out } = await run(lint, dir, ['src', '--format', 'json']);
      const files = new Set((JSON.parse(out) as Array<{ file: string }>).map((f) => f.file));
      assert.deepEqual([...files], ['src/feed.ts']);
    } finally {
      rmSync(join(dir, '.pglens.json'));
    }
  });

  it('skips a binary or UTF-16 .ts file under a folder (an HLS video segment) with a note, and still fails on one named explicitly', async () => {
    const media = mkdtempSync(join(tmpdir(), 'pglens-app-code-media-'));
    try {
      mkdirSync(join(media, 'public', 'video'), { recursive: true });
      writeFileSync(join(media, 'public', 'video', 'seg0.ts'), Buffer.from([0x47, 0x40, 0x00, 0x10, 0x00, 0x00, 0xb0, 0x0d]));
      writeFileSync(join(media, 'utf16.ts'), Buffer.from('\ufeffexport const a = 1;\n', 'utf16le'));
      writeFileSync(join(media, 'feed.ts'), FILES['src/feed.ts']);
      const { code, out } = await run(lint, media, ['.']);
      assert.equal(code, 1, out);
      assert.ok(out.split('\n').includes('public/video/seg0.ts: not read, not a text file (a NUL byte on line 1: binary, or UTF-16)'), out);
      assert.ok(out.includes('utf16.ts: not read, not a text file'), out);
      assert.match(out, /feed\.ts:7:26 {2}warning {2}n-plus-one-query/);
      await assert.rejects(run(lint, media, ['public/video/seg0.ts']), /public\/video\/seg0\.ts is not a text file/);
    } finally {
      rmSync(media, { recursive: true, force: true });
    }
  });

  it('keeps --format json a bare array of findings and writes the notes to stderr', async () => {
    const media = mkdtempSync(join(tmpdir(), 'pglens-app-code-json-notes-'));
    try {
      writeFileSync(join(media, 'seg0.ts'), Buffer.from([0x47, 0x00, 0x11]));
      writeFileSync(join(media, 'feed.ts'), FILES['src/feed.ts']);
      const { out: stdout, err: stderr } = await run(lint, media, ['.', '--format', 'json']);
      const json = JSON.parse(stdout) as Array<{ rule: string }>;
      assert.ok(Array.isArray(json) && json.some((f) => f.rule === 'n-plus-one-query'), stdout);
      assert.equal(stderr, 'seg0.ts: not read, not a text file (a NUL byte on line 1: binary, or UTF-16)\n');
    } finally {
      rmSync(media, { recursive: true, force: true });
    }
  });

  it('explains the SQL template at --line of a .ts file on the server', async function () {
    const why = await serverUnavailable();
    if (why) {
      if (process.env.CI) throw new Error(why);
      this.skip();
    }
    const { code, out } = await run(explain, dir, ['--file', 'src/raw.ts', '--line', '11', '--no-analyze', '--db', serverUrl(), '--format', 'json']);
    assert.ok(code === 0 || code === 1, out);
    const json = JSON.parse(out);
    assert.match(json.query, /^SELECT \* FROM pg_class WHERE relname LIKE '%' \|\| \$1 {6}ORDER BY random\(\)$/);
    assert.equal(json.analyzed, false);
    assert.ok(json.plan, 'the server planned the template');
  });

  it('says which lines hold templates when --line misses one', async () => {
    await assert.rejects(run(explain, dir, ['--file', 'src/raw.ts', '--line', '3', '--no-analyze']), /src\/raw\.ts has no SQL template at line 3 \(templates at lines 11\)/);
  });
});
