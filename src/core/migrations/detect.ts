import * as path from 'node:path';
import { DBMATE_MARKER } from './dbmate';
import { DRIZZLE_JOURNAL } from './drizzle';
import { FLYWAY_FILE } from './flyway';
import type { MigrationFolder } from './folder';
import { baseName, dirName } from './folder';
import { GOLANG_MIGRATE_FILE } from './golang-migrate';
import { GOOSE_MARKER } from './goose';
import { LIQUIBASE_HEADER, rootChangelog } from './liquibase';
import type { RunnerId } from './migration';
import { POPX_FILE } from './popx';
import { isSqitchPlan, SQITCH_PLAN } from './sqitch';
import { SQL_MIGRATE_MARKER } from './sql-migrate';

/**
 * Which runner applies a folder, from its side files (only ones that really are the runner's:
 * a `changelog.yml` of release notes is not Liquibase's), its file names, then its files'
 * directives. Most specific first: a plan or journal names the runner outright; names like
 * `.up.sql` or `V1__` are conventions several tools share, so they come after.
 */
export function detectRunner(folder: MigrationFolder): RunnerId {
  const names = folder.files.map(baseName);
  const plan = folder.readOptional(SQITCH_PLAN);
  if (plan !== undefined && isSqitchPlan(plan)) return 'sqitch';
  if (folder.readOptional(DRIZZLE_JOURNAL) !== undefined) return 'drizzle-kit';
  if (rootChangelog(folder) !== undefined) return 'liquibase';
  if (folder.files.some((f) => baseName(f) === 'migration.sql' && dirName(f) !== '')) return 'prisma';
  if (folder.files.some((f) => baseName(f) === 'up.sql' && dirName(f) !== '')) return 'diesel';
  if (names.some((n) => POPX_DIALECT.test(POPX_FILE.exec(n)?.[3] ?? ''))) return 'popx';
  if (names.some((n) => GOLANG_MIGRATE_FILE.test(n))) return 'golang-migrate';
  if (names.some((n) => FLYWAY_FILE.exec(n)?.[1] === 'V')) return 'flyway';
  // Only now read the files: the checks above needed names alone.
  const all = folder.files.map((f) => folder.read(f));
  if (all.some((t) => LIQUIBASE_HEADER.test(t))) return 'liquibase';
  if (all.some((t) => t.includes('--> statement-breakpoint'))) return 'drizzle-kit';
  if (all.some((t) => matches(GOOSE_MARKER, t))) return 'goose';
  if (all.some((t) => matches(SQL_MIGRATE_MARKER, t))) return 'sql-migrate';
  if (all.some((t) => matches(DBMATE_MARKER, t))) return 'dbmate';
  // The Supabase CLI marks nothing in its files: only where they live tells it apart.
  if (folder.dir.split(path.sep).includes('supabase') && names.some((n) => /^\d{14}_.*\.sql$/.test(n))) return 'supabase';
  return 'plain';
}

/** A popx name's dialect segment (a golang-migrate name may hold dots of its own). */
const POPX_DIALECT = /^\.(?:postgres|postgresql|pg|mysql|sqlite3?|cockroach|cockroachdb|crdb|autocommit)$/;

function matches(re: RegExp, text: string): boolean {
  re.lastIndex = 0;
  const found = re.test(text);
  re.lastIndex = 0;
  return found;
}
