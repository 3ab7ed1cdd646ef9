#!/usr/bin/env node
// Navigation latency in SQL (hover, completion) against the schema of a 300-migration workspace,
// as the editor runs it: the workspace's schemas are built once (then rebuilt after a migration
// changes), and each request parses the document it is asked about (its text changed since the
// last request: typing) before resolving the name or the completion.
//
// usage: node bench/navigation.mjs [--migrations N] [--requests N]
//   a generated workspace of N migrations (default 300) in a temp folder; then, when the shared
//   corpus is next to the repository, its largest migration folder (read in place, never copied).
// Target (issue 20): hover and completion ≤ 30 ms each, median and p95.
import { build } from 'esbuild';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { root } from './lint-bundle.mjs';

const TARGET_MS = 30;
const { values: opts } = parseArgs({ options: { migrations: { type: 'string', default: '300' }, requests: { type: 'string', default: '200' } } });
const MIGRATIONS = Number(opts.migrations);
const REQUESTS = Number(opts.requests);
const WARMUP = 20;

const repoRequire = createRequire(join(root, 'package.json'));

/** The navigation core as the extension bundles it (compiled JavaScript, libpg-query external). */
async function loadCore() {
  const outfile = join(mkdtempSync(join(tmpdir(), 'pglens-bench-')), 'navigation-core.cjs');
  await build({
    stdin: {
      contents: [
        "export { loadSqlParser } from './src/core/sql/parse';",
        "export * from './src/core/schema/navigation';",
        "export { WorkspaceSchemas } from './src/core/schema/workspace-schemas';",
        "export { defaultConfig } from './src/core/config';",
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
    plugins: [
      {
        name: 'libpg-query-from-repo',
        setup(b) {
          b.onResolve({ filter: /^libpg-query(\/|$)/ }, (args) => ({ path: repoRequire.resolve(args.path), external: true }));
        },
      },
    ],
  });
  const core = repoRequire(outfile);
  await core.loadSqlParser();
  return core;
}

/** A workspace of `n` migrations: tables with keys and indexes, added and renamed columns, comments, views. */
function generateWorkspace(n) {
  const dir = mkdtempSync(join(tmpdir(), 'pglens-nav-ws-'));
  mkdirSync(join(dir, 'migrations'));
  let tables = 0;
  for (let i = 1; i <= n; i++) {
    const name = `${String(i).padStart(4, '0')}_step.sql`;
    const lines = [];
    if (i % 5 !== 0 || tables === 0) {
      const t = `t${tables}`;
      const ref = tables > 0 ? `t${Math.floor(tables / 2)}` : undefined;
      lines.push(
        `CREATE TABLE ${t} (`,
        '  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,',
        ref ? `  ${ref}_id bigint NOT NULL REFERENCES ${ref} (id),` : '  parent_id bigint,',
        '  name text NOT NULL,',
        '  status text NOT NULL DEFAULT \'new\',',
        '  price numeric(12,2),',
        '  payload jsonb,',
        '  created_at timestamptz NOT NULL DEFAULT now(),',
        '  updated_at timestamptz',
        ');',
        `CREATE INDEX ${t}_created_idx ON ${t} (created_at);`,
        `COMMENT ON TABLE ${t} IS 'Table number ${tables}';`,
      );
      tables++;
    } else {
      const t = `t${tables - 1}`;
      lines.push(
        `ALTER TABLE ${t} ADD COLUMN note_${i} text;`,
        `ALTER TABLE ${t} RENAME COLUMN updated_at TO changed_at;`,
        `CREATE INDEX CONCURRENTLY ${t}_status_idx ON ${t} (status) WHERE status <> 'done';`,
        `CREATE VIEW ${t}_recent AS SELECT id, name, created_at FROM ${t} WHERE created_at > now() - interval '1 day';`,
      );
    }
    writeFileSync(join(dir, 'migrations', name), lines.join('\n') + '\n');
  }
  return dir;
}

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

/** Queries over the schema's tables: hover points (names) and completion points (after `alias.`, FROM, in WHERE). */
function workload(index, count) {
  const tables = [...index.schema.tables.values()].filter((t) => t.columns.length > 1);
  const statements = [];
  for (let i = 0; i < 60; i++) {
    const a = tables[(i * 7) % tables.length];
    const b = tables[(i * 13 + 5) % tables.length];
    const q = (n) => (/^[a-z_][a-z0-9_]*$/.test(n) ? n : `"${n.replace(/"/g, '""')}"`);
    const ca = a.columns[i % a.columns.length].name;
    const cb = b.columns[(i + 1) % b.columns.length].name;
    statements.push(`SELECT a.${q(ca)}, b.${q(cb)} FROM ${q(a.schema)}.${q(a.name)} a JOIN ${q(b.schema)}.${q(b.name)} b ON b.${q(b.columns[0].name)} = a.${q(a.columns[0].name)} WHERE a.${q(ca)} IS NOT NULL ORDER BY 1 LIMIT 20;`);
  }
  const text = statements.join('\n');
  const hovers = [];
  const completions = [];
  for (let i = 0; i < count; i++) {
    const line = statements[i % statements.length];
    const lineStart = text.indexOf(line);
    // Hover: the column after `a.`, the table after FROM, the column in WHERE, in turn.
    const targets = [line.indexOf('a.') + 3, line.indexOf(' a JOIN') - 2, line.lastIndexOf('a.') + 3];
    hovers.push(lineStart + targets[i % targets.length]);
    completions.push(lineStart + line.indexOf('a.') + 2);
  }
  return { text, hovers, completions };
}

function measure(core, schemas, label) {
  let t = performance.now();
  schemas.invalidate();
  const indexes = schemas.indexes();
  const buildMs = performance.now() - t;
  const index = indexes.reduce((a, b) => (b.files.length > a.files.length ? b : a));
  const { text, hovers, completions } = workload(index, REQUESTS + WARMUP);
  const hoverMs = [];
  const completionMs = [];
  let answered = 0;
  for (let i = 0; i < hovers.length; i++) {
    // A new version of the document each time (typing): its parse is part of the request.
    const edited = `${text}\n-- ${i}`;
    t = performance.now();
    const doc = core.navigationDocument(edited, 'sql', join(schemas.root, 'queries.sql'));
    const hover = core.hoverAt(index, doc, hovers[i]);
    const elapsed = performance.now() - t;
    if (hover) answered++;
    if (i >= WARMUP) hoverMs.push(elapsed);
  }
  let items = 0;
  for (let i = 0; i < completions.length; i++) {
    // Typing `a.` in the SELECT list: the statement does not parse, the token fallback answers.
    const at = completions[i];
    const edited = `${text.slice(0, at)} ${text.slice(at)}\n-- ${i}`;
    t = performance.now();
    const doc = core.navigationDocument(edited, 'sql', join(schemas.root, 'queries.sql'));
    const result = core.completionsAt(index, doc, at);
    const elapsed = performance.now() - t;
    items += result?.items.length ?? 0;
    if (i >= WARMUP) completionMs.push(elapsed);
  }
  // A migration changes: the next request rebuilds, re-parsing only that file.
  const changed = index.files[Math.floor(index.files.length / 2)];
  const original = index.texts.get(changed);
  schemas.override = (f) => (f === changed ? `${original}\n-- edited\n` : undefined);
  schemas.invalidate();
  t = performance.now();
  schemas.indexes();
  const rebuildMs = performance.now() - t;
  schemas.override = undefined;

  const line = (name, xs) => {
    const m = percentile(xs, 50);
    const p95 = percentile(xs, 95);
    return `${name}: median ${m.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms over ${xs.length} requests (target ≤ ${TARGET_MS} ms) ${m <= TARGET_MS && p95 <= TARGET_MS ? 'OK' : 'ABOVE TARGET'}`;
  };
  console.log(`\n${label}: ${index.files.length} migrations, ${index.schema.tables.size} tables, ${index.relations.size} views${index.incomplete ? ` (incomplete: ${index.incomplete})` : ''}`);
  console.log(`  schema index build (parse + replay + name index): ${buildMs.toFixed(0)} ms; rebuild after one migration changed: ${rebuildMs.toFixed(0)} ms`);
  console.log(`  ${line('hover', hoverMs)} (${answered}/${hovers.length} answered)`);
  console.log(`  ${line('completion', completionMs)} (${(items / completions.length).toFixed(1)} items each)`);
  return [hoverMs, completionMs].every((xs) => percentile(xs, 50) <= TARGET_MS && percentile(xs, 95) <= TARGET_MS);
}

const core = await loadCore();
/** WorkspaceSchemas with a swappable unsaved-text reader (an editor's open document). */
const workspace = (dir, config) => {
  const schemas = new core.WorkspaceSchemas(dir, { read: (f) => schemas.override?.(f), ...(config && { config: () => config }) });
  return schemas;
};
let ok = true;
const generated = generateWorkspace(MIGRATIONS);
try {
  ok = measure(core, workspace(generated), `generated workspace (${MIGRATIONS} migrations)`) && ok;
} finally {
  rmSync(generated, { recursive: true, force: true });
}
const corpus = resolve(root, '../shared/corpus/migrations');
if (existsSync(corpus)) {
  const folders = readdirSync(corpus).map((name) => ({ name, n: readdirSync(join(corpus, name)).filter((f) => f.endsWith('.sql')).length }));
  const largest = folders.sort((a, b) => b.n - a.n)[0];
  const dir = join(corpus, largest.name);
  // The corpus folders are flat copies of real migration folders: named as migrations by config, as `.pglens.json` would.
  const config = { ...core.defaultConfig(dir), migrations: [{ path: '.' }] };
  ok = measure(core, workspace(dir, config), `corpus ${largest.name} (largest corpus folder, read in place)`) && ok;
} else {
  console.log(`\n(no shared corpus at ${corpus}: only the generated workspace was measured)`);
}
process.exitCode = ok ? 0 : 1;
