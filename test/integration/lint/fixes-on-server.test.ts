import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyEdits } from '../../../src/core/lint/apply-edits';
import { defaultConfig } from '../../../src/core/config';
import { lintRunnerSet, runnerSetsUnder, type RunnerSet } from '../../../src/core/lint/migration-lint';
import type { MigrationSet } from '../../../src/core/migrations/migration';
import { loadSqlParser } from '../../../src/core/sql/parse';
import type { Finding, TextEdit } from '../../../src/core/types';
import { repoRoot, requireServer } from '../db/test-env';
import { replayUps, withFreshDatabase, type ReplayResult } from './run-as-runner';

/**
 * Every fix the linter can emit must leave migrations that still run. For each project: copy
 * it to a temp folder, lint it with the real engine, apply every fix of every finding, read
 * the migration sets back from the fixed files, and replay the ups, fixed and unfixed, each on
 * a fresh database of the real server with the runner's transaction semantics
 * (run-as-runner.ts). A deploy stops at its first failing migration, so both replays stop
 * there too; the fixed one must get at least as far. Real projects fail on a bare server
 * (missing roles, extensions): that is why the fixed replay is compared with the unfixed one.
 *
 * Projects: small fixtures per runner (test/fixtures/lint-fixes/<runner>/, with data in the
 * tables so data-dependent fixes run on rows), and real projects from
 * ../shared/corpus/runners (see its README). Under CI=true a missing server or corpus fails.
 */

const FIXTURES = path.join(repoRoot(), 'test', 'fixtures', 'lint-fixes');
const CORPUS = path.resolve(__dirname, '../../../../shared/corpus/runners');

const FIXTURE_PROJECTS = ['goose', 'dbmate', 'sql-migrate', 'diesel', 'prisma', 'golang-migrate', 'drizzle-kit', 'flyway', 'plain'];
const CORPUS_PROJECTS = [
  'goose/permify',
  'goose/thunderdome-planning-poker',
  'dbmate/e1-eligibility',
  'sql-migrate/convoy',
  'diesel/vaultwarden',
  'golang-migrate/pocket-id',
  'prisma/shelf.nu',
  'drizzle-kit/sim',
  'flyway/marquez',
  // Beyond one project per runner: sqitch scripts hold their own BEGIN … COMMIT (run as psql
  // runs them). Left out: the corpus projects that stop before any fixed migration on a bare
  // server (openmeter, supabase-postgres, crates.io, chatbot-ui, flex-information-system).
  'sqitch/chef-server-oc_erchef',
];

/** One applied fix, and where it landed. */
interface AppliedFix {
  ruleId: string;
  title: string;
  /** Absolute path. */
  file: string;
  /** Offset (in the unfixed file) of its first edit. */
  at: number;
}

interface FixOutcome {
  /** Fixed text of every file that changed (absolute path). */
  texts: Map<string, string>;
  applied: AppliedFix[];
  /** Fixes left out because an edit overlapped (differently) an edit already taken. */
  skipped: Array<{ ruleId: string; title: string; file: string }>;
  /** Edits identical to one already taken (several findings sharing one edit, e.g. require-lock-timeout). */
  sharedEdits: number;
}

const editKey = (e: TextEdit): string => `${e.range.startOffset}:${e.range.endOffset}:${e.newText}`;

/**
 * Takes every fix, in the order the findings come: an edit identical to one already taken is
 * shared (applied once); a fix with an edit that overlaps a taken one differently is skipped
 * whole (its edits belong together). Overlap is what applyEdits refuses.
 */
function applyEveryFix(findings: readonly Finding[], read: (file: string) => string): FixOutcome {
  const taken = new Map<string, { edits: TextEdit[]; keys: Set<string> }>();
  const outcome: FixOutcome = { texts: new Map(), applied: [], skipped: [], sharedEdits: 0 };
  for (const f of findings) {
    if (!f.fix || f.fix.edits.length === 0) continue;
    let entry = taken.get(f.file);
    if (!entry) taken.set(f.file, (entry = { edits: [], keys: new Set() }));
    const fresh = f.fix.edits.filter((e) => !entry!.keys.has(editKey(e)));
    const shared = f.fix.edits.length - fresh.length;
    try {
      applyEdits(read(f.file), [...entry.edits, ...fresh]);
    } catch {
      outcome.skipped.push({ ruleId: f.ruleId, title: f.fix.title, file: f.file });
      continue;
    }
    outcome.sharedEdits += shared;
    for (const e of fresh) {
      entry.edits.push(e);
      entry.keys.add(editKey(e));
    }
    outcome.applied.push({ ruleId: f.ruleId, title: f.fix.title, file: f.file, at: Math.min(...f.fix.edits.map((e) => e.range.startOffset)) });
  }
  for (const [file, { edits }] of taken) if (edits.length) outcome.texts.set(file, applyEdits(read(file), edits));
  return outcome;
}

