import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/core/config';
import { PglensError } from '../../../src/core/errors';
import { optionSpecsProblem, ruleOption, type RuleOptionSpecs } from '../../../src/core/lint/option-specs';
import { LINT_RULE_OPTION_SPECS } from '../../../src/core/lint/rule-option-specs';
import { rules } from '../../../src/core/lint/rules';

const SPECS = {
  threshold: { type: 'number', minimum: 0, integer: true, default: 50 },
  ratio: { type: 'number', minimum: 0.5, default: 1 },
  columns: { type: 'names', default: ['tenant_id'] },
  roles: { type: 'names', allowEmpty: true, default: ['postgres'] },
} as const satisfies RuleOptionSpecs;

describe('rule option specs (src/core/lint/option-specs.ts)', () => {
  const valid: Record<string, unknown>[] = [{}, { threshold: 0 }, { threshold: 100, ratio: 0.5 }, { columns: 'org_id' }, { columns: ['a', 'b'] }, { roles: [] }, { roles: 'admin' }];
  for (const options of valid) {
    it(`accepts ${JSON.stringify(options)}`, () => assert.equal(optionSpecsProblem('r', SPECS, options), undefined));
  }

  const invalid: [Record<string, unknown>, string, string][] = [
    [{ threshold: -1 }, 'threshold', 'must be a whole number ≥ 0, got -1'],
    [{ threshold: 1.5 }, 'threshold', 'must be a whole number ≥ 0, got 1.5'],
    [{ threshold: '50' }, 'threshold', 'must be a whole number ≥ 0, got "50"'],
    [{ ratio: 0.1 }, 'ratio', 'must be a number ≥ 0.5, got 0.1'],
    [{ ratio: null }, 'ratio', 'must be a number ≥ 0.5, got null'],
    [{ treshold: 50 }, 'treshold', 'is not an option of r (threshold, ratio, columns, roles)'],
    [{ columns: [] }, 'columns', 'must be a name or a non-empty list of names, got []'],
    [{ columns: '' }, 'columns', 'must be a non-empty name or a list of names, got ""'],
    [{ columns: ['a', 3] }, 'columns', 'must be a list of non-empty names; item 1 is 3'],
    [{ roles: {} }, 'roles', 'must be a name or a list of names, got {}'],
  ];
  for (const [options, path, problem] of invalid) {
    it(`reports ${path} in ${JSON.stringify(options)}`, () => assert.deepEqual(optionSpecsProblem('r', SPECS, options), { path, problem }));
  }

  it('gives the rule the configured value when valid, the default otherwise (a config built in code)', () => {
    assert.equal(ruleOption({ threshold: 7 }, 'threshold', SPECS.threshold), 7);
    assert.equal(ruleOption({ threshold: -7 }, 'threshold', SPECS.threshold), 50);
    assert.equal(ruleOption({}, 'threshold', SPECS.threshold), 50);
    assert.deepEqual(ruleOption({ columns: 'org_id' }, 'columns', SPECS.columns), ['org_id']);
    assert.deepEqual(ruleOption({ columns: [] }, 'columns', SPECS.columns), ['tenant_id']);
    assert.deepEqual(ruleOption({ roles: [] }, 'roles', SPECS.roles), []);
  });

  it('holds the generated list (rule-option-specs.ts) equal to the options the rules declare', () => {
    const declared = Object.fromEntries(rules.filter((r) => r.options).map((r) => [r.id, JSON.parse(JSON.stringify(r.options))]));
    assert.deepEqual(JSON.parse(JSON.stringify(LINT_RULE_OPTION_SPECS)), declared);
    assert.ok(Object.keys(declared).length >= 4, `rules with declared options: ${Object.keys(declared).join(', ')}`);
  });
});

describe('lint rule options, checked when .pglens.json is read', () => {
  const read = (id: string, options: unknown) => parseConfig({ rules: { [id]: ['warning', options] } }, '/w/.pglens.json');
  const valid: [string, Record<string, unknown>][] = [
    ['large-in-list', { threshold: 100 }],
    ['offset-pagination', { threshold: 5000 }],
    ['tenant-table-without-rls', { tenantColumn: ['organizationId', 'workspace_id'] }],
    ['tenant-table-without-rls', { tenantColumn: 'account_id' }],
    ['rls-policy-always-true', { adminRoles: ['service_role', 'app_internal'] }],
    ['rls-policy-always-true', { adminRoles: [] }],
  ];
  for (const [id, options] of valid) {
    it(`accepts ${id} ${JSON.stringify(options)}`, () => assert.deepEqual(read(id, options).rules[id], { severity: 'warning', options }));
  }
  const invalid: [string, unknown, string, string][] = [
    ['large-in-list', { threshold: -1 }, 'rules.large-in-list[1].threshold', 'must be a whole number ≥ 0, got -1'],
    ['offset-pagination', { threshold: '1000' }, 'rules.offset-pagination[1].threshold', 'must be a whole number ≥ 0, got "1000"'],
    ['offset-pagination', { limit: 10 }, 'rules.offset-pagination[1].limit', 'is not an option of offset-pagination (threshold)'],
    ['tenant-table-without-rls', { tenantColumns: ['org_id'] }, 'rules.tenant-table-without-rls[1].tenantColumns', 'is not an option of tenant-table-without-rls (tenantColumn)'],
    ['tenant-table-without-rls', { tenantColumn: 3 }, 'rules.tenant-table-without-rls[1].tenantColumn', 'must be a name or a non-empty list of names, got 3'],
    ['select-star', { threshold: 1 }, 'rules.select-star[1].threshold', 'is not an option of select-star (it has none)'],
    ['missing-primary-key', { foo: 1 }, 'rules.missing-primary-key[1].foo', 'is not an option of missing-primary-key (it has none)'],
    ['misestimate', { minFactor: 5 }, 'rules.misestimate[1].minFactor', 'is not an option of misestimate (it has none)'],
    ['misestimate', { '': 5 }, 'rules.misestimate[1][""]', 'is not an option of misestimate (it has none)'],
    ['large-in-list', { threshold: 1e400 }, 'rules.large-in-list[1].threshold', 'must be a whole number ≥ 0, got Infinity'],
    ['rls-policy-always-true', { adminRoles: [''] }, 'rules.rls-policy-always-true[1].adminRoles', 'must be a list of non-empty names; item 0 is ""'],
  ];
  for (const [id, options, key, problem] of invalid) {
    it(`reports ${key} in ${JSON.stringify(options)}`, () => {
      assert.throws(
        () => read(id, options),
        (e: unknown) =>
          e instanceof PglensError && e.code === 'bad-input' && e.message.startsWith(`/w/.pglens.json: "${key}" ${problem} — `) && e.message.includes(`(see docs/rules/${id}.md)`),
      );
    });
  }
});
