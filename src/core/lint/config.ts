import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PglensError } from '../errors';
import type { Severity, SeveritySetting } from '../types';
import { matchesGlob } from '../glob';
import { ALL_RULE_IDS } from './rule-ids';
import { ruleOptionsProblem } from './rule-options';
import { RUNNER_IDS, type RunnerId } from '../migrations/migration';
import { parseDataSetting, type SandboxDataSettings } from '../sandbox-data/settings';

/** `.pglens.json`: one file read identically by the CLI and the editor. */
export const CONFIG_FILE_NAME = '.pglens.json';

export interface RuleSetting {
  severity: SeveritySetting;
  options: Record<string, unknown>;
}

export interface MigrationFolderSetting {
  /** Glob relative to the config file's folder; matches a file or any folder above it. */
  path: string;
  /** The runner wraps each file in a transaction (Prisma does); unset, the lint assumes it does and the runner model follows the runner. */
  transactional?: boolean;
  /** Forces the runner instead of detecting it (see src/core/migrations). */
  runner?: RunnerId;
}

export interface LintConfig {
  /** Per-rule overrides; rules not listed keep their default severity. */
  rules: Record<string, RuleSetting>;
  exclude: string[];
  postgresVersion: number;
  migrations: MigrationFolderSetting[];
  /** Plan settings (thresholds), owned by the plan analyser. */
  plan: Record<string, unknown>;
  /**
   * The embedded database pglens builds from the migrations. `setup`: a SQL file (absolute
   * once read) run before the first migration, for what the migrations need from outside the
   * folder (roles, schemas another tool creates); used by `pglens migrations verify`.
   * `data`: what the sandbox is filled with after the migrations (src/core/sandbox-data/settings.ts).
   */
  sandbox?: { setup?: string; data?: SandboxDataSettings };
  /**
   * Application code (TypeScript/JavaScript) pglens reads for N+1 queries and SQL templates.
   * `skip`: globs of code files and folders never read; given, it replaces the default list
   * (src/core/app-code/code-files.ts DEFAULT_CODE_SKIP: node_modules, dist, .next, *.d.ts, …).
   */
  appCode?: { skip?: string[] };
  /** Folder globs are relative to: the config file's folder (or the folder linted, without one). */
  root: string;
  /** The file this came from, when any. */
  file?: string;
}

export const DEFAULT_POSTGRES_VERSION = 15;

export function defaultConfig(root = process.cwd()): LintConfig {
  return { rules: {}, exclude: [], postgresVersion: DEFAULT_POSTGRES_VERSION, migrations: [], plan: {}, root };
}

const SEVERITIES: readonly string[] = ['error', 'warning', 'info', 'off'];
const TOP_KEYS = new Set(['$schema', 'rules', 'exclude', 'postgresVersion', 'migrations', 'plan', 'sandbox', 'appCode']);

function bad(file: string, key: string, problem: string): PglensError {
  return new PglensError('bad-input', `${file}: "${key}" ${problem}`, `fix "${key}" in ${file} (see schemas/pglens-config.schema.json)`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates a parsed config object; every problem names the file and the key. */
export function parseConfig(value: unknown, file: string): LintConfig {
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
        if (problem) throw bad(file, `${key}[1].${problem.path}`, problem.problem);
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
      for (const k of Object.keys(m)) if (k !== 'path' && k !== 'transactional' && k !== 'runner') throw bad(file, `${key}.${k}`, 'is not a known setting (path, transactional, runner)');
      return {
        path: m.path,
        ...(m.transactional !== undefined && { transactional: m.transactional as boolean }),
        ...(m.runner !== undefined && { runner: m.runner as RunnerId }),
      };
    });
  }
  if (value.plan !== undefined) {
    if (!isObject(value.plan)) throw bad(file, 'plan', 'must be an object');
    config.plan = value.plan;
  }
  if (value.sandbox !== undefined) {
    if (!isObject(value.sandbox)) throw bad(file, 'sandbox', 'must be an object like { "setup": "db/setup.sql" }');
    for (const k of Object.keys(value.sandbox)) if (k !== 'setup' && k !== 'data') throw bad(file, `sandbox.${k}`, 'is not a known setting (setup, data)');
    const setup = value.sandbox.setup;
    if (setup !== undefined && (typeof setup !== 'string' || setup.trim() === '')) throw bad(file, 'sandbox.setup', 'must be the path of a SQL file, relative to this config file');
    config.sandbox = {
      ...(setup !== undefined && { setup: resolve(config.root, setup as string) }),
      ...(value.sandbox.data !== undefined && { data: parseDataSetting(value.sandbox.data, file, config.root) }),
    };
  }
  if (value.appCode !== undefined) {
    if (!isObject(value.appCode)) throw bad(file, 'appCode', 'must be an object like { "skip": ["**/generated"] }');
    for (const k of Object.keys(value.appCode)) if (k !== 'skip') throw bad(file, `appCode.${k}`, 'is not a known setting (skip)');
    const skip = value.appCode.skip;
    if (skip !== undefined && (!Array.isArray(skip) || skip.some((g) => typeof g !== 'string'))) throw bad(file, 'appCode.skip', 'must be an array of glob strings');
    config.appCode = { ...(skip !== undefined && { skip: skip as string[] }) };
  }
  return config;
}

export function readConfigFile(file: string): LintConfig {
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
export function loadConfig(start: string, explicitFile?: string): LintConfig {
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

/** `file` relative to the config root, '/'-separated; absolute paths outside the root stay absolute. */
function relativePath(config: LintConfig, file: string): string {
  const abs = isAbsolute(file) ? file : resolve(config.root, file);
  const rel = relative(config.root, abs);
  const path = rel.startsWith('..') ? abs : rel;
  return sep === '/' ? path : path.split(sep).join('/');
}

export function isExcluded(config: LintConfig, file: string): boolean {
  if (config.exclude.length === 0) return false;
  const rel = relativePath(config, file);
  return config.exclude.some((g) => matchesGlob(rel, g));
}

const PRISMA_MIGRATION = /(^|\/)migrations\/[^/]+\/migration\.sql$/;

/** Whether the migration runner wraps `file` in a transaction: the first matching `migrations` entry, else true for Prisma migration folders. */
export function isTransactionalFile(config: LintConfig, file: string): boolean {
  const rel = relativePath(config, file);
  for (const m of config.migrations) if (matchesGlob(rel, m.path)) return m.transactional ?? true;
  // Judged on the whole path: the linted folder may itself be `…/migrations`.
  const abs = isAbsolute(file) ? file : resolve(config.root, file);
  return PRISMA_MIGRATION.test(sep === '/' ? abs : abs.split(sep).join('/'));
}

export interface ResolvedRuleSetting {
  severity: Severity;
  options: Record<string, unknown>;
}

/** Effective severity and options of a rule; undefined when it is off. */
export function ruleSetting(config: LintConfig, id: string, defaultSeverity: SeveritySetting): ResolvedRuleSetting | undefined {
  const override = config.rules[id];
  const severity = override?.severity ?? defaultSeverity;
  if (severity === 'off') return undefined;
  return { severity, options: override?.options ?? {} };
}
