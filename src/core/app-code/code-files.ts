import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { matchesGlob } from '../glob';
import type { PglensConfig } from '../config';

/** Extensions read as application code. */
export const CODE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'] as const;

/** A TypeScript/JavaScript source file (declaration files are types only: no queries run there). */
export function isCodeFile(file: string): boolean {
  const lower = file.toLowerCase();
  return CODE_EXTENSIONS.some((e) => lower.endsWith(e)) && !/\.d\.[mc]?ts$/.test(lower);
}

/** Generated and vendored code: never read unless `.pglens.json` `appCode.skip` says otherwise. */
export const DEFAULT_CODE_SKIP: readonly string[] = [
  '**/node_modules',
  '**/dist',
  '**/.next',
  '**/.nuxt',
  '**/.svelte-kit',
  '**/.git',
  '**/coverage',
  '**/*.d.ts',
  '**/*.min.js',
  '**/prisma/generated',
  '**/generated/prisma',
];

/** Files above this size are skipped with a note: generated bundles, fixtures, not code a person edits. */
export const MAX_CODE_FILE_CHARS = 1_000_000;

function skipGlobs(config: PglensConfig): readonly string[] {
  return config.appCode?.skip ?? DEFAULT_CODE_SKIP;
}

function relativeToRoot(config: PglensConfig, file: string): string {
  const rel = path.relative(config.root, path.resolve(config.root, file));
  const shown = rel.startsWith('..') ? path.resolve(file) : rel;
  return shown.split(path.sep).join('/');
}

/** Whether a code file (or a folder of them) is skipped by `appCode.skip` (or the defaults). */
export function isSkippedCode(config: PglensConfig, file: string): boolean {
  const rel = relativeToRoot(config, file);
  return skipGlobs(config).some((g) => matchesGlob(rel, g));
}

/** Every code file under a folder that is not skipped, in path order; skipped folders are not entered. */
export function codeFilesUnder(dir: string, config: PglensConfig): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (!isSkippedCode(config, full)) visit(full);
      } else if (isCodeFile(entry.name) && (entry.isFile() || isFile(full)) && !isSkippedCode(config, full)) out.push(full);
    }
  };
  visit(dir);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** A reason to leave a file unread (too large, minified), or undefined. */
export function tooLargeReason(text: string): string | undefined {
  if (text.length > MAX_CODE_FILE_CHARS) return `larger than ${MAX_CODE_FILE_CHARS / 1_000_000} MB`;
  // Minified output: few, very long lines. A person does not edit it; its source is linted instead.
  if (text.length > 100_000) {
    let lines = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
    if (text.length / lines > 1_000) return 'minified (lines average over 1,000 characters)';
  }
  return undefined;
}
