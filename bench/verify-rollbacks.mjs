#!/usr/bin/env node
// Rollback verification on the real projects of ../shared/corpus/runners that ship downs:
// per project, migrations, rollbacks verified, incomplete (differences found), failing,
// without a down, "cannot verify" with its cause, and wall time. Targets (issue #15): a
// 300-migration folder from cold ≤ 60 s on the embedded PGlite.
// Usage: node bench/verify-rollbacks.mjs [--db URL]   (needs `npm run build`)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir, root } from './lint-bundle.mjs';

const corpus = corpusDir('verify-rollbacks', 'runners');
const cli = join(root, 'dist/cli.js');
if (!existsSync(cli)) {
  console.error('verify-rollbacks: dist/cli.js not found — run `npm run build` first.');
  process.exit(2);
}
const dbFlag = process.argv.indexOf('--db');
const db = dbFlag > 0 ? ['--db', process.argv[dbFlag + 1], '--yes-this-is-disposable'] : [];
const projects = ['goose/permify', 'goose/thunderdome-planning-poker', 'golang-migrate/pocket-id', 'golang-migrate/openmeter', 'dbmate/e1-eligibility', 'dbmate/supabase-postgres', 'sql-migrate/convoy', 'diesel/vaultwarden', 'diesel/crates.io'];
console.log('project                              migr  verified  incompl  failing  no-down  unverif  skipped   diffs      s   cannot verify because');
for (const p of projects) {
  const dir = join(corpus, p);
  const started = performance.now();
  const r = spawnSync(process.execPath, [cli, 'migrations', 'verify', dir, '--format', 'json', ...db], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const s = (performance.now() - started) / 1000;
  if (r.status === 2 || !r.stdout) {
    console.log(`${p.padEnd(36)} could not run: ${(r.stderr || '').split('\n')[0]}`);
    continue;
  }
  const { summary, findings } = JSON.parse(r.stdout);
  const diffs = findings.filter((f) => f.rule === 'rollback-incomplete' || f.rule === 'rollback-destroys-data').length;
  const cause = findings.find((f) => f.rule === 'rollback-unverifiable')?.message.replace(/^Cannot verify ([^:]+): its up fails on an empty database: /, '$1: ').split('. If it needs')[0] ?? '';
  console.log(
    `${p.padEnd(36)} ${String(summary.migrations).padStart(5)} ${String(summary.verified).padStart(9)} ${String(summary.incomplete).padStart(8)} ${String(summary.failing).padStart(8)} ${String(summary.withoutDown).padStart(8)} ${String(summary.unverifiable).padStart(8)} ${String(summary.skipped).padStart(8)} ${String(diffs).padStart(7)} ${s.toFixed(1).padStart(6)}   ${cause.slice(0, 90)}`,
  );
}

// The cold target on a folder of the size the issue names: 300 goose migrations, each with a
// down (tables, columns, indexes, constraints, a function), verified from an empty PGlite.
const synthetic = mkdtempSync(join(tmpdir(), 'pglens-verify-300-'));
for (let i = 1; i <= 300; i++) {
  const v = String(i).padStart(5, '0');
  const t = `t${Math.ceil(i / 5)}`;
  let up;
  let down;
  switch (i % 5) {
    case 1:
      up = `CREATE TABLE ${t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`;
      down = `DROP TABLE ${t};`;
      break;
    case 2:
      up = `ALTER TABLE ${t} ADD COLUMN owner_id bigint${i > 5 ? ` REFERENCES t${Math.ceil(i / 5) - 1} (id)` : ''};`;
      down = `ALTER TABLE ${t} DROP COLUMN owner_id;`;
      break;
    case 3:
      up = `CREATE INDEX ${t}_owner_idx ON ${t} (owner_id);`;
      down = `DROP INDEX ${t}_owner_idx;`;
      break;
    case 4:
      up = `ALTER TABLE ${t} ADD CONSTRAINT ${t}_name_len CHECK (length(name) < 200);`;
      down = `ALTER TABLE ${t} DROP CONSTRAINT ${t}_name_len;`;
      break;
    default:
      up = `-- +goose StatementBegin\nCREATE FUNCTION ${t}_count() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM ${t} $$;\n-- +goose StatementEnd`;
      down = `DROP FUNCTION ${t}_count();`;
  }
  writeFileSync(join(synthetic, `${v}_m${i}.sql`), `-- +goose Up\n${up}\n-- +goose Down\n${down}\n`);
}
{
  const started = performance.now();
  const r = spawnSync(process.execPath, [cli, 'migrations', 'verify', synthetic, '--format', 'json', ...db], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const s = (performance.now() - started) / 1000;
  const summary = r.stdout ? JSON.parse(r.stdout).summary : undefined;
  console.log(`synthetic 300-migration goose folder, cold: ${summary ? `${summary.verified} verified of ${summary.migrations}` : `could not run: ${(r.stderr || '').split('\n')[0]}`} in ${s.toFixed(1)} s (target ≤ 60 s) ${s <= 60 ? 'OK' : 'ABOVE TARGET'}`);
  rmSync(synthetic, { recursive: true, force: true });
}
