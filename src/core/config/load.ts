import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PglensError } from '../errors';
import type { SeveritySetting } from '../types';
import { ALL_RULE_IDS } from '../lint/rule-ids';
import { ruleOptionsProblem } from '../lint/rule-options';
import { RUNNER_IDS, type RunnerId } from '../migrations/migration';
import { parseDataSetting } from '../sandbox-data/settings';
import { CONFIG_FILE_NAME, defaultConfig, type PglensConfig } from './config';
import { parsePlanSection } from './plan-section';
import { configProblem as bad, isObject } from './problems';

/**
 * The one `.pglens.json` loader, used by the CLI, the editor (src/extension/workspace-config.ts)
 * and core's own readers: every section is checked here, and a problem is a PglensError naming
 * the file and the key's path.
 */

const SEVERITIES: readonly string[] = ['error', 'warning', 'info', 'off'];
/** Keys of each object the validator accepts (the schema lists the same: test/unit/config/schema.test.ts). */
export const TOP_LEVEL_KEYS = ['$schema', 'rules', 'exclude', 'postgresVersion', 'migrations', 'plan', 'sandbox', 'appCode'] as const;
export const MIGRATION_KEYS = ['path', 'transactional', 'runner'] as const;
export const SANDBOX_KEYS = ['setup', 'data'] as const;
export const APP_CODE_KEYS = ['skip'] as const;

const TOP_KEYS = new Set<string>(TOP_LEVEL_KEYS);

