/**
 * The rule registry (src/core/rules/registry.ts) against everything a new rule must reach, so
 * adding a rule touches its file, its test table and its docs page and nothing else: the rule
 * indexes (static imports, for the esbuild bundle), the id lists of src/core/lint/rule-ids.ts,
 * docs/rules/README.md, README.md's rule tables and the config schema's id list are generated from
 * the rules by `npm run rules:generate` (scripts/rules-generate.mjs), and a stale one fails here
 * naming the command; a missing docs page or test table fails naming the file to write.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  ALL_RULE_IDS,
  APP_CODE_RULE_IDS,
  DATABASE_RULE_IDS,
  HEALTH_RULE_IDS,
  PLAN_RULE_IDS,
  QUERY_STATS_RULE_IDS,
  SCHEMA_RULE_IDS,
  STATEMENT_RULE_IDS,
  SYNTAX_ERROR_RULE_ID,
  VERIFY_RULE_IDS,
} from '../../../src/core/lint/rule-ids';
import { appCodeRules } from '../../../src/core/app-code/rules';
import { rules as lintRules } from '../../../src/core/lint/rules';
import { prismaRules } from '../../../src/core/prisma/rules';
import { planRules } from '../../../src/core/plan/rules';
import { DATABASE_CHECKS } from '../../../src/core/health/database/checks';
import { RULE_REGISTRY, registryRuleIds, rulesOfFamily } from '../../../src/core/rules/registry';
import type { RuleFamily } from '../../../src/core/rules/types';
import { HEALTH_RULE_OPTIONS } from '../../../src/core/health/health-options';

const ROOT = path.resolve(__dirname, '../../..');

/** The rule files of a folder: one `<id>.ts` per rule, besides the index. */
function ruleFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .map((f) => f.slice(0, -3))
    .sort();
}

/** Every `.ts` file under a test folder, with its text. */
function testTexts(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) out.push({ file: path.relative(ROOT, p), text: readFileSync(p, 'utf8') });
    }
  };
  walk(path.join(ROOT, dir));
  return out;
}

