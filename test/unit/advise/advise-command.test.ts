/**
 * pglens.suggestIndexes and Add to migration against an in-memory `vscode` and an in-process
 * PGlite: a server without HypoPG refuses, the sandbox offer verifies there (and says so),
 * $n values are asked for, and a chosen index lands in schema.prisma (`@@index` with field
 * names), in a new migration named after the folder, or where the user saves it.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Connection, QueryResult } from '../../../src/core/db/connection';
import type { Suggestion } from '../../../src/core/advise/advise';
import type { ViewAdvice } from '../../../media/src/protocol';
import { createFakeVscode, installVscode, Uri } from '../viewer/fake-vscode';

const SEED = `
  CREATE TABLE events (id bigint PRIMARY KEY, tenant_id int NOT NULL, kind text NOT NULL, payload text);
  INSERT INTO events SELECT g, g % 500, (ARRAY['click','view','buy','share'])[1 + (g / 7) % 4], repeat('x', 20) FROM generate_series(1, 30000) g;
  ANALYZE;
`;
const QUERY = "SELECT id, payload FROM events WHERE tenant_id = 42 AND kind = 'buy'";

/** PGlite behind the Connection contract, as a server or as the sandbox (the advisor only uses `query`). */
class PgliteConnection implements Connection {
  constructor(
    private readonly db: PGlite,
    readonly kind: 'server' | 'embedded',
    readonly label: string,
  ) {}
  async query<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    const r = await this.db.query<R>(sql, params);
    return { rows: r.rows, fields: r.fields.map((f) => ({ name: f.name })), rowCount: r.affectedRows ?? r.rows.length };
  }
  /** PGlite's query() is the extended protocol already. */
  queryOne<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    return this.query<R>(sql, params);
  }
  explain(): never {
    throw new Error('the advisor runs its own EXPLAINs');
  }
  async cancel() {}
  async close() {}
  async serverVersion() {
    return '18.0';
  }
}

class Range {
  constructor(
    readonly startLine: number,
    readonly startCharacter: number,
    readonly endLine: number,
    readonly endCharacter: number,
  ) {}
}

class WorkspaceEdit {
  readonly edits: { uri: Uri; range: Range; text: string }[] = [];
  replace(uri: Uri, range: Range, text: string): void {
    this.edits.push({ uri, range, text });
  }
}

function offsetOf(text: string, line: number, character: number): number {
  const lines = text.split('\n');
  return lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + character;
}

const PRISMA = `model Event {
  id       BigInt @id
  tenantId Int    @map("tenant_id")
  kind     String
  payload  String?

  @@map("events")
}
`;

