#!/usr/bin/env node
// Robustness: every file of ../shared/corpus/migrations lints without a crash or a parse
// failure; ../shared/corpus/pg-regress too, apart from its deliberate errors (and psql-only
// syntax), which must come out as syntax-error findings. Prints counts; exits 1 on a crash
// or on a syntax error in the migrations corpus.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir, loadLintCore } from './lint-bundle.mjs';

const migrations = corpusDir('lint-corpus', 'migrations');
const regress = corpusDir('lint-corpus', 'pg-regress');
const core = await loadLintCore();
const ruleIds = new Set(core.rules.map((r) => r.id));

function sqlFiles(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql') && statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => ({ file: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
}

function run(label, files, asSet) {
  const t = performance.now();
  let findings = [];
  let crashes = 0;
  const config = core.defaultConfig(process.cwd());
  try {
    findings = asSet ? core.lintMigrationSet(files, config) : files.flatMap((f) => core.lintSqlFile(f.file, f.text, config));
  } catch (e) {
    crashes++;
    console.error(`${label}: the linter threw: ${e instanceof Error ? e.stack : e}`);
  }
  const ms = performance.now() - t;
  const ruleFailures = findings.filter((f) => / failed on this statement /.test(f.message));
  crashes += ruleFailures.length;
  for (const f of ruleFailures.slice(0, 5)) console.error(`  ${f.file}:${f.range.start.line + 1}: ${f.message}`);
  const syntax = findings.filter((f) => f.ruleId === 'syntax-error');
  const statements = files.reduce((n, f) => n + core.parseCached(f.text).statements.length, 0);
  const byRule = {};
  for (const f of findings) if (ruleIds.has(f.ruleId)) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  console.log(`${label.padEnd(26)} ${String(files.length).padStart(5)} files ${String(statements).padStart(7)} statements ${String(syntax.length).padStart(5)} syntax errors ${String(crashes).padStart(3)} crashes ${ms.toFixed(0).padStart(6)} ms`);
  return { syntax, crashes, byRule };
}

let failed = false;
const totals = {};
for (const name of readdirSync(migrations).sort()) {
  const r = run(`migrations/${name}`, sqlFiles(join(migrations, name)), true);
  for (const [id, n] of Object.entries(r.byRule)) totals[id] = (totals[id] ?? 0) + n;
  if (r.crashes > 0 || r.syntax.length > 0) failed = true;
  for (const f of r.syntax.slice(0, 5)) console.error(`  parse failure ${f.file}:${f.range.start.line + 1}: ${f.message}`);
}
const reg = run('pg-regress (file by file)', sqlFiles(regress), false);
if (reg.crashes > 0) failed = true;
const regressStatements = sqlFiles(regress).reduce((n, f) => n + core.parseCached(f.text).statements.length, 0);
console.log(`pg-regress: ${reg.syntax.length} syntax-error findings = ${((100 * reg.syntax.length) / regressStatements).toFixed(2)}% of statements (deliberate errors and psql meta-commands)`);
console.log('findings by rule on the migrations corpus:');
for (const [id, n] of Object.entries(totals).sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(5)}  ${id}`);
console.log(failed ? 'FAILED: a crash, or a parse failure in the migrations corpus' : 'OK: no crash; every migration parsed');
process.exitCode = failed ? 1 : 0;
