/**
 * Keeps docs/rules true to the code: one page per rule id (and none for ids that do not
 * exist), the generated index docs/rules/README.md listing every id (kept up to date by test/unit/rules/registry.test.ts), README
 * links to every page, default severities and plan thresholds as the code
 * has them, plan examples that really produce their finding, and `.pglens.json` snippets
 * that the config reader accepts.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CatalogIndex, CatalogSnapshot, CatalogTable } from '../../../src/core/health/catalog';
import { healthFindings } from '../../../src/core/health/findings';
import { parseConfig } from '../../../src/core/config';
import { lintMigrationSet } from '../../../src/core/lint/engine';
import { ALL_RULE_IDS, DATABASE_RULE_IDS, HEALTH_RULE_IDS, PLAN_RULE_IDS, QUERY_STATS_RULE_IDS, SYNTAX_ERROR_RULE_ID } from '../../../src/core/lint/rule-ids';
import { N_PLUS_ONE_CANDIDATE, N_PLUS_ONE_CANDIDATE_DEFAULTS, N_PLUS_ONE_CANDIDATE_SEVERITY } from '../../../src/core/health/n-plus-one-candidates';
import { HEALTH_RULE_OPTIONS } from '../../../src/core/health/health-options';
import { DATABASE_CHECKS } from '../../../src/core/health/database/checks';
import { rules } from '../../../src/core/lint/rules';
import { loadSqlParser } from '../../../src/core/sql/parse';
import { analyzePlan } from '../../../src/core/plan/analyze';
import { planOptionsFromConfig } from '../../../src/core/plan/config';
import { PLAN_RULE_DEFAULT_SEVERITY } from '../../../src/core/plan/findings';
import { DEFAULT_PLAN_THRESHOLDS, type PlanRuleId, type PlanThresholds } from '../../../src/core/plan/types';

const ROOT = path.resolve(__dirname, '../../..');
const DOCS = path.join(ROOT, 'docs', 'rules');
const README = path.join(ROOT, 'README.md');
/** The generated index of docs/rules (scripts/rules-generate.mjs): not a rule page. */
const INDEX_FILE = 'README.md';

const ids = [...ALL_RULE_IDS].sort();

function page(id: string): string {
  return readFileSync(path.join(DOCS, `${id}.md`), 'utf8');
}

/** `## Heading` lines of a page, without the hashes. */
function headings(text: string): string[] {
  return [...text.matchAll(/^##\s+(.+?)\s*$/gm)].map((m) => m[1]);
}

/** The body of the first `## <name>` section, up to the next `## ` heading. */
function section(text: string, name: string): string | undefined {
  const m = new RegExp(`^##\\s+${name}\\s*$([\\s\\S]*?)(?=^##\\s|(?![\\s\\S]))`, 'm').exec(text);
  return m?.[1];
}

function fencedBlocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'gm'))].map((m) => m[1]);
}

/** Wrapped prose and code compare equal to the one-line strings the code produces. */
function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function defaultSeverityOnPage(text: string): string | undefined {
  return /^\*\*Default severity:\*\*\s*(error|warning|info|off)\b/m.exec(text)?.[1];
}

/** A minimal live catalog with one unused and one invalid index and a sequentially scanned table. */
function healthCatalog(): CatalogSnapshot {
  const table: CatalogTable = {
    schema: 'shop', name: 'customers', kind: 'table', estimatedRows: 20_000, totalBytes: 3_000_000, seqScan: 15, seqTupRead: 280_000,
    idxScan: 0, idxTupFetch: 0, liveTuples: 20_000, deadTuples: 0, lastAnalyze: null, lastAutoanalyze: null, isPartition: false,
  };
  const index = (name: string, columns: string[], over: Partial<CatalogIndex>): CatalogIndex => ({
    schema: 'shop', table: 'customers', name, definition: `CREATE INDEX ${name} ON shop.customers USING btree (${columns.join(', ')})`,
    scans: 0, tupRead: 0, tupFetch: 0, sizeBytes: 827_392, unique: false, primary: false, valid: true, constraintName: null,
    constraintType: null, columns, include: [], predicate: null, method: 'btree', ...over,
  });
  return {
    server: { database: 'test', serverVersion: '15.20', serverVersionNum: 150020, blockSize: 8192, isReplica: false, statsReset: null, serverStarted: null },
    schemas: ['shop'],
    tables: [table],
    columns: [],
    indexes: [
      index('customers_pkey', ['id'], { unique: true, primary: true, constraintName: 'customers_pkey', constraintType: 'p' }),
      index('customers_email_idx', ['email'], {}),
      index('customers_city_key', ['city'], { unique: true, valid: false, sizeBytes: 0 }),
    ],
    foreignKeys: [],
    sizesExact: true,
    readAt: '2024-02-01T00:00:00.000Z',
  };
}

