import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../../src/core/config';
import { runnerSetsUnder } from '../../../src/core/lint/migration-lint';
import { diffSnapshots } from '../../../src/core/migrations/verify/diff';
import { snapshotCatalog } from '../../../src/core/migrations/verify/snapshot';
import { pgliteTarget } from '../../../src/core/migrations/verify/targets';
import { WarmVerifier } from '../../../src/core/migrations/verify/warm';
import { loadSqlParser } from '../../../src/core/sql/parse';

/** The editor's warm verification: editing the newest migration re-verifies only it, on the database the others built. */
describe('rollback verification, warm (the migration being written)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'pglens-warm-'));
  const write = (name: string, text: string): void => {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  };
  const sets = () => runnerSetsUnder(dir, { config: defaultConfig(dir) }).map((rs) => rs.set);
  let warm: WarmVerifier;

  before(async () => {
    await loadSqlParser();
    warm = new WarmVerifier({ target: await pgliteTarget([], undefined), snapshot: snapshotCatalog, diff: diffSnapshots });
    write('m/00001_users.sql', '-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY, name text);\n-- +goose Down\nDROP TABLE users;\n');
    write('m/00002_orders.sql', '-- +goose Up\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\n-- +goose Down\nDROP TABLE orders;\n');
    write('m/00003_idx.sql', '-- +goose Up\nCREATE INDEX orders_user_idx ON orders (user_id);\n-- +goose Down\nDROP INDEX orders_user_idx;\n');
  });
  after(async () => {
    await warm.reset();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies the folder cold, then only the edited last migration, warm (its time: bench/verify-warm.mjs)', async () => {
    const cold = await warm.verify(sets());
    assert.equal(cold.warm, false);
    assert.deepEqual(cold.verdicts.map((v) => v.kind), ['verified', 'verified', 'verified']);

    write('m/00003_idx.sql', '-- +goose Up\nCREATE INDEX orders_user_idx ON orders (user_id);\nALTER TABLE users ADD COLUMN email text;\n-- +goose Down\nDROP INDEX orders_user_idx;\n');
    const edited = await warm.verify(sets());
    assert.equal(edited.warm, true);
    assert.deepEqual(edited.verdicts.map((v) => [v.id, v.kind]), [['00001_users', 'verified'], ['00002_orders', 'verified'], ['00003_idx', 'reapply-fails']]);

    write('m/00003_idx.sql', '-- +goose Up\nCREATE INDEX orders_user_idx ON orders (user_id);\nALTER TABLE users ADD COLUMN email text;\n-- +goose Down\nALTER TABLE users DROP COLUMN email;\nDROP INDEX orders_user_idx;\n');
    const fixed = await warm.verify(sets());
    assert.equal(fixed.warm, true);
    assert.deepEqual(fixed.verdicts.map((v) => v.kind), ['verified', 'verified', 'verified']);
  });

  it('an edit to an earlier migration verifies everything again from an empty database', async () => {
    write('m/00002_orders.sql', '-- +goose Up\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users, note text);\n-- +goose Down\nDROP TABLE orders;\n');
    const again = await warm.verify(sets());
    assert.equal(again.warm, false);
    assert.deepEqual(again.verdicts.map((v) => v.kind), ['verified', 'verified', 'verified']);
    // And the newest is warm again afterwards.
    write('m/00003_idx.sql', '-- +goose Up\nCREATE INDEX orders_user_idx ON orders (user_id);\n-- +goose Down\nDROP INDEX orders_user_idx;\n');
    assert.equal((await warm.verify(sets())).warm, true);
  });
});
