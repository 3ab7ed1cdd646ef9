import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from 'pg';
import { healthReport } from '../../../src/core/health/findings';
import { applyEdits } from '../../../src/core/lint/apply-edits';
import { defaultConfig } from '../../../src/core/config';
import { lintRunnerSet, runnerSetsUnder } from '../../../src/core/lint/migration-lint';
import { loadSqlParser } from '../../../src/core/sql/parse';
import type { Finding } from '../../../src/core/types';
import { requireServer, serverUrl } from '../db/test-env';
import { PgQueryConnection } from '../health/pg-adapter';
import { replayUps, withFreshDatabase } from './run-as-runner';

/**
 * fk-without-index names its index so that it collides with no relation of the schema: a name
 * already taken would make the CREATE INDEX fail, or with IF NOT EXISTS do nothing and leave the
 * key unindexed. Each project below takes the usual name (`<table>_<columns>_idx`) for something
 * else; the fixes are applied the way fixes-on-server.test.ts applies them, the fixed migrations
 * replayed as their runner runs them on a fresh database of the real server, and then every
 * foreign key must be served by an index. The live-catalog fix (health) is checked the same way.
 */

const CORPUS = path.resolve(__dirname, '../../../../shared/corpus/runners');

const LONG_TABLE = 'ß'.repeat(28); // 56 bytes: "<table>_kundennummer_idx" is over 63.

const PROJECTS: Record<string, Record<string, string>> = {
  // Prisma (each migration one transaction): tables created in the same file get a plain CREATE INDEX.
  prisma: {
    'migration_lock.toml': 'provider = "postgresql"\n',
    '20240101000000_init/migration.sql': `
CREATE TABLE "Booking" ("id" TEXT NOT NULL, CONSTRAINT "Booking_pkey" PRIMARY KEY ("id"));
CREATE TABLE "BookingModelRequest" ("id" TEXT NOT NULL, CONSTRAINT "BookingModelRequest_pkey" PRIMARY KEY ("id"));
CREATE TABLE "BookingAsset" ("id" TEXT NOT NULL, "bookingId" TEXT NOT NULL, "bookingModelRequestId" TEXT, "note" TEXT,
  CONSTRAINT "BookingAsset_pkey" PRIMARY KEY ("id"));
-- The name Prisma gives a key's index, on a partial index that does not serve every lookup of the key.
-- (shelf.nu's, WHERE "bookingModelRequestId" IS NOT NULL, does: every lookup of the key implies it.)
CREATE INDEX "BookingAsset_bookingModelRequestId_idx" ON "BookingAsset"("bookingModelRequestId") WHERE "note" IS NOT NULL;
-- The name of the bookingId key's index, on another column.
CREATE INDEX "BookingAsset_bookingId_idx" ON "BookingAsset"("note");
ALTER TABLE "BookingAsset" ADD CONSTRAINT "BookingAsset_bookingId_fkey" FOREIGN KEY ("bookingId") REFERENCES "Booking"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "BookingAsset" ADD CONSTRAINT "BookingAsset_bookingModelRequestId_fkey" FOREIGN KEY ("bookingModelRequestId") REFERENCES "BookingModelRequest"("id") ON DELETE SET NULL ON UPDATE CASCADE;
`,
  },
  // psql -f (each statement autocommits): keys added to existing tables get CREATE INDEX CONCURRENTLY.
  plain: {
    '001_init.sql': `
CREATE TABLE customers (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, status text);
-- A table bearing the name the key's index would get.
CREATE TABLE orders_customer_id_idx (id int);
CREATE TABLE "${LONG_TABLE}" (id bigint PRIMARY KEY, kundennummer bigint);
INSERT INTO customers SELECT g FROM generate_series(1, 20) g;
INSERT INTO orders SELECT g, 1 + g % 20, 'new' FROM generate_series(1, 100) g;
`,
    '002_keys.sql': `
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;
ALTER TABLE "${LONG_TABLE}" ADD CONSTRAINT long_fk FOREIGN KEY (kundennummer) REFERENCES customers NOT VALID;
`,
  },
};

