import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { findMigrationFiles, isMigrationFile } from '../../../src/core/db/migration-files';
import { globToRegExp } from '../../../src/core/glob';
import { extensionsIn } from '../../../src/core/db/sandbox-build';

const fixtures = path.resolve(__dirname, '..', '..', 'fixtures', 'migrations');

describe('migration discovery', () => {
  it('matches globs with **, *, ? and braces', () => {
    const re = globToRegExp('**/migrations/**/*.sql');
    assert.ok(re.test('migrations/001.sql'));
    assert.ok(re.test('db/migrations/2024/001.sql'));
    assert.ok(!re.test('db/migrations/001.sqlx'));
    assert.ok(!re.test('db/seeds/001.sql'));
    const prisma = globToRegExp('prisma/migrations/*/migration.sql');
    assert.ok(prisma.test('prisma/migrations/20240101_init/migration.sql'));
    assert.ok(!prisma.test('prisma/migrations/a/b/migration.sql'));
    assert.ok(globToRegExp('db/{up,down}/?.sql').test('db/down/1.sql'));
    assert.ok(!globToRegExp('db/{up,down}/?.sql').test('db/side/1.sql'));
  });

  it('tells whether a saved file is one the sandbox replays, as the search would', () => {
    assert.ok(isMigrationFile('migrations/003_new.sql'));
    assert.ok(isMigrationFile('prisma/migrations/20240101_init/migration.sql'));
    assert.ok(!isMigrationFile('queries.sql'));
    assert.ok(!isMigrationFile('node_modules/pkg/migrations/001.sql'), 'node_modules is never searched');
    assert.ok(!isMigrationFile('.git/migrations/001.sql'), 'dot-directories are never searched');
    assert.ok(!isMigrationFile('../other/migrations/001.sql'), 'outside the workspace');
    assert.ok(isMigrationFile('db/schema/001.sql', ['db/schema/*.sql']));
    assert.ok(!isMigrationFile('migrations/001.sql', ['db/schema/*.sql']));
  });

  it('finds a plain migration folder in name order', async () => {
    const files = await findMigrationFiles(path.join(fixtures, 'basic'));
    assert.deepEqual(
      files.map((f) => path.basename(f)),
      ['001_init.sql', '002_orders.sql', '003_broken.sql', '004_concurrently.sql', '005_after_failure.sql'],
    );
    assert.ok(files.every((f) => path.isAbsolute(f)));
  });

  it('finds Prisma migrations ordered by their folder names', async () => {
    const files = await findMigrationFiles(path.join(fixtures, 'prisma'));
    assert.deepEqual(
      files.map((f) => path.relative(path.join(fixtures, 'prisma'), f).split(path.sep).join('/')),
      ['prisma/migrations/20240101000000_init/migration.sql', 'prisma/migrations/20240102000000_posts/migration.sql'],
    );
  });

  it('finds nothing, not an error, in a folder without migrations', async () => {
    assert.deepEqual(await findMigrationFiles(path.join(fixtures, 'basic'), ['**/*.nothing']), []);
  });

  it('lists the extensions a migration creates', () => {
    assert.deepEqual(
      extensionsIn('CREATE EXTENSION IF NOT EXISTS pg_trgm;\ncreate extension "uuid-ossp" schema x;\nCREATE EXTENSION vector;'),
      ['pg_trgm', 'uuid-ossp', 'vector'],
    );
  });
});
