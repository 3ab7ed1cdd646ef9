import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Severity, SeveritySetting } from '../types';
import { matchesGlob } from '../glob';
import type { RunnerId } from '../migrations/migration';
import type { PlanThresholds } from '../plan/types';
import type { SandboxDataSettings } from '../sandbox-data/settings';

/** `.pglens.json`: one file read identically by the CLI and the editor (loader: `load.ts`). */
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

/**
 * The whole project's configuration, as read from `.pglens.json` by `loadConfig` (`load.ts`):
 * lint reads `rules`/`exclude`/`migrations`/`postgresVersion`, the plan analyser `plan` (and
 * `rules` for plan rule ids), health and the advisor `rules`, the sandbox `sandbox`, the
 * app-code reader `appCode`.
 */
export interface PglensConfig {
  /** Per-rule overrides; rules not listed keep their default severity. */
  rules: Record<string, RuleSetting>;
  exclude: string[];
  postgresVersion: number;
  migrations: MigrationFolderSetting[];
  /** Plan thresholds (keys of PlanThresholds), checked when read (`plan-section.ts`). */
  plan: Partial<PlanThresholds>;
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

export function defaultConfig(root = process.cwd()): PglensConfig {
  return { rules: {}, exclude: [], postgresVersion: DEFAULT_POSTGRES_VERSION, migrations: [], plan: {}, root };
}

/** `file` relative to the config root, '/'-separated; absolute paths outside the root stay absolute. */
function relativePath(config: PglensConfig, file: string): string {
  const abs = isAbsolute(file) ? file : resolve(config.root, file);
  const rel = relative(config.root, abs);
  const path = rel.startsWith('..') ? abs : rel;
  return sep === '/' ? path : path.split(sep).join('/');
}

export function isExcluded(config: PglensConfig, file: string): boolean {
  if (config.exclude.length === 0) return false;
  const rel = relativePath(config, file);
  return config.exclude.some((g) => matchesGlob(rel, g));
}

const PRISMA_MIGRATION = /(^|\/)migrations\/[^/]+\/migration\.sql$/;

/** Whether the migration runner wraps `file` in a transaction: the first matching `migrations` entry, else true for Prisma migration folders. */
export function isTransactionalFile(config: PglensConfig, file: string): boolean {
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
export function ruleSetting(config: PglensConfig, id: string, defaultSeverity: SeveritySetting): ResolvedRuleSetting | undefined {
  const override = config.rules[id];
  const severity = override?.severity ?? defaultSeverity;
  if (severity === 'off') return undefined;
  return { severity, options: override?.options ?? {} };
}
