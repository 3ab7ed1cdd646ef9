import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** A folder of migrations as the runner formats read it: its candidate files, and side files on disk. */
export interface MigrationFolder {
  /** Relative to the workspace root ('' for the root itself), '/'-separated. */
  rel: string;
  /** Absolute path. */
  dir: string;
  /** Candidate migration files, relative to the folder, '/'-separated, by code point. */
  files: string[];
  /** Text of a folder file (read once). */
  read(file: string): string;
  /** Text of a side file (journal, metadata.toml, sqitch.plan, a .conf), or undefined when absent. */
  readOptional(file: string): string | undefined;
  /** A folder file's path relative to the workspace root, for MigrationPart.file. */
  path(file: string): string;
}

/**
 * `readText`, when given, reads a file (relative to the workspace root) first: the editor's
 * unsaved documents, the CLI's checked reads. It returns undefined to fall back to the disk.
 */
export function createFolder(workspaceRoot: string, rel: string, files: string[], readText?: (file: string) => string | undefined): MigrationFolder {
  const dir = path.join(workspaceRoot, ...rel.split('/').filter(Boolean));
  const texts = new Map<string, string | undefined>();
  const readOptional = (file: string): string | undefined => {
    if (!texts.has(file)) {
      const given = readText?.(rel ? `${rel}/${file}` : file);
      if (given !== undefined) {
        texts.set(file, given);
        return given;
      }
      const abs = path.join(dir, ...file.split('/'));
      let text: string | undefined;
      try {
        text = existsSync(abs) && statSync(abs).isFile() ? readFileSync(abs, 'utf8') : undefined;
      } catch {
        text = undefined;
      }
      texts.set(file, text);
    }
    return texts.get(file);
  };
  return {
    rel,
    dir,
    files: [...files].sort(compareCodePoints),
    read: (file) => readOptional(file) ?? '',
    readOptional,
    path: (file) => (rel ? `${rel}/${file}` : file),
  };
}

export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares digit strings as numbers of any length (versions overflow 2^53: 20260818090123…). */
export function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  return x.length !== y.length ? x.length - y.length : compareCodePoints(x, y);
}

export function baseName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

export function dirName(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '' : file.slice(0, i);
}

export function joinRel(dir: string, file: string): string {
  const parts: string[] = dir ? dir.split('/') : [];
  for (const p of file.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}