describe('rule docs (docs/rules/<id>.md)', () => {
  it('has a page for every rule id, titled with the id, with a Fix / Good / Safe section', () => {
    const problems: string[] = [];
    for (const id of ids) {
      const file = path.join(DOCS, `${id}.md`);
      if (!existsSync(file)) {
        problems.push(`${id}: docs/rules/${id}.md is missing`);
        continue;
      }
      const text = page(id);
      if (text.split('\n')[0].trim() !== `# ${id}`) problems.push(`${id}: first line is "${text.split('\n')[0]}", expected "# ${id}"`);
      if (!headings(text).some((h) => /^(fix|good)\b/i.test(h) || /\bsafe\b/i.test(h))) {
        problems.push(`${id}: no "## Fix", "## Good" or "## …safe…" section (has: ${headings(text).join(', ') || 'no sections'})`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('has no page for an id that is not a rule', () => {
    const stray = readdirSync(DOCS)
      .filter((f) => f.endsWith('.md') && f !== INDEX_FILE)
      .map((f) => f.slice(0, -3))
      .filter((id) => !ALL_RULE_IDS.has(id));
    assert.deepEqual(stray, []);
  });

  it('lists every rule id in the index, each linked to its page', () => {
    const index = readFileSync(path.join(DOCS, INDEX_FILE), 'utf8');
    const missing = ids.filter((id) => !index.includes(`| [\`${id}\`](${id}.md) |`));
    assert.deepEqual(missing, [], `not in docs/rules/${INDEX_FILE} (with a link to its page): regenerate it with \`npm run rules:generate\``);
  });

  it('covers every registered lint rule with an id of the catalogue', () => {
    const unknown = rules.map((r) => r.id).filter((id) => !ALL_RULE_IDS.has(id));
    assert.deepEqual(unknown, []);
    assert.equal(new Set(rules.map((r) => r.id)).size, rules.length, 'a rule id is registered twice');
  });

  it('links every lint, plan and health rule from README.md', () => {
    const readme = readFileSync(README, 'utf8');
    const wanted = [...rules.map((r) => r.id), ...PLAN_RULE_IDS, ...HEALTH_RULE_IDS, ...DATABASE_RULE_IDS, ...QUERY_STATS_RULE_IDS];
    const missing = wanted.filter((id) => !readme.includes(`(docs/rules/${id}.md)`));
    assert.deepEqual(missing, []);
  });

  it('states the default severity the code uses', async () => {
    await loadSqlParser();
    const [syntax] = lintMigrationSet([{ file: 'x.sql', text: 'SELEC 1;\n' }]);
    assert.equal(syntax.ruleId, SYNTAX_ERROR_RULE_ID);
    const health = healthFindings(healthCatalog(), 'server').findings;
    const expected = new Map<string, string>([
      ...rules.map((r): [string, string] => [r.id, r.defaultSeverity]),
      ...(Object.entries(PLAN_RULE_DEFAULT_SEVERITY) as [string, string][]),
      ...HEALTH_RULE_IDS.map((id): [string, string] => {
        const f = health.find((h) => h.ruleId === id);
        assert.ok(f, `the test catalog must produce a ${id} finding`);
        return [id, f.severity];
      }),
      ...DATABASE_CHECKS.map((c): [string, string] => [c.id, c.defaultSeverity]),
      [N_PLUS_ONE_CANDIDATE, N_PLUS_ONE_CANDIDATE_SEVERITY],
      [SYNTAX_ERROR_RULE_ID, syntax.severity],
    ]);
    const wrong = [...expected]
      .map(([id, severity]) => ({ id, severity, onPage: defaultSeverityOnPage(page(id)) }))
      .filter((x) => x.onPage !== x.severity)
      .map((x) => `${x.id}: page says ${x.onPage ?? '(no "**Default severity:**" line)'}, code says ${x.severity}`);
    assert.deepEqual(wrong, []);
  });

  it('gives every plan threshold key with its default on its finding\'s page', () => {
    const problems: string[] = [];
    for (const [key, value] of Object.entries(DEFAULT_PLAN_THRESHOLDS) as [keyof PlanThresholds, number][]) {
      // seqScanFilterMinRows → seq-scan-filter: the keys are named after their finding.
      const id = key.replace(/Min[A-Z]\w*$/, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      if (!(PLAN_RULE_IDS as readonly string[]).includes(id)) {
        problems.push(`${key}: no plan finding "${id}" to document it on`);
        continue;
      }
      const text = page(id);
      const shown = `**${value.toLocaleString('en-US')}${key.endsWith('Pct') ? '%' : ''}**`;
      if (!text.includes(`"${key}"`)) problems.push(`${id}.md does not show the .pglens.json key "${key}"`);
      if (!text.includes(shown)) problems.push(`${id}.md does not state the default of ${key} as ${shown}`);
    }
    assert.deepEqual(problems, []);
  });

  for (const id of PLAN_RULE_IDS) {
    it(`${id}: the example plan produces the finding, with the message and fix the page quotes`, () => {
      const text = page(id);
      const example = section(text, 'Example');
      assert.ok(example, `${id}.md has no "## Example" section`);
      const [plan] = fencedBlocks(example, 'text');
      assert.ok(plan, `${id}.md's example has no \`\`\`text EXPLAIN block`);
      const finding = analyzePlan(plan).findings.find((f) => f.ruleId === (id as PlanRuleId));
      assert.ok(finding, `${id}.md's example plan does not produce ${id}`);
      assert.ok(flat(text).includes(flat(finding.message)), `${id}.md does not quote the message: ${finding.message}`);
      assert.ok(flat(text).includes(flat(finding.fix)), `${id}.md does not quote the fix: ${finding.fix}`);
    });
  }

  it('gives every database check threshold (and n-plus-one-candidate\'s, and every other health rule option) with its default and .pglens.json key on its page', () => {
    const problems: string[] = [];
    const others = Object.entries(HEALTH_RULE_OPTIONS).filter(([id]) => id !== N_PLUS_ONE_CANDIDATE && !DATABASE_CHECKS.some((c) => c.id === id));
    for (const check of [...DATABASE_CHECKS, { id: N_PLUS_ONE_CANDIDATE, defaults: N_PLUS_ONE_CANDIDATE_DEFAULTS }, ...others.map(([id, spec]) => ({ id, defaults: spec.defaults }))]) {
      const text = page(check.id);
      for (const [key, value] of Object.entries(check.defaults)) {
        if (!text.includes(`"${key}"`)) problems.push(`${check.id}.md does not show the .pglens.json option "${key}"`);
        if (!text.includes(`**${value.toLocaleString('en-US')}**`)) problems.push(`${check.id}.md does not state the default of ${key} as **${value.toLocaleString('en-US')}**`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('gives every option a lint rule declares (`options`) with its .pglens.json key and default on its page', () => {
    const problems: string[] = [];
    for (const rule of rules) {
      const text = page(rule.id);
      for (const [key, spec] of Object.entries(rule.options ?? {})) {
        if (!text.includes(`"${key}"`)) problems.push(`${rule.id}.md does not show the .pglens.json option "${key}"`);
        const shown = typeof spec.default === 'number' ? [spec.default.toLocaleString('en-US'), String(spec.default)] : [JSON.stringify(spec.default).replace(/,/g, ', ')];
        if (!shown.some((d) => text.includes(d))) problems.push(`${rule.id}.md does not state the default of ${key} (${shown[0]})`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('shows the migration SQL pglens writes for the health findings that have one', () => {
    const health = healthFindings(healthCatalog(), 'server').findings;
    for (const id of ['unused-index', 'invalid-index'] as const) {
      const f = health.find((h) => h.ruleId === id);
      assert.ok(f?.fixSql, `the test catalog must produce a fixable ${id} finding`);
      assert.ok(page(id).includes(f.fixSql), `${id}.md does not show ${f.fixSql}`);
    }
  });

  it('only shows .pglens.json snippets the config reader accepts (rule pages and README)', () => {
    const sources = [...readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => path.join(DOCS, f)), README];
    const problems: string[] = [];
    let checked = 0;
    for (const file of sources) {
      const where = path.relative(ROOT, file);
      for (const block of fencedBlocks(readFileSync(file, 'utf8'), 'json')) {
        let value: unknown;
        try {
          value = JSON.parse(block);
        } catch (e) {
          problems.push(`${where}: invalid JSON: ${(e as Error).message}`);
          continue;
        }
        try {
          planOptionsFromConfig(parseConfig(value, where));
          checked++;
        } catch (e) {
          problems.push((e as Error).message);
        }
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(checked >= PLAN_RULE_IDS.length, `only ${checked} snippets found`);
  });
});