/** Where a fix landed: the index (replay order) of the up holding it, 'down', or 'elsewhere'. */
function fixPlace(fix: AppliedFix, sets: readonly RunnerSet[]): number | 'down' | 'elsewhere' {
  let index = 0;
  let inDown = false;
  for (const rs of sets) {
    const abs = (f: string): string => path.join(rs.root, ...f.split('/'));
    for (const m of rs.set.migrations) {
      const within = (p: { file: string; offset: number; text: string }): boolean => abs(p.file) === fix.file && fix.at >= p.offset && fix.at <= p.offset + p.text.length;
      if (within(m.up)) return index;
      if (m.down && within(m.down)) inDown = true;
      index++;
    }
  }
  return inDown ? 'down' : 'elsewhere';
}

interface ProjectReport {
  project: string;
  runner: string;
  migrations: number;
  findings: number;
  applied: number;
  skipped: number;
  sharedEdits: number;
  /** Fixes in ups the fixed replay ran to the end. */
  exercised: number;
  inDowns: number;
  before: ReplayResult;
  after: ReplayResult;
  rules: Record<string, number>;
  ms: number;
}

const reports: ProjectReport[] = [];

async function checkProject(project: string, source: string): Promise<ProjectReport> {
  const started = Date.now();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pglens-fixes-'));
  try {
    // (1) a copy to fix.
    const root = path.join(tmp, path.basename(source));
    cpSync(source, root, { recursive: true });
    const config = defaultConfig(root);
    const read = (file: string): string => readFileSync(file, 'utf8');

    // (2) lint the copy as the CLI does, (3) apply every fix.
    const sets = runnerSetsUnder(root, { config });
    assert.ok(sets.length > 0 && sets.some((s) => s.set.migrations.length > 0), `${project}: no migrations found`);
    const findings = sets.flatMap((rs) => lintRunnerSet(rs, read, config, { cacheParses: false }));
    const fixes = applyEveryFix(findings, read);
    for (const [file, text] of fixes.texts) writeFileSync(file, text);

    // (4) the fixed project, read back as its runner reads it.
    const fixedSets = runnerSetsUnder(root, { config });
    const unfixed: MigrationSet[] = sets.map((s) => s.set);
    const fixed: MigrationSet[] = fixedSets.map((s) => s.set);

    // (5) both replays, each on a fresh database.
    const [before, after] = await Promise.all([
      withFreshDatabase('pglens_fix', (client) => replayUps(client, unfixed)),
      withFreshDatabase('pglens_fix', (client) => replayUps(client, fixed)),
    ]);

    const places = fixes.applied.map((f) => fixPlace(f, sets));
    const rules: Record<string, number> = {};
    for (const f of fixes.applied) rules[f.ruleId] = (rules[f.ruleId] ?? 0) + 1;
    const report: ProjectReport = {
      project,
      runner: [...new Set(sets.map((s) => s.set.runner))].join('+'),
      migrations: before.ids.length,
      findings: findings.length,
      applied: fixes.applied.length,
      skipped: fixes.skipped.length,
      sharedEdits: fixes.sharedEdits,
      exercised: places.filter((p) => typeof p === 'number' && p < after.reached).length,
      inDowns: places.filter((p) => p === 'down').length,
      before,
      after,
      rules,
      ms: Date.now() - started,
    };
    reports.push(report);

    assert.deepEqual(after.ids, before.ids, `${project}: the fixes changed which migrations the runner runs`);
    if (after.reached < before.reached) {
      const f = after.failure!;
      const file = path.join(root, ...f.file.split('/'));
      const titles = fixes.applied.filter((a) => a.file === file).map((a) => `${a.ruleId}: ${a.title}`);
      const fixedText = fixes.texts.get(file);
      assert.fail(
        `${project}: migration #${f.index + 1} ${f.id} (${f.file}, ${f.mode}) applied before the fixes but fails after them\n` +
          `  error: ${f.error}\n` +
          (f.statement ? `  statement: ${f.statement}\n` : '') +
          `  fixes applied in that file (${titles.length}):\n${[...new Set(titles)].map((t) => `    - ${t} ×${titles.filter((x) => x === t).length}`).join('\n')}\n` +
          `  unfixed run reached ${before.reached}/${before.ids.length}${before.failure ? ` (stopped at ${before.failure.id}: ${before.failure.error})` : ''}, fixed run ${after.reached}` +
          (fixedText !== undefined ? `\n  fixed file:\n${excerpt(fixedText)}` : ''),
      );
    }
    // A project with nothing fixed (or nothing of it run) proves nothing.
    assert.ok(report.applied > 0, `${project}: no fix was applied (${findings.length} findings)`);
    assert.ok(report.exercised > 0, `${project}: none of the ${report.applied} fixes is in an up the fixed replay ran (it stopped at ${after.reached}/${after.ids.length})`);
    return report;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A fixed file for a failure message: its first lines, numbered. */
function excerpt(text: string, max = 60): string {
  const lines = text.split('\n');
  const shown = lines.slice(0, max).map((l, i) => `    ${String(i + 1).padStart(4)} | ${l}`);
  if (lines.length > max) shown.push(`    … ${lines.length - max} more lines`);
  return shown.join('\n');
}

function summary(): string {
  const pad = (s: string | number, n: number): string => String(s).padEnd(n);
  const lines = [
    `${pad('project', 34)}${pad('runner', 15)}${pad('migr', 6)}${pad('fixes', 7)}${pad('skip', 6)}${pad('shared', 8)}${pad('run', 6)}${pad('downs', 7)}${pad('before', 8)}${pad('after', 8)}ms`,
  ];
  for (const r of reports) {
    lines.push(
      `${pad(r.project, 34)}${pad(r.runner, 15)}${pad(r.migrations, 6)}${pad(r.applied, 7)}${pad(r.skipped, 6)}${pad(r.sharedEdits, 8)}${pad(r.exercised, 6)}${pad(r.inDowns, 7)}` +
        `${pad(r.before.reached, 8)}${pad(r.after.reached, 8)}${r.ms}`,
    );
  }
  for (const r of reports) {
    const stop = (x: ReplayResult): string => (x.failure ? `stopped at #${x.failure.index + 1} ${x.failure.id}: ${x.failure.error.slice(0, 160)}` : 'ran to the end');
    lines.push(`  ${r.project}: before ${stop(r.before)}`);
    if (r.after.failure?.id !== r.before.failure?.id || r.after.reached !== r.before.reached) lines.push(`  ${r.project}: after  ${stop(r.after)}`);
    lines.push(`  ${r.project}: fixes by rule ${JSON.stringify(r.rules)}`);
  }
  return lines.join('\n');
}

describe('lint fixes run on the real server (fixed migrations apply as far as unfixed ones)', function () {
  this.timeout(600_000);
  const started = Date.now();

  before(async function () {
    await requireServer(this, 'lint fixes on the server');
    await loadSqlParser();
  });

  after(function () {
    if (reports.length === 0) return;
    console.log(`\n${summary()}\n  total ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  });

  describe('fixtures (test/fixtures/lint-fixes)', () => {
    for (const name of FIXTURE_PROJECTS) {
      it(`${name}: every fix applied, every migration still runs`, async () => {
        const report = await checkProject(`fixture ${name}`, path.join(FIXTURES, name));
        // A fixture is written to run to the end unfixed: a failure there is a broken fixture.
        assert.equal(report.before.failure, undefined, `fixture ${name} fails unfixed: ${JSON.stringify(report.before.failure)}`);
        assert.equal(report.after.reached, report.after.ids.length);
      });
    }
  });

  describe('real projects (../shared/corpus/runners)', () => {
    before(function () {
      if (existsSync(CORPUS)) return;
      if (process.env.CI === 'true') throw new Error(`no corpus at ${CORPUS} — CI=true requires it`);
      console.log(`\n  *** SKIPPED: no corpus at ${CORPUS} ***\n`);
      this.skip();
    });

    for (const project of CORPUS_PROJECTS) {
      it(`${project}: every fix applied, the fixed replay gets at least as far`, async () => {
        const dir = path.join(CORPUS, ...project.split('/'));
        assert.ok(existsSync(dir), `no corpus project at ${dir}`);
        await checkProject(project, dir);
      });
    }
  });
});
