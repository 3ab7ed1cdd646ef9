import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { allMigrations, readMigrationSets } from '../../../src/core/migrations/read';
import type { Migration } from '../../../src/core/migrations/migration';

/**
 * Real projects, one folder per runner (../shared/corpus/runners/<runner>/<project>/, see its
 * README): each must be detected as the runner its folder names, and no up may hold down text.
 */
const corpus = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpus', 'runners');
const DOWN_MARKER = /^--\s*(?:\+goose\s+down|migrate:down|\+migrate\s+down)\b/im;
const DOWN_FILE = /(?:^|\/)(?:[^/]*\.down\.sql|down\.sql|revert\/[^/]*|U\d[^/]*__[^/]*)$/;

function projects(): Array<{ runner: string; project: string; dir: string }> {
  return readdirSync(corpus, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((r) => readdirSync(path.join(corpus, r.name), { withFileTypes: true }).filter((e) => e.isDirectory()).map((p) => ({ runner: r.name, project: p.name, dir: path.join(corpus, r.name, p.name) })));
}

/** Where an up and a down share a file, every character of the down is blank in the up. */
function assertApart(m: Migration): void {
  if (!m.down || m.down.file !== m.up.file) return;
  for (let i = 0; i < m.down.text.length; i++) {
    if (/\s/.test(m.down.text[i])) continue;
    const inUp = m.down.offset + i - m.up.offset;
    if (inUp >= 0 && inUp < m.up.text.length && !/\s/.test(m.up.text[inUp])) assert.fail(`${m.up.file} (${m.id}): down text at offset ${m.down.offset + i} is in the up`);
  }
}

describe('migration runners on real projects (../shared/corpus/runners)', function () {
  before(function () {
    if (existsSync(corpus)) return;
    if (process.env.CI === 'true') throw new Error(`no corpus at ${corpus} — CI=true requires it`);
    console.log(`\n  *** SKIPPED: no corpus at ${corpus} ***\n`);
    this.skip();
  });

  it('detects the runner each project folder is named after, with no down text in any up', function () {
    const seen: string[] = [];
    for (const p of projects()) {
      const sets = readMigrationSets(p.dir);
      const migrations = allMigrations(sets);
      assert.deepEqual([...new Set(sets.map((s) => s.runner))], [p.runner], `${p.runner}/${p.project}`);
      assert.ok(migrations.length > 0, `${p.runner}/${p.project}: no migrations`);
      for (const m of migrations) {
        assert.ok(!DOWN_MARKER.test(m.up.text), `${p.runner}/${p.project} ${m.id}: the up holds a down marker`);
        assert.ok(!DOWN_FILE.test(m.up.file), `${p.runner}/${p.project} ${m.id}: the up is a down file (${m.up.file})`);
        assertApart(m);
      }
      seen.push(`${p.runner}/${p.project}`);
    }
    assert.ok(seen.length >= 15, `projects read: ${seen.join(', ')}`);
  });

  it('follows what the corpus README says of each project', () => {
    const read = (runner: string, project: string) => allMigrations(readMigrationSets(path.join(corpus, runner, project)));
    // pocket-id: 64 ups, 63 downs (init has none).
    const pocket = read('golang-migrate', 'pocket-id');
    assert.equal(pocket.length, 64);
    assert.equal(pocket.filter((m) => m.down).length, 63);
    // sim: 299 files, 298 in the journal; 0091_backfill_user_stats is not among them.
    const sim = read('drizzle-kit', 'sim');
    assert.equal(sim.length, 298);
    assert.ok(!sim.some((m) => m.id === '0091_backfill_user_stats'));
    assert.ok(sim.every((m) => m.transaction === 'all-pending'));
    // permify: 4 files use NO TRANSACTION.
    assert.equal(read('goose', 'permify').filter((m) => m.transaction === 'none').length, 4);
    // e1: 44 files with transaction:false, 3 of them with several statements in the up (dbmate
    // sends a part as one string: Postgres runs those as one implicit transaction); convoy: 33
    // with notransaction; crates.io: 7 metadata.toml.
    assert.equal(read('dbmate', 'e1-eligibility').filter((m) => m.transaction === 'none').length, 41);
    assert.equal(read('sql-migrate', 'convoy').filter((m) => m.transaction === 'none').length, 33);
    assert.equal(read('diesel', 'crates.io').filter((m) => m.transaction === 'none').length, 7);
    // marquez: 81 versioned, then 3 repeatable.
    const marquez = read('flyway', 'marquez');
    assert.deepEqual(marquez.slice(-3).map((m) => m.id.slice(0, 3)), ['R__', 'R__', 'R__']);
    assert.equal(marquez.length, 84);
    // chef: the baseline project (oss_chef) first, as the main plan depends on it.
    const chef = read('sqitch', 'chef-server-oc_erchef');
    assert.match(chef[0].id, /^oss_chef:/);
    // supabase-postgres: dbmate on init-scripts/ before migrations/.
    const supa = readMigrationSets(path.join(corpus, 'dbmate', 'supabase-postgres'));
    assert.deepEqual(supa.map((s) => `${s.folder}:${s.migrations.length}`), ['init-scripts:4', 'migrations:30']);
  });
});