describe('rule registry (src/core/rules/registry.ts)', () => {
  it('is generated from the rules: the rule indexes, rule-ids.ts, the docs index, README tables and the config schema are up to date', function () {
    // The generator loads the rules through tsx, in a process of its own; --check writes nothing.
    this.timeout(60_000);
    const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'rules-generate.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(run.status, 0, `${run.stderr}${run.stdout}`);
  });

  it('holds every rule file of the rule folders (lint, Prisma, application code, plan; database checks), each named after its id', () => {
    const problems: string[] = [];
    // The checks folder also holds helpers (sessions.ts): there only each listed check needs its file.
    const check = (dir: string, list: readonly { id: string }[], everyFileIsARule = true): void => {
      const ids = list.map((r) => r.id);
      if (everyFileIsARule) for (const name of ruleFiles(dir)) if (!ids.includes(name)) problems.push(`${dir}/${name}.ts is not in the generated index: run \`npm run rules:generate\`, which lists it or names what keeps it out`);
      for (const id of ids) if (!ruleFiles(dir).includes(id)) problems.push(`${dir}: the index lists '${id}', which has no file ${id}.ts`);
    };
    check('src/core/lint/rules', lintRules);
    check('src/core/prisma/rules', prismaRules);
    check('src/core/app-code/rules', appCodeRules);
    check('src/core/plan/rules', planRules);
    check('src/core/health/database/checks', DATABASE_CHECKS, false);
    assert.deepEqual(problems, []);
  });

  it('has one entry per id and family, each with one metadata shape', () => {
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const r of RULE_REGISTRY) {
      const key = `${r.family}:${r.id}`;
      if (seen.has(key)) problems.push(`${key} is registered twice`);
      seen.add(key);
      if (r.docs !== `docs/rules/${r.id}.md`) problems.push(`${key}: docs is ${r.docs}`);
      if (!['error', 'warning', 'info', 'off'].includes(r.defaultSeverity)) problems.push(`${key}: default severity ${r.defaultSeverity}`);
      if (typeof r.fixable !== 'boolean') problems.push(`${key}: fixable is not a boolean`);
    }
    assert.deepEqual(problems, []);
  });

  it('matches the id lists of src/core/lint/rule-ids.ts, family by family', () => {
    const lists: [RuleFamily, string, readonly string[]][] = [
      ['statement', 'STATEMENT_RULE_IDS', STATEMENT_RULE_IDS],
      ['schema', 'SCHEMA_RULE_IDS', SCHEMA_RULE_IDS],
      ['plan', 'PLAN_RULE_IDS', PLAN_RULE_IDS],
      ['index-health', 'HEALTH_RULE_IDS', HEALTH_RULE_IDS],
      ['database', 'DATABASE_RULE_IDS', DATABASE_RULE_IDS],
      ['query-stats', 'QUERY_STATS_RULE_IDS', QUERY_STATS_RULE_IDS],
      ['verify', 'VERIFY_RULE_IDS', VERIFY_RULE_IDS],
      ['app-code', 'APP_CODE_RULE_IDS', APP_CODE_RULE_IDS],
      ['parse', 'SYNTAX_ERROR_RULE_ID', [SYNTAX_ERROR_RULE_ID]],
    ];
    const problems: string[] = [];
    for (const [family, constant, ids] of lists) {
      const registered = new Set(rulesOfFamily(family).map((r) => r.id));
      for (const id of registered) if (!ids.includes(id)) problems.push(`'${id}' (${family}) is missing from ${constant} in src/core/lint/rule-ids.ts`);
      for (const id of ids) if (!registered.has(id)) problems.push(`${constant} in src/core/lint/rule-ids.ts lists '${id}', which no ${family} rule of the registry has`);
    }
    const sql = new Set([...STATEMENT_RULE_IDS, ...SCHEMA_RULE_IDS] as string[]);
    for (const r of rulesOfFamily('prisma')) {
      if (!sql.has(r.id)) problems.push(`Prisma rule '${r.id}' has no SQL rule with its id (a Prisma rule is the face of one)`);
      const face = RULE_REGISTRY.find((s) => s.id === r.id && (s.family === 'statement' || s.family === 'schema'));
      if (face && face.defaultSeverity !== r.defaultSeverity) problems.push(`Prisma rule '${r.id}': default severity ${r.defaultSeverity}, the SQL rule's is ${face.defaultSeverity}`);
    }
    assert.deepEqual(problems, []);
    assert.deepEqual([...registryRuleIds()].sort(), [...ALL_RULE_IDS].sort());
  });

  it('has a docs page for every id', () => {
    const missing = RULE_REGISTRY.filter((r) => !existsSync(path.join(ROOT, r.docs))).map((r) => `${r.id}: write ${r.docs}`);
    assert.deepEqual([...new Set(missing)], []);
  });

  it('has a test for every id: a table per lint and code rule, a test naming it for the other families', () => {
    const prismaTests = testTexts('test/unit/prisma');
    // Health and verification findings need a database: their tests may be integration or editor tests.
    const otherTests = testTexts('test').filter((t) => !t.file.startsWith('test/unit/docs/') && !t.file.startsWith('test/unit/rules/'));
    const names = (text: string, id: string): boolean => new RegExp(`(?<![\\w-])${id}(?![\\w-])`).test(text);
    const problems: string[] = [];
    for (const r of RULE_REGISTRY) {
      if (r.family === 'statement' || r.family === 'schema') {
        if (!existsSync(path.join(ROOT, 'test/unit/lint/rules', `${r.id}.test.ts`))) problems.push(`${r.id}: write its test table test/unit/lint/rules/${r.id}.test.ts`);
      } else if (r.family === 'app-code') {
        if (!existsSync(path.join(ROOT, 'test/unit/app-code', `${r.id}.test.ts`))) problems.push(`${r.id}: write its test table test/unit/app-code/${r.id}.test.ts`);
      } else if (r.family === 'prisma') {
        if (!prismaTests.some((t) => t.text.includes(`'${r.id}'`))) problems.push(`${r.id}: no test under test/unit/prisma/ checks its Prisma face (add cases to test/unit/prisma/rules.test.ts)`);
      } else if (!otherTests.some((t) => names(t.text, r.id))) {
        problems.push(`${r.id} (${r.family}): no test under test/ names it`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it("is listed in README.md's rule tables (syntax-error aside: it is no rule to look up)", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const missing = [...registryRuleIds()]
      .filter((id) => id !== SYNTAX_ERROR_RULE_ID && !readme.includes(`(docs/rules/${id}.md)`))
      .map((id) => `${id}: add a row linking docs/rules/${id}.md to README.md's rule tables ("## Rules")`);
    assert.deepEqual(missing, []);
  });

  it('carries the options check of rules that have options to check', () => {
    const naming = RULE_REGISTRY.filter((r) => r.id === 'naming-convention');
    assert.ok(naming.length > 0 && naming.every((r) => r.options), 'naming-convention has an options check');
    assert.equal(naming[0].options?.({}), undefined);
    assert.equal(naming[0].options?.({ unknownOption: true })?.path, 'unknownOption');
    // The options lint rules declare (`options`, src/core/lint/option-specs.ts) and the health rules' numeric
    // options (src/core/health/health-options.ts) are checked too; no other rule has one.
    const declared = lintRules.filter((r) => r.options).map((r) => r.id);
    assert.ok(declared.length >= 4, `lint rules declaring options: ${declared.join(', ')}`);
    const checked = new Set(['naming-convention', ...declared, ...Object.keys(HEALTH_RULE_OPTIONS)]);
    assert.deepEqual(RULE_REGISTRY.filter((r) => !checked.has(r.id) && r.options).map((r) => r.id), [], 'only naming-convention, lint rules declaring options and the health rules have an options check');
    assert.deepEqual(RULE_REGISTRY.filter((r) => checked.has(r.id) && !r.options).map((r) => r.id), [], 'every rule with options has its check');
    const largeInList = RULE_REGISTRY.find((r) => r.id === 'large-in-list');
    assert.deepEqual(largeInList?.options?.({ threshold: -1 }), { path: 'threshold', problem: 'must be a whole number ≥ 0, got -1' });
  });
});
