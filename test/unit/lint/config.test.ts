import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findConfigFile, isExcluded, loadConfig, parseConfig, ruleSetting } from '../../../src/core/config';
import { matchesGlob } from '../../../src/core/glob';
import { PglensError } from '../../../src/core/errors';
import { ALL_RULE_IDS } from '../../../src/core/lint/rule-ids';
import { DEFAULT_PLAN_THRESHOLDS } from '../../../src/core/plan/types';

describe('lint config', () => {
  it('parses severities, [severity, options], exclude, postgresVersion, migrations and plan', () => {
    const c = parseConfig(
      {
        rules: { 'select-star': 'off', 'large-in-list': ['warning', { threshold: 100 }] },
        exclude: ['vendor/**'],
        postgresVersion: 12,
        migrations: [{ path: 'db/migrations', transactional: false }],
        plan: { misestimateMinFactor: 20 },
      },
      '/w/.pglens.json',
    );
    assert.equal(c.root, '/w');
    assert.equal(ruleSetting(c, 'select-star', 'warning'), undefined);
    assert.deepEqual(ruleSetting(c, 'large-in-list', 'info'), { severity: 'warning', options: { threshold: 100 } });
    assert.deepEqual(ruleSetting(c, 'missing-where', 'error'), { severity: 'error', options: {} });
    assert.equal(c.postgresVersion, 12);
    assert.deepEqual(c.plan, { misestimateMinFactor: 20 });
    assert.ok(isExcluded(c, '/w/vendor/a/b.sql'));
    assert.ok(!isExcluded(c, '/w/db/a.sql'));
  });

  const rejects = (value: unknown, pattern: RegExp) =>
    assert.throws(() => parseConfig(value, '/w/.pglens.json'), (e: unknown) => e instanceof PglensError && pattern.test(e.message) && e.message.includes('/w/.pglens.json'));

  it('reads a migrations[] entry that forces the runner, leaving transactional unset when not written', () => {
    const config = parseConfig({ migrations: [{ path: 'db', runner: 'goose' }, { path: 'x', transactional: false }] }, '/r/.pglens.json');
    assert.deepEqual(config.migrations, [{ path: 'db', runner: 'goose' }, { path: 'x', transactional: false }]);
  });

  it('rejects unknown rule ids, bad severities and bad values, naming the file and key', () => {
    rejects({ rules: { 'no-such-rule': 'error' } }, /"rules\.no-such-rule" is not a pglens rule id/);
    rejects({ rules: { 'select-star': 'fatal' } }, /"rules\.select-star" must be one of error, warning, info, off/);
    rejects({ rules: { 'select-star': ['error', 3] } }, /options/);
    rejects({ postgresVersion: '15' }, /"postgresVersion"/);
    rejects({ migrations: [{ path: 'x', transactional: 'yes' }] }, /"migrations\[0\]\.transactional"/);
    rejects({ migrations: [{ path: 'x', runner: 'flywheel' }] }, /"migrations\[0\]\.runner" must be one of prisma, drizzle-kit, goose/);
    rejects({ exclude: 'x' }, /"exclude"/);
    rejects({ colour: 'red' }, /"colour" is not a known setting/);
    rejects([], /must be a JSON object/);
  });

  it('finds .pglens.json by walking up, and reports invalid JSON clearly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pglens-config-'));
    mkdirSync(join(dir, 'a/b'), { recursive: true });
    writeFileSync(join(dir, '.pglens.json'), JSON.stringify({ rules: { 'ban-drop-table': 'error' } }));
    assert.equal(findConfigFile(join(dir, 'a/b')), join(dir, '.pglens.json'));
    assert.equal(loadConfig(join(dir, 'a/b/x.sql')).rules['ban-drop-table'].severity, 'error');
    writeFileSync(join(dir, 'a/.pglens.json'), '{ nope');
    assert.throws(() => loadConfig(join(dir, 'a/b')), /not valid JSON/);
    assert.throws(() => loadConfig(dir, join(dir, 'missing.json')), /cannot read config .*missing\.json: ENOENT/);
  });

  it('matches globs against a path or its folders', () => {
    assert.ok(matchesGlob('db/migrations/001.sql', 'db/migrations'));
    assert.ok(matchesGlob('db/migrations/001.sql', '**/*.sql'));
    assert.ok(matchesGlob('a/b/c.sql', 'a/**/c.sql'));
    assert.ok(matchesGlob('x.sql', '**/*.sql'));
    assert.ok(matchesGlob('p/m.sql', 'p/{m,n}.sql'));
    assert.ok(!matchesGlob('db/other/001.sql', 'db/migrations'));
    assert.ok(!matchesGlob('a/bb.sql', 'a/?.sql'));
  });
});

describe('schemas/pglens-config.schema.json', () => {
  it('lists exactly the rule ids the config accepts', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, '../../../schemas/pglens-config.schema.json'), 'utf8'));
    assert.deepEqual(schema.properties.rules.propertyNames.enum, [...ALL_RULE_IDS].sort());
    assert.deepEqual(Object.keys(schema.properties).sort(), ['$schema', 'appCode', 'exclude', 'migrations', 'plan', 'postgresVersion', 'rules', 'sandbox']);
  });

  it('lists every plan threshold with its default, and nothing else, under "plan"', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, '../../../schemas/pglens-config.schema.json'), 'utf8'));
    const plan = schema.properties.plan;
    assert.equal(plan.additionalProperties, false);
    assert.deepEqual(Object.fromEntries(Object.entries(plan.properties).map(([k, v]) => [k, (v as { default: number }).default])), DEFAULT_PLAN_THRESHOLDS);
  });
});
