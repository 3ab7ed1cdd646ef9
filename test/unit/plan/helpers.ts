import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The repository root (the folder with package.json), whether tests run from test/ or compiled out/test/. */
function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

export const ROOT = repoRoot();
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'plans');

export function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixture(name));
}

/** Preorder list of the raw JSON plan nodes of a FORMAT JSON fixture. */
export function rawNodes(name: string): Record<string, unknown>[] {
  const top = (fixtureJson(name) as Record<string, unknown>[])[0];
  const out: Record<string, unknown>[] = [];
  const walk = (n: Record<string, unknown>) => {
    out.push(n);
    for (const c of (n.Plans as Record<string, unknown>[] | undefined) ?? []) walk(c);
  };
  walk(top.Plan as Record<string, unknown>);
  return out;
}
