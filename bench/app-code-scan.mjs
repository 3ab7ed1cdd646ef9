#!/usr/bin/env node
// Application-code scan speed (src/core/app-code): a whole-repo static scan of 2,000 generated
// TypeScript files (a third each: database services, React components, utilities) (N+1 analysis + SQL template lint, as `pglens lint src/` runs it), and the
// editor's re-check of one edited 1,000-line file. Targets: scan ≤ 10 s, re-check ≤ 50 ms (median).
//
//   node bench/app-code-scan.mjs [--files N] [--keep]
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRequire = createRequire(join(root, 'package.json'));
const args = process.argv.slice(2);
const FILES = Number(args[args.indexOf('--files') + 1]) || 2000;
const SCAN_TARGET_MS = 10_000;
const RECHECK_TARGET_MS = 50;
const EDITS = 20;

/** The core, compiled as the CLI and the extension ship it (not through a TypeScript loader). */
async function loadCore() {
  const outfile = join(mkdtempSync(join(tmpdir(), 'pglens-bench-')), 'app-code.cjs');
  await build({
    stdin: {
      contents: [
        "export { lintCodeFile } from './src/core/app-code/lint-code-file';",
        "export { codeFilesUnder } from './src/core/app-code/code-files';",
        "export { PrismaModelCache } from './src/core/app-code/prisma-models';",
        "export { defaultConfig } from './src/core/config';",
        "export { loadSqlParser } from './src/core/sql/parse';",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'error',
    plugins: [{ name: 'externals', setup: (b) => b.onResolve({ filter: /^(libpg-query|@mrleebo\/prisma-ast|chevrotain)(\/|$)/ }, (a) => ({ path: repoRequire.resolve(a.path), external: true })) }],
  });
  return repoRequire(outfile);
}

/** One service module of a typical ORM codebase: a class, helpers, loops (some N+1), SQL templates, types. */
function serviceModule(i, blocks) {
  const parts = [
    "import { PrismaClient, Prisma } from '@prisma/client';",
    "import { Pool } from 'pg';",
    "import postgres from 'postgres';",
    `import type { Ctx${i} } from './types';`,
    '',
    'const prisma = new PrismaClient();',
    'const pool = new Pool();',
    'const sql = postgres();',
    '',
    `export interface Row${i} { id: number; ownerId: number; name: string; tags?: string[] }`,
    `type Mapper${i}<T extends Row${i}> = (row: T, index: number) => Promise<Partial<T>>;`,
    '',
  ];
  for (let b = 0; b < blocks; b++) {
    const n = `${i}_${b}`;
    parts.push(
      `/** Block ${n}: loads, maps and saves. */`,
      `export class Service${n} {`,
      `  private readonly cache = new Map<number, Row${i}>();`,
      `  constructor(private readonly ctx: Ctx${i}) {}`,
      '',
      `  async owners(rows: Row${i}[]): Promise<unknown[]> {`,
      '    const out: unknown[] = [];',
      '    for (const row of rows) {',
      b % 3 === 0 ? '      out.push(await prisma.user.findUnique({ where: { id: row.ownerId } }));' : '      out.push(this.cache.get(row.ownerId) ?? null);',
      '    }',
      '    return out;',
      '  }',
      '',
      `  async search(term: string, limit = 20): Promise<Row${i}[]> {`,
      `    const rows = await sql<Row${i}[]>\`SELECT id, owner_id AS "ownerId", name FROM items_${b} WHERE name ILIKE \${term + '%'} ORDER BY id LIMIT \${limit}\`;`,
      '    return rows.filter((r) => r.name.length > 0).map((r) => ({ ...r, tags: r.tags ?? [] }));',
      '  }',
      '',
      `  async totals(ids: number[]) {`,
      b % 4 === 1
        ? "    return Promise.all(ids.map(async (id) => (await pool.query('SELECT sum(amount) AS total FROM payments WHERE order_id = $1', [id])).rows[0]));"
        : "    return (await pool.query('SELECT order_id, sum(amount) AS total FROM payments WHERE order_id = ANY($1) GROUP BY order_id', [ids])).rows;",
      '  }',
      '',
      `  async apply<T extends Row${i}>(rows: T[], map: Mapper${i}<T>): Promise<Array<Partial<T>>> {`,
      '    const result: Array<Partial<T>> = [];',
      '    for (let k = 0; k < rows.length; k++) {',
      '      const mapped = await map(rows[k], k);',
      "      if (mapped && typeof mapped === 'object') result.push({ ...mapped, name: String(mapped.name ?? '').trim() });",
      '    }',
      '    return result;',
      '  }',
      '}',
      '',
      `export async function save${n}(rows: Row${i}[]) {`,
      '  await prisma.$transaction(async (tx) => {',
      `    const created = await tx.batch.create({ data: { size: rows.length, label: \`batch ${n}\` } });`,
      `    await tx.item.createMany({ data: rows.map((r) => ({ batchId: created.id, name: r.name, ownerId: r.ownerId })) });`,
      '  });',
      `  const where: Prisma.ItemWhereInput = { OR: rows.map((r) => ({ name: { startsWith: r.name.slice(0, 3) } })) };`,
      '  return prisma.item.count({ where });',
      '}',
      '',
    );
  }
  return parts.join('\n');
}

/** A React component module (a third of the files; half of them Next.js client components). */
function componentModule(i) {
  return [
    ...(i % 2 ? ["'use client';", ''] : []),
    "import { useMemo, useState } from 'react';",
    `import { formatDate${i % 7} } from '../lib/format';`,
    '',
    `export interface Item${i} { id: string; title: string; createdAt: Date; tags: string[] }`,
    '',
    `export function List${i}({ items, onPick }: { items: Item${i}[]; onPick(id: string): void }) {`,
    "  const [filter, setFilter] = useState('');",
    '  const shown = useMemo(() => items.filter((it) => it.title.toLowerCase().includes(filter.toLowerCase())), [items, filter]);',
    '  return (',
    '    <section className="list">',
    '      <input value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Filter" />',
    '      <ul>',
    '        {shown.map((item) => (',
    '          <li key={item.id} onClick={() => onPick(item.id)}>',
    `            <strong>{item.title}</strong> <time>{formatDate${i % 7}(item.createdAt)}</time>`,
    '            {item.tags.map((t) => <span key={t} className="tag">{t}</span>)}',
    '          </li>',
    '        ))}',
    '      </ul>',
    '    </section>',
    '  );',
    '}',
    '',
  ].join('\n');
}

/** A utility module: pure functions, generics, loops (a third of the files). */
function utilModule(i) {
  const out = [`export type Grouped${i}<T> = Record<string, T[]>;`, ''];
  for (let k = 0; k < 6; k++) {
    out.push(
      `export function groupBy${k}<T>(items: readonly T[], key: (item: T) => string): Grouped${i}<T> {`,
      `  const out: Grouped${i}<T> = {};`,
      '  for (const item of items) (out[key(item)] ??= []).push(item);',
      '  return out;',
      '}',
      '',
      `export const slug${k} = (s: string): string => s.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');`,
      '',
    );
  }
  return out.join('\n');
}

const blocksFor = (i) => 3 + (i % 5);
/** A monorepo's mix: database services, React components, utilities. */
const KINDS = ['service', 'component', 'util'];
const dir = mkdtempSync(join(tmpdir(), 'pglens-app-code-bench-'));
let lines = 0;
for (let i = 0; i < FILES; i++) {
  const sub = join(dir, 'src', `mod${Math.floor(i / 100)}`);
  if (i % 100 === 0) mkdirSync(sub, { recursive: true });
  const kind = KINDS[i % 3];
  const text = kind === 'service' ? serviceModule(i, blocksFor(i)) : kind === 'component' ? componentModule(i) : utilModule(i);
  lines += text.split('\n').length;
  writeFileSync(join(sub, `${kind}${i}.${kind === 'component' ? 'tsx' : 'ts'}`), text);
}
// Generated code a scan must not read.
mkdirSync(join(dir, 'node_modules', 'big'), { recursive: true });
writeFileSync(join(dir, 'node_modules', 'big', 'index.js'), serviceModule(0, 50));

const core = await loadCore();
await core.loadSqlParser();
const config = core.defaultConfig(dir);

let t = performance.now();
const files = core.codeFilesUnder(dir, config);
let findings = 0;
let n1 = 0;
const prisma = new core.PrismaModelCache();
const perKind = Object.fromEntries(KINDS.map((k) => [k, { files: 0, ms: 0 }]));
for (const f of files) {
  const started = performance.now();
  const result = core.lintCodeFile(f, readFileSync(f, 'utf8'), config, { prisma: prisma.forCodeFile(f), cacheParses: false });
  findings += result.findings.length;
  n1 += result.findings.filter((x) => x.ruleId === 'n-plus-one-query').length;
  const k = perKind[KINDS.find((name) => f.includes(`/${name}`))];
  k.files++;
  k.ms += performance.now() - started;
}
const scanMs = performance.now() - t;

// The editor's case: one 1,000-line file, re-checked after each small edit.
const big = serviceModule(FILES, 1);
let bigText = '';
for (let b = 0; bigText.split('\n').length < 1000; b++) bigText = serviceModule(FILES + 1, b + 1);
const lineCount = bigText.split('\n').length;
const bigFile = join(dir, 'src', 'big.ts');
const first = performance.now();
core.lintCodeFile(bigFile, bigText, config, { prisma: prisma.forCodeFile(bigFile) });
const firstMs = performance.now() - first;
const times = [];
for (let e = 0; e < EDITS + 5; e++) {
  // A one-character edit in a different line each time, as typing does.
  const at = bigText.indexOf('out.push(', (e * 997) % bigText.length);
  const edited = bigText.slice(0, at) + ' ' + bigText.slice(at);
  t = performance.now();
  core.lintCodeFile(bigFile, edited, config, { prisma: prisma.forCodeFile(bigFile) });
  if (e >= 5) times.push(performance.now() - t);
}
const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
void big;

const ok = (v, target) => (v <= target ? 'ok' : 'OVER TARGET');
console.log(`whole-repo scan: ${files.length} files (${lines.toLocaleString('en-US')} lines, node_modules skipped) in ${(scanMs / 1000).toFixed(2)} s — ${(files.length / (scanMs / 1000)).toFixed(0)} files/s; ${findings} findings (${n1} n-plus-one-query) — target ≤ ${SCAN_TARGET_MS / 1000} s: ${ok(scanMs, SCAN_TARGET_MS)}`);
console.log(`  per kind: ${KINDS.map((k) => `${k} ${perKind[k].files} files ${(perKind[k].ms / 1000).toFixed(2)} s (${(perKind[k].ms / perKind[k].files).toFixed(2)} ms/file)`).join('; ')}`);
console.log(`re-check of an edited ${lineCount}-line file: first ${firstMs.toFixed(1)} ms, then median ${median.toFixed(1)} ms over ${EDITS} edits (max ${Math.max(...times).toFixed(1)} ms) — target ≤ ${RECHECK_TARGET_MS} ms: ${ok(median, RECHECK_TARGET_MS)}`);
if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
else console.log(`files kept in ${dir}`);
process.exitCode = scanMs <= SCAN_TARGET_MS && median <= RECHECK_TARGET_MS ? 0 : 1;