describe('Suggest Indexes command (in-memory vscode, PGlite)', function () {
  this.timeout(60_000);
  const fake = createFakeVscode();
  const ui = {
    warnings: [] as string[],
    warningAnswer: undefined as string | undefined,
    inputs: [] as string[],
    inputAnswers: [] as string[],
    progress: [] as string[],
    opened: [] as string[],
    saveAnswer: undefined as Uri | undefined,
  };
  const workspace = { prisma: new Map<string, string>(), migrationFiles: [] as Uri[] };
  /** Modules cached before this suite ran (every test file's own imports included): kept. */
  let loaded = new Set<string>();
  let db: PGlite;
  let server: PgliteConnection;
  let sandbox: PgliteConnection;
  let tmp: string;
  const run = (id: string, ...args: unknown[]) => fake.api.commands.executeCommand(id, ...args) as Promise<unknown>;

  before(async () => {
    loaded = new Set(Object.keys(require.cache));
    const w = fake.api.window as Record<string, unknown>;
    Object.assign(w, {
      showWarningMessage: (m: string) => {
        ui.warnings.push(m);
        return Promise.resolve(ui.warningAnswer);
      },
      showInputBox: (o: { title: string }) => {
        ui.inputs.push(o.title);
        return Promise.resolve(ui.inputAnswers.shift());
      },
      withProgress: (o: { title: string }, task: (p: unknown, t: unknown) => Promise<unknown>) => {
        ui.progress.push(o.title);
        return task({ report: () => undefined }, { onCancellationRequested: () => ({ dispose: () => undefined }) });
      },
      showTextDocument: (d: Uri | { uri: Uri }) => {
        ui.opened.push(d instanceof Uri ? d.path : d.uri.path);
        return Promise.resolve(undefined);
      },
      showSaveDialog: () => Promise.resolve(ui.saveAnswer),
    });
    const ws = fake.api.workspace as Record<string, unknown>;
    Object.assign(ws, {
      isTrusted: true,
      workspaceFolders: [{ uri: Uri.file('/w') }],
      getConfiguration: () => ({ get: () => undefined }),
      findFiles: (glob: string) =>
        Promise.resolve(glob === '**/*.prisma' ? [...workspace.prisma.keys()].map((p) => Uri.file(p)) : workspace.migrationFiles),
      openTextDocument: (u: Uri) => {
        const text = workspace.prisma.get(u.path);
        if (text === undefined) return Promise.reject(new Error(`no document ${u.path}`));
        return Promise.resolve({ uri: u, getText: () => workspace.prisma.get(u.path) ?? '' });
      },
      applyEdit: (edit: WorkspaceEdit) => {
        for (const e of edit.edits) {
          const text = workspace.prisma.get(e.uri.path) ?? '';
          const start = offsetOf(text, e.range.startLine, e.range.startCharacter);
          const end = offsetOf(text, e.range.endLine, e.range.endCharacter);
          workspace.prisma.set(e.uri.path, text.slice(0, start) + e.text + text.slice(end));
        }
        return Promise.resolve(true);
      },
    });
    Object.assign(fake.api, { Range, WorkspaceEdit, ProgressLocation: { Notification: 15 } });
    installVscode(fake.api);

    db = new PGlite();
    await db.exec(SEED);
    server = new PgliteConnection(db, 'server', 'staging (db.example:5432/app)');
    sandbox = new PgliteConnection(db, 'embedded', 'embedded sandbox');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the fake vscode module is installed
    const { registerAdviseCommands } = require('../../../src/extension/advise-command') as typeof import('../../../src/extension/advise-command');
    registerAdviseCommands({ subscriptions: [] } as never, {
      getConnection: () => Promise.resolve(server),
      embeddedConnection: () => Promise.resolve(sandbox),
      activeLabel: server.label,
      onDidChangeConnection: () => ({ dispose: () => undefined }),
    } as never);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pglens-advise-'));
  });

  after(async () => {
    await db?.close();
    rmSync(tmp, { recursive: true, force: true });
    // Other suites install their own fake `vscode`: modules loaded here must not keep this one.
    for (const key of Object.keys(require.cache)) if (!loaded.has(key) && !key.includes('node_modules')) delete require.cache[key];
    delete require.cache.vscode;
  });

  beforeEach(() => {
    ui.warnings.length = 0;
    ui.progress.length = 0;
    ui.opened.length = 0;
    fake.info.length = 0;
    workspace.prisma.clear();
    workspace.migrationFiles = [];
  });

  let advice: ViewAdvice;

  it('on a server without HypoPG, offers the sandbox and returns nothing when declined', async () => {
    ui.warningAnswer = undefined;
    assert.equal(await run('pglens.suggestIndexes', QUERY), undefined);
    assert.equal(ui.warnings.length, 1);
    assert.match(ui.warnings[0], /HypoPG is not available on this server/);
    assert.deepEqual(ui.progress, ['pglens: trying candidate indexes on staging (db.example:5432/app)']);
  });

  it('verifies on the sandbox when accepted, and says which method and connection proved each index', async () => {
    ui.warningAnswer = 'Verify on the embedded sandbox';
    advice = (await run('pglens.suggestIndexes', QUERY)) as ViewAdvice;
    assert.equal(advice.verifiedOn, 'embedded sandbox');
    assert.match(advice.note ?? '', /^staging \(db\.example:5432\/app\) has no HypoPG/);
    assert.equal(advice.result.method, 'sandbox');
    assert.ok(advice.result.suggestions.length > 0, advice.result.summary);
    const best = advice.result.suggestions[0];
    assert.equal(best.method, 'sandbox');
    assert.deepEqual(new Set(best.columns), new Set(['tenant_id', 'kind']));
    assert.ok(best.after.executionTimeMs !== undefined && advice.result.before.executionTimeMs !== undefined, 'the sandbox measures time');
    assert.equal(ui.progress.at(-1), 'pglens: trying candidate indexes on embedded sandbox');
    const left = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'events'");
    assert.equal(left.rows[0].n, 1, 'nothing is left behind on the sandbox');
  });

  it('asks for $n values and plans with them', async () => {
    ui.warningAnswer = 'Verify on the embedded sandbox';
    ui.inputs.length = 0;
    ui.inputAnswers = ['42', 'buy'];
    const withParams = (await run('pglens.suggestIndexes', 'SELECT id FROM events WHERE tenant_id = $1 AND kind = $2')) as ViewAdvice;
    assert.deepEqual(ui.inputs, ['pglens: value for $1', 'pglens: value for $2']);
    assert.ok(withParams.result.suggestions.length > 0, withParams.result.summary);
    ui.inputAnswers = [];
    assert.equal(await run('pglens.suggestIndexes', 'SELECT id FROM events WHERE tenant_id = $1'), undefined, 'a dismissed prompt cancels');
  });

  it('adds @@index with field names to the Prisma model of the table, and opens schema.prisma', async () => {
    workspace.prisma.set('/w/prisma/schema.prisma', PRISMA);
    const s: Suggestion = { ...advice.result.suggestions[0], columns: ['tenant_id', 'kind'], include: [], where: undefined };
    const target = await run('pglens.advise.addToMigration', { ...advice, result: { ...advice.result, suggestions: [s] } }, 0);
    assert.equal(target, '@@index([tenantId, kind]) in model Event (/w/prisma/schema.prisma)');
    assert.equal(workspace.prisma.get('/w/prisma/schema.prisma'), PRISMA.replace('  @@map("events")\n', '  @@map("events")\n  @@index([tenantId, kind])\n'));
    assert.deepEqual(ui.opened, ['/w/prisma/schema.prisma']);
  });

  it('writes a partial index into a SQL migration named after the folder, and says Prisma cannot express it', async () => {
    workspace.prisma.set('/w/prisma/schema.prisma', PRISMA);
    writeFileSync(path.join(tmp, '0001_init.sql'), 'CREATE TABLE events ();');
    workspace.migrationFiles = [Uri.file(path.join(tmp, '0001_init.sql'))];
    const s: Suggestion = { ...advice.result.suggestions[0], columns: ['tenant_id'], include: [], where: "kind = 'buy'" };
    const target = (await run('pglens.advise.addToMigration', { ...advice, result: { ...advice.result, suggestions: [s] } }, 0)) as string;
    const file = path.join(tmp, '0002_add_index_events_tenant_id.sql');
    assert.equal(target, `${file} (SQL migration: Prisma's @@index cannot express a partial index (WHERE kind = 'buy'))`);
    const content = new TextDecoder().decode(fake.files.get(file));
    assert.ok(content.endsWith(`${s.ddl}\n`), content);
    assert.match(content, /verified with a real index on the embedded sandbox \(rolled back\)/);
    assert.equal(workspace.prisma.get('/w/prisma/schema.prisma'), PRISMA, 'schema.prisma untouched');
    assert.ok(fake.info.some((m) => m.includes('cannot express a partial index')), fake.info.join('\n'));
    assert.deepEqual(ui.opened, [file]);
  });

  it('asks where to save when the workspace has no migration folder', async () => {
    ui.saveAnswer = Uri.file('/w/db/add_index.sql');
    const target = await run('pglens.advise.addToMigration', advice, 0);
    assert.equal(target, '/w/db/add_index.sql');
    assert.ok(new TextDecoder().decode(fake.files.get('/w/db/add_index.sql')).includes(advice.result.suggestions[0].ddl));
    ui.saveAnswer = undefined;
    assert.equal(await run('pglens.advise.addToMigration', advice, 0), undefined, 'dismissing the dialog writes nothing');
    assert.equal(await run('pglens.advise.addToMigration', advice, 99), undefined);
    assert.ok(fake.info.some((m) => m.includes('no longer available')));
  });
});