/** Validates a parsed config object; every problem names the file and the key. */
export function parseConfig(value: unknown, file: string): PglensConfig {
  const config = defaultConfig(dirname(resolve(file)));
  config.file = file;
  if (!isObject(value)) throw bad(file, '(root)', 'must be a JSON object');
  for (const key of Object.keys(value)) {
    if (!TOP_KEYS.has(key)) throw bad(file, key, `is not a known setting (known: ${[...TOP_KEYS].filter((k) => k !== '$schema').join(', ')})`);
  }
  if (value.rules !== undefined) {
    if (!isObject(value.rules)) throw bad(file, 'rules', 'must be an object of rule id → severity');
    for (const [id, setting] of Object.entries(value.rules)) {
      const key = `rules.${id}`;
      if (!ALL_RULE_IDS.has(id)) throw bad(file, key, 'is not a pglens rule id (see docs/rules/)');
      if (typeof setting === 'string') {
        if (!SEVERITIES.includes(setting)) throw bad(file, key, `must be one of ${SEVERITIES.join(', ')}, got "${setting}"`);
        config.rules[id] = { severity: setting as SeveritySetting, options: {} };
      } else if (Array.isArray(setting) && setting.length >= 1 && setting.length <= 2) {
        const [severity, options] = setting;
        if (typeof severity !== 'string' || !SEVERITIES.includes(severity)) {
          throw bad(file, key, `must start with one of ${SEVERITIES.join(', ')}`);
        }
        if (options !== undefined && !isObject(options)) throw bad(file, key, 'options (second item) must be an object');
        config.rules[id] = { severity: severity as SeveritySetting, options: (options as Record<string, unknown>) ?? {} };
        const problem = ruleOptionsProblem(id, config.rules[id].options);
        if (problem) throw bad(file, `${key}[1]${/^[\w$][\w$.[\]-]*$/.test(problem.path) ? `.${problem.path}` : `[${JSON.stringify(problem.path)}]`}`, problem.problem, `docs/rules/${id}.md`);
      } else {
        throw bad(file, key, 'must be a severity ("error", "warning", "info", "off") or [severity, {options}]');
      }
    }
  }
  if (value.exclude !== undefined) {
    if (!Array.isArray(value.exclude) || value.exclude.some((g) => typeof g !== 'string')) throw bad(file, 'exclude', 'must be an array of glob strings');
    config.exclude = value.exclude as string[];
  }
  if (value.postgresVersion !== undefined) {
    const v = value.postgresVersion;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 9 || v > 30) throw bad(file, 'postgresVersion', `must be a major version number such as 15, got ${JSON.stringify(v)}`);
    config.postgresVersion = v;
  }
  if (value.migrations !== undefined) {
    if (!Array.isArray(value.migrations)) throw bad(file, 'migrations', 'must be an array of { "path": glob, "transactional": boolean, "runner": name }');
    config.migrations = value.migrations.map((m, i) => {
      const key = `migrations[${i}]`;
      if (!isObject(m) || typeof m.path !== 'string') throw bad(file, key, 'must be { "path": glob, "transactional": boolean, "runner": name }');
      if (m.transactional !== undefined && typeof m.transactional !== 'boolean') throw bad(file, `${key}.transactional`, 'must be true or false');
      if (m.runner !== undefined && !RUNNER_IDS.includes(m.runner as RunnerId)) throw bad(file, `${key}.runner`, `must be one of ${RUNNER_IDS.join(', ')}`);
      for (const k of Object.keys(m)) if (!(MIGRATION_KEYS as readonly string[]).includes(k)) throw bad(file, `${key}.${k}`, 'is not a known setting (path, transactional, runner)');
      return {
        path: m.path,
        ...(m.transactional !== undefined && { transactional: m.transactional as boolean }),
        ...(m.runner !== undefined && { runner: m.runner as RunnerId }),
      };
    });
  }
  if (value.plan !== undefined) config.plan = parsePlanSection(value.plan, file);
  if (value.sandbox !== undefined) {
    if (!isObject(value.sandbox)) throw bad(file, 'sandbox', 'must be an object like { "setup": "db/setup.sql" }');
    for (const k of Object.keys(value.sandbox)) if (!(SANDBOX_KEYS as readonly string[]).includes(k)) throw bad(file, `sandbox.${k}`, 'is not a known setting (setup, data)');
    const setup = value.sandbox.setup;
    if (setup !== undefined && (typeof setup !== 'string' || setup.trim() === '')) throw bad(file, 'sandbox.setup', 'must be the path of a SQL file, relative to this config file');
    config.sandbox = {
      ...(setup !== undefined && { setup: resolve(config.root, setup as string) }),
      ...(value.sandbox.data !== undefined && { data: parseDataSetting(value.sandbox.data, file, config.root) }),
    };
  }
  if (value.appCode !== undefined) {
    if (!isObject(value.appCode)) throw bad(file, 'appCode', 'must be an object like { "skip": ["**/generated"] }');
    for (const k of Object.keys(value.appCode)) if (!(APP_CODE_KEYS as readonly string[]).includes(k)) throw bad(file, `appCode.${k}`, 'is not a known setting (skip)');
    const skip = value.appCode.skip;
    if (skip !== undefined && (!Array.isArray(skip) || skip.some((g) => typeof g !== 'string'))) throw bad(file, 'appCode.skip', 'must be an array of glob strings');
    config.appCode = { ...(skip !== undefined && { skip: skip as string[] }) };
  }
  return config;
}

export function readConfigFile(file: string): PglensConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PglensError('bad-input', `cannot read config ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 'check the --config path');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new PglensError('bad-input', `${file} is not valid JSON: ${(e as Error).message}`, 'fix the JSON syntax');
  }
  return parseConfig(value, file);
}

/** The nearest `.pglens.json` in `start`'s folder or above it. */
export function findConfigFile(start: string): string | undefined {
  let dir = resolve(start);
  try {
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
  } catch {
    dir = dirname(dir);
  }
  for (;;) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The config for a linted path: `explicitFile` (`--config`) if given, else the nearest `.pglens.json`, else defaults. */
export function loadConfig(start: string, explicitFile?: string): PglensConfig {
  if (explicitFile) return readConfigFile(explicitFile);
  const found = findConfigFile(start);
  if (found) return readConfigFile(found);
  let root = resolve(start);
  try {
    if (!statSync(root).isDirectory()) root = dirname(root);
  } catch {
    root = dirname(root);
  }
  return defaultConfig(root);
}
