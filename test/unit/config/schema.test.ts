import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_CODE_KEYS, MIGRATION_KEYS, SANDBOX_KEYS, TOP_LEVEL_KEYS } from '../../../src/core/config/load';
import { PLAN_SETTING_KEYS } from '../../../src/core/config/plan-section';
import { RUNNER_IDS } from '../../../src/core/migrations/migration';
import { SANDBOX_DATA_KEYS } from '../../../src/core/sandbox-data/settings';

/**
 * The schema shipped for editors (schemas/pglens-config.schema.json) and the validator
 * (src/core/config) accept the same keys, so neither can drift from the other. The rule ids
 * under "rules" are checked in test/unit/lint/config.test.ts.
 */
describe('schemas/pglens-config.schema.json agrees with the config validator', () => {
  const schema = JSON.parse(readFileSync(join(__dirname, '../../../schemas/pglens-config.schema.json'), 'utf8'));
  const keys = (o: { properties: Record<string, unknown> }) => Object.keys(o.properties).sort();
  const sorted = (list: readonly string[]) => [...list].sort();

  it('top level: the same keys, nothing else allowed', () => {
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(keys(schema), sorted(TOP_LEVEL_KEYS));
  });

  it('plan: the same threshold keys, each a number ≥ 0, nothing else allowed', () => {
    const plan = schema.properties.plan;
    assert.equal(plan.additionalProperties, false);
    assert.deepEqual(keys(plan), sorted(PLAN_SETTING_KEYS));
    for (const [key, value] of Object.entries(plan.properties as Record<string, { type: string; minimum: number; maximum?: number }>)) {
      assert.deepEqual([key, value.type, value.minimum, value.maximum], [key, 'number', 0, undefined]);
    }
  });

  it('sandbox and sandbox.data: the same keys, nothing else allowed', () => {
    const sandbox = schema.properties.sandbox;
    assert.equal(sandbox.additionalProperties, false);
    assert.deepEqual(keys(sandbox), sorted(SANDBOX_KEYS));
    const data = (sandbox.properties.data.oneOf as Array<{ type: string; properties?: Record<string, unknown>; additionalProperties?: boolean }>).find((o) => o.type === 'object');
    assert.ok(data);
    assert.equal(data.additionalProperties, false);
    assert.deepEqual(keys(data as { properties: Record<string, unknown> }), sorted(SANDBOX_DATA_KEYS));
  });

  it('migrations[] and appCode: the same keys and runner names, nothing else allowed', () => {
    const item = schema.properties.migrations.items;
    assert.equal(item.additionalProperties, false);
    assert.deepEqual(keys(item), sorted(MIGRATION_KEYS));
    assert.deepEqual(item.properties.runner.enum, [...RUNNER_IDS]);
    const appCode = schema.properties.appCode;
    assert.equal(appCode.additionalProperties, false);
    assert.deepEqual(keys(appCode), sorted(APP_CODE_KEYS));
  });
});
