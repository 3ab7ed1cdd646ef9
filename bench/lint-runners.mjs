#!/usr/bin/env node
// Drift watch for the linter on real projects of every runner (../shared/corpus/runners): per
// project, the runner pglens reads it as, its migrations and downs, statements linted, findings
// per rule and per 100 statements, fixes offered, and files the runner never runs. No target:
// a change that moves these numbers should be one a reviewer expected (issue #14).
// Usage: node bench/lint-runners.mjs [--json]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir, loadLintCore } from './lint-bundle.mjs';

const corpus = corpusDir('lint-runners', 'runners');
const core = await loadLintCore();
const asJson = process.argv.includes('--json');
const read = (f) => readFileSync(f, 'utf8');

const projects = [];
for (const runnerDir of readdirSync(corpus).sort()) {
  const dir = join(corpus, runnerDir);
  if (!statSync(dir).isDirectory()) continue;
  for (const project of readdirSync(dir).sort()) {
    const root = join(dir, project);
    if (statSync(root).isDirectory()) projects.push({ name: `${runnerDir}/${project}`, root });
  }
}

const results = [];
for (const { name, root } of projects) {
  const config = core.defaultConfig(root);
  const started = performance.now();
  const sets = core.runnerSetsUnder(root, { config });
  const findings = sets.flatMap((rs) => core.lintRunnerSet(rs, read, config));
  const ms = performance.now() - started;
  // Statements the runner runs (ups and downs), counted by the parser the linter uses.
  let statements = 0;
  for (const rs of sets) {
    for (const m of rs.set.migrations) {
      for (const part of [m.up, m.down]) if (part) statements += core.parseCached(part.text).statements.length;
    }
  }
  const perRule = {};
  for (const f of findings) perRule[f.ruleId] = (perRule[f.ruleId] ?? 0) + 1;
  results.push({
    project: name,
    runners: [...new Set(sets.map((rs) => rs.set.runner))].join('+'),
    migrations: sets.reduce((n, rs) => n + rs.set.migrations.length, 0),
    downs: sets.reduce((n, rs) => n + rs.set.migrations.filter((m) => m.down).length, 0),
    notRun: sets.reduce((n, rs) => n + rs.notRun.length, 0),
    statements,
    findings: findings.length,
    fixes: findings.filter((f) => f.fix).length,
    per100: statements ? (100 * findings.length) / statements : 0,
    perRule,
    ms,
  });
}

if (asJson) {
  console.log(JSON.stringify(results, null, 2));
} else {
  console.log('project                                   runner          migr  downs notrun  stmts  finds  fixes  /100st    ms');
  for (const r of results) {
    console.log(
      `${r.project.padEnd(41)} ${r.runners.padEnd(14)} ${String(r.migrations).padStart(5)} ${String(r.downs).padStart(6)} ${String(r.notRun).padStart(6)} ${String(r.statements).padStart(6)} ${String(r.findings).padStart(6)} ${String(r.fixes).padStart(6)} ${r.per100.toFixed(1).padStart(7)} ${r.ms.toFixed(0).padStart(5)}`,
    );
  }
  const rules = [...new Set(results.flatMap((r) => Object.keys(r.perRule)))].sort();
  console.log('\nfindings per 100 statements, by rule (columns: projects in the order above)');
  for (const rule of rules) {
    const cells = results.map((r) => (r.perRule[rule] ? ((100 * r.perRule[rule]) / r.statements).toFixed(1) : '·').padStart(5));
    console.log(`${rule.padEnd(38)} ${cells.join(' ')}`);
  }
}