function writeProject(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pglens-fk-names-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

/** Lints the folder as the CLI does and applies every fk-without-index fix; returns the fixes' CREATE INDEX statements. */
function lintAndFix(root: string): { findings: Finding[]; creates: string[] } {
  const config = defaultConfig(root);
  const read = (file: string): string => readFileSync(file, 'utf8');
  const findings = runnerSetsUnder(root, { config })
    .flatMap((rs) => lintRunnerSet(rs, read, config, { cacheParses: false }))
    .filter((f) => f.ruleId === 'fk-without-index');
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const creates: string[] = [];
  for (const [file, list] of byFile) {
    const edits = list.flatMap((f) => f.fix?.edits ?? []);
    creates.push(...edits.map((e) => e.newText.replace(/^;\n/, '')));
    writeFileSync(file, applyEdits(read(file), edits));
  }
  return { findings, creates };
}

/**
 * Foreign keys of the database no index serves: a valid b-tree index leading with the key columns (in
 * any order) serves when it is not partial; a partial one only when the planner proves its predicate
 * from the key lookup (`WHERE <key columns> = $n`, as the referential checks and actions run it, in a
 * generic plan). That proof is asked of the planner, not reimplemented: the index is built alone on an
 * empty copy of the table, in a transaction rolled back, and the lookup explained with sequential
 * scans disabled.
 */
async function unservedKeys(client: Client): Promise<string[]> {
  const rows = await client.query<{ fk: string; served: boolean; partial: string[] | null; qualified: string; cols: string[]; types: string[] }>(`
    WITH k AS (
      SELECT con.oid, con.conrelid, con.conname, con.conkey, n.nspname
      FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
      WHERE con.contype = 'f' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    ), cand AS (
      SELECT k.oid, i.indexrelid, i.indpred IS NULL AS plain
      FROM k JOIN pg_index i ON i.indrelid = k.conrelid
      JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
      WHERE i.indisvalid AND am.amname = 'btree' AND i.indnkeyatts >= cardinality(k.conkey)
        AND (i.indkey::int2[])[0:cardinality(k.conkey) - 1] @> k.conkey
        AND (i.indkey::int2[])[0:cardinality(k.conkey) - 1] <@ k.conkey
    )
    SELECT k.conrelid::regclass::text || '.' || k.conname AS fk,
           COALESCE(bool_or(cand.plain), false) AS served,
           array_agg(pg_get_indexdef(cand.indexrelid)) FILTER (WHERE NOT cand.plain) AS partial,
           quote_ident(k.nspname) || '.' || quote_ident(t.relname) AS qualified,
           (SELECT array_agg(quote_ident(a.attname) ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY u(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum) AS cols,
           (SELECT array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY u(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum) AS types
    FROM k JOIN pg_class t ON t.oid = k.conrelid LEFT JOIN cand ON cand.oid = k.oid
    GROUP BY k.oid, k.conrelid, k.conname, k.conkey, k.nspname, t.relname
    ORDER BY 1`);
  const unserved: string[] = [];
  for (const r of rows.rows) {
    if (r.served) continue;
    let proved = false;
    for (const def of r.partial ?? []) {
      const head = `CREATE INDEX ON pglens_fk_probe `;
      const at = def.indexOf(` ON ${r.qualified} `);
      assert.ok(at > 0, `${def} does not name ${r.qualified}`);
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL plan_cache_mode = force_generic_plan; SET LOCAL enable_seqscan = off`);
        await client.query(`CREATE TEMP TABLE pglens_fk_probe (LIKE ${r.qualified})`);
        await client.query(head + def.slice(at + ` ON ${r.qualified} `.length));
        await client.query(`PREPARE pglens_fk_lookup(${r.types.join(', ')}) AS SELECT 1 FROM pglens_fk_probe x WHERE ${r.cols.map((c, i) => `${c} = $${i + 1}`).join(' AND ')}`);
        const plan = (await client.query(`EXPLAIN EXECUTE pglens_fk_lookup(${r.cols.map(() => 'NULL').join(', ')})`)).rows.map((x) => x['QUERY PLAN']).join('\n');
        await client.query('DEALLOCATE pglens_fk_lookup');
        if (/Index (Only )?Scan|Bitmap Index Scan/.test(plan)) proved = true;
      } finally {
        await client.query('ROLLBACK');
      }
      if (proved) break;
    }
    if (!proved) unserved.push(r.fk);
  }
  return unserved;
}

function urlOf(database: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

describe('fk-without-index: index names that collide with nothing, on the real server', function () {
  this.timeout(300_000);
  const roots: string[] = [];

  before(async function () {
    await requireServer(this, 'fk-without-index names');
    await loadSqlParser();
  });

  after(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  for (const [runner, files] of Object.entries(PROJECTS)) {
    it(`${runner}: every fix applies where the usual name is taken, and every key ends up served by an index`, async () => {
      const root = writeProject(files);
      roots.push(root);
      const unfixed = runnerSetsUnder(root, { config: defaultConfig(root) }).map((s) => s.set);
      const { findings, creates } = lintAndFix(root);
      assert.equal(findings.length, 2, findings.map((f) => f.message).join('\n'));
      assert.equal(creates.length, 2, 'every finding has a fix');
      for (const c of creates) {
        assert.doesNotMatch(c, /IF NOT EXISTS/);
        assert.doesNotMatch(c, /"?(BookingAsset_bookingModelRequestId_idx|BookingAsset_bookingId_idx|orders_customer_id_idx)"? ON/, `the fix reuses a taken name: ${c}`);
        assert.ok(Buffer.byteLength(/INDEX (?:CONCURRENTLY )?("(?:[^"]|"")+"|\S+)/.exec(c)![1].replace(/^"|"$/g, '')) <= 63, c);
      }
      const fixed = runnerSetsUnder(root, { config: defaultConfig(root) }).map((s) => s.set);
      await withFreshDatabase('pglens_fkname', async (client) => {
        const result = await replayUps(client, fixed);
        assert.equal(result.failure, undefined, `the fixed migrations fail: ${JSON.stringify(result.failure)}`);
        assert.equal(result.reached, fixed.flatMap((s) => s.migrations).length);
        assert.deepEqual(await unservedKeys(client), []);
        // The indexes that bore the usual names are still there, untouched.
        const names = (await client.query<{ relname: string }>(`SELECT relname FROM pg_class WHERE relname LIKE '%\\_idx'`)).rows.map((r) => r.relname);
        if (runner === 'prisma') assert.ok(names.includes('BookingAsset_bookingModelRequestId_idx') && names.includes('BookingAsset_bookingId_idx'), names.join(', '));
      });
      // Unfixed, the keys are unserved: what the fixes changed.
      await withFreshDatabase('pglens_fkname', async (client) => {
        assert.equal((await replayUps(client, unfixed)).failure, undefined);
        assert.equal((await unservedKeys(client)).length, 2);
      });
    });
  }

  it('health: the live-catalog fix avoids the taken names too (index, table, view, sequence), and applies', async () => {
    const root = writeProject(PROJECTS.prisma);
    roots.push(root);
    const sets = runnerSetsUnder(root, { config: defaultConfig(root) }).map((s) => s.set);
    await withFreshDatabase('pglens_fkname', async (client, name) => {
      assert.equal((await replayUps(client, sets)).failure, undefined);
      await client.query(`
        CREATE TABLE orders (id bigint PRIMARY KEY, booking_id text REFERENCES "Booking" ("id"), other_id text REFERENCES "Booking" ("id"));
        CREATE VIEW orders_booking_id_idx AS SELECT 1 AS x;
        CREATE SEQUENCE orders_other_id_idx;`);
      const conn = await PgQueryConnection.open(urlOf(name));
      try {
        const report = await healthReport(conn, { schemas: ['public'] });
        const fixes = report.findings.filter((f) => f.ruleId === 'fk-without-index').map((f) => f.fixSql ?? '');
        assert.equal(fixes.length, 4, fixes.join('\n'));
        for (const sql of fixes) {
          assert.match(sql, /^CREATE INDEX CONCURRENTLY \S+ ON /);
          assert.doesNotMatch(sql, /INDEX CONCURRENTLY ("BookingAsset_bookingModelRequestId_idx"|"BookingAsset_bookingId_idx"|orders_booking_id_idx|orders_other_id_idx) /, sql);
        }
        for (const sql of fixes) await conn.query(sql);
        const after = await healthReport(conn, { schemas: ['public'] });
        assert.deepEqual(after.findings.filter((f) => f.ruleId === 'fk-without-index'), []);
        assert.deepEqual(await unservedKeys(client), []);
      } finally {
        await conn.close();
      }
    });
  });

  describe('real project (../shared/corpus/runners/prisma/shelf.nu)', () => {
    const shelf = path.join(CORPUS, 'prisma', 'shelf.nu');
    before(function () {
      if (existsSync(shelf)) return;
      if (process.env.CI === 'true') throw new Error(`no corpus at ${shelf} — CI=true requires it`);
      console.log(`\n  *** SKIPPED: no corpus at ${shelf} ***\n`);
      this.skip();
    });

    it('the health fixes of the migrated database take free names, apply, and leave no key unserved', async () => {
      const sets = runnerSetsUnder(shelf, { config: defaultConfig(shelf) }).map((s) => s.set);
      await withFreshDatabase('pglens_fkname', async (client, name) => {
        const replay = await replayUps(client, sets);
        // A bare server lacks some of the project's roles and extensions: the replay stops where the unfixed deploy would.
        assert.ok(replay.reached > 0);
        const conn = await PgQueryConnection.open(urlOf(name));
        try {
          const report = await healthReport(conn, { schemas: ['public'] });
          const fks = report.findings.filter((f) => f.ruleId === 'fk-without-index');
          const taken = new Set(report.indexes.map((i) => i.name));
          for (const f of fks) {
            const created = /^CREATE INDEX CONCURRENTLY ("(?:[^"]|"")+"|\S+) /.exec(f.fixSql ?? '')?.[1]?.replace(/^"|"$/g, '');
            assert.ok(created && !taken.has(created), `${f.fixSql} reuses a taken name`);
          }
          if (replay.failure === undefined) {
            // Its partial index (WHERE "bookingModelRequestId" IS NOT NULL) serves every lookup of the key.
            assert.ok(report.indexes.some((i) => i.name === 'BookingAsset_bookingModelRequestId_idx' && i.predicate !== null));
            assert.ok(!fks.some((f) => f.table === 'BookingAsset' && f.columns?.join() === 'bookingModelRequestId'), 'BookingAsset.bookingModelRequestId is served');
          }
          for (const f of fks) await conn.query(f.fixSql!);
          assert.deepEqual(await unservedKeys(client), []);
          console.log(`      shelf.nu: ${replay.reached}/${replay.ids.length} migrations, ${fks.length} fk-without-index fixes applied${replay.failure ? ` (stopped at ${replay.failure.id}: ${replay.failure.error.slice(0, 120)})` : ''}`);
        } finally {
          await conn.close();
        }
      });
    });
  });
});
