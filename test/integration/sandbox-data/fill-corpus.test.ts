import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { loadSqlParser } from '../../../src/core/sql/parse';
import { parseStatements } from '../../../src/core/sql/parse-statements';
import { pgliteExtensionsFor } from '../../../src/core/db/sandbox-build';
import { readMigrationSets } from '../../../src/core/migrations/read';
import { fillDatabase } from '../../../src/core/sandbox-data';
import { repoRoot } from '../db/test-env';
import { orphanCounts, type Session } from './fill-contract';

/**
 * Real schemas: the ups of corpus projects replayed into PGlite (as their runner runs them:
 * statement by statement outside a transaction, else as one text), then filled. A project
 * that does not replay cleanly is skipped. Prints the column types that could not be generated.
 */
const CORPUS = path.resolve(repoRoot(), '..', 'shared', 'corpus', 'runners');
const PROJECTS = ['goose/thunderdome-planning-poker', 'sql-migrate/convoy', 'sqitch/chef-server-oc_erchef'];

describe('sandbox data on corpus schemas', function () {
  this.timeout(600_000);
  before(async function () {
    if (!existsSync(CORPUS)) this.skip();
    await loadSqlParser();
  });

  for (const project of PROJECTS) {
    it(`fills ${project}: no FK orphan, almost every table filled`, async function () {
      const dir = path.join(CORPUS, project);
      if (!existsSync(dir)) this.skip();
      const migrations = readMigrationSets(dir).flatMap((s) => s.migrations);
      const { loaded, missing } = await pgliteExtensionsFor(migrations.map((m) => m.up.text));
      if (missing.length) this.skip();
      const db = await PGlite.create({ extensions: loaded });
      const s: Session = { query: async (q) => (await db.query<Record<string, unknown>>(q)).rows, exec: async (q) => void (await db.exec(q)) };
      try {
        for (const m of migrations) {
          try {
            if (m.transaction === 'none') for (const st of parseStatements(m.up.text)) await db.exec(st.text);
            else await db.exec(m.up.text);
          } catch (e) {
            console.log(`    ${project} does not replay (${m.id}: ${(e as Error).message}); skipped`);
            this.skip();
          }
        }
        const report = await fillDatabase(s.query, s.exec, { rowsPerTable: 1000 });
        const by = (status: string) => report.tables.filter((t) => t.status === status);
        const types = [...new Set(report.unsupported.map((u) => `${u.type} (${u.handling})`))];
        console.log(
          `    ${report.tables.length} tables, ${report.rows} rows in ${report.ms} ms: filled ${by('filled').length}, partial ${by('partial').length}, ` +
            `kept ${by('kept').length}, skipped ${by('skipped').length}, failed ${by('failed').length}; types not generated: ${types.join(', ') || 'none'}`,
        );
        for (const t of report.tables.filter((x) => x.status === 'partial' || x.status === 'failed' || x.status === 'skipped')) {
          console.log(`      ${t.status} ${t.table} ${t.rows}/${t.target}: ${t.cause}`);
        }
        assert.deepEqual((await orphanCounts(s)).filter((o) => o.orphans > 0), []);
        assert.ok(by('failed').length + by('skipped').length <= 1, 'at most one table left empty');
        assert.ok(by('filled').length >= 0.9 * (report.tables.length - by('kept').length));
      } finally {
        await db.close();
      }
    });
  }
});
