// Plan diff speed: two 10,000-node plans (../shared/plans/plan-10k-nodes.json.gz and a copy of
// it perturbed: every 25th Index Scan turned into a Seq Scan, every 50th Sort into an Incremental
// Sort, every 7th node's time tripled, every 11th node's buffers read from disk) analysed, paired
// and diffed, then printed as text, JSON and Markdown — what `pglens plan before after` does.
// Run: node bench/plan-diff.mjs
// Bundles the core with esbuild, as dist/ is built. Prints the median of 5 runs (after one
// warm-up) of the whole job and of its parts, against the 1 s target; exits 1 when over.
import { readFileSync, existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';

// Each run starts from a collected heap, as one diff in a fresh CLI process would.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const here = dirname(fileURLToPath(import.meta.url));
const plan = (f) => join(here, '..', 'src', 'core', 'plan', f).replace(/\\/g, '/');
const bundle = await build({
  stdin: {
    contents: [
      `export { analyzePlan } from '${plan('analyze.ts')}';`,
      `export { diffPlans } from '${plan('plan-diff.ts')}';`,
      `export { renderPlanDiffText, planDiffToMarkdown } from '${plan('plan-diff-render.ts')}';`,
    ].join('\n'),
    resolveDir: here,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  write: false,
});
const tmp = mkdtempSync(join(tmpdir(), 'pglens-bench-'));
const modulePath = join(tmp, 'plan-diff.mjs');
writeFileSync(modulePath, bundle.outputFiles[0].text);
const { analyzePlan, diffPlans, renderPlanDiffText, planDiffToMarkdown } = await import(pathToFileURL(modulePath).href);
rmSync(tmp, { recursive: true, force: true });

const TARGET_MS = 1000;
const RUNS = 5;
const plansDir = process.env.PGLENS_PLANS_DIR ?? join(here, '..', '..', 'shared', 'plans');
const file = join(plansDir, 'plan-10k-nodes.json.gz');
if (!existsSync(file)) {
  console.error(`missing ${file} (set PGLENS_PLANS_DIR)`);
  process.exit(2);
}
const beforeText = gunzipSync(readFileSync(file)).toString('utf8');

/** The perturbed copy, as a user would paste it: JSON text. */
function perturb(text) {
  const doc = JSON.parse(text);
  let id = 0;
  let scans = 0;
  let sorts = 0;
  const changed = { types: 0, times: 0, buffers: 0 };
  const stack = [doc[0].Plan];
  while (stack.length > 0) {
    const n = stack.pop();
    id++;
    if (n['Node Type'] === 'Index Scan' && ++scans % 25 === 0) {
      n['Node Type'] = 'Seq Scan';
      delete n['Index Name'];
      delete n['Scan Direction'];
      n.Filter = n['Index Cond'];
      delete n['Index Cond'];
      changed.types++;
    } else if (n['Node Type'] === 'Sort' && ++sorts % 50 === 0) {
      n['Node Type'] = 'Incremental Sort';
      n['Presorted Key'] = (n['Sort Key'] ?? []).slice(0, 1);
      changed.types++;
    }
    if (id % 7 === 0 && typeof n['Actual Total Time'] === 'number') {
      n['Actual Total Time'] *= 3;
      changed.times++;
    }
    if (id % 11 === 0 && typeof n['Shared Hit Blocks'] === 'number') {
      n['Shared Read Blocks'] = (n['Shared Read Blocks'] ?? 0) + n['Shared Hit Blocks'];
      n['Shared Hit Blocks'] = 0;
      changed.buffers++;
    }
    // Reversed so the stack pops them in preorder, as `id` counts.
    for (const c of [...(n.Plans ?? [])].reverse()) stack.push(c);
  }
  return { text: JSON.stringify(doc), changed };
}

const { text: afterText, changed } = perturb(beforeText);

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function job() {
  gc();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const before = analyzePlan(beforeText);
  const after = analyzePlan(afterText);
  const t1 = performance.now();
  const diff = diffPlans(before, after, { beforeLabel: 'plan-10k-nodes.json', afterLabel: 'perturbed.json' });
  const t2 = performance.now();
  const text = renderPlanDiffText(diff);
  const json = JSON.stringify(diff);
  const markdown = planDiffToMarkdown(diff);
  const t3 = performance.now();
  const cpu = process.cpuUsage(c0);
  return { diff, cpuMs: (cpu.user + cpu.system) / 1000, totalMs: t3 - t0, analyzeMs: t1 - t0, diffMs: t2 - t1, renderMs: t3 - t2, sizes: [text.length, json.length, markdown.length] };
}

const first = job();
const runs = [];
for (let i = 0; i < RUNS; i++) runs.push(job());
const d = first.diff;
console.log(`plan diff, ${d.before.nodes} vs ${d.after.nodes} nodes (perturbed: ${changed.types} node types, ${changed.times} times, ${changed.buffers} buffer splits)`);
console.log(`  paired ${d.counts.matched} (${d.counts.typeChanged} of another type, ${d.counts.changed} changed), ${d.counts.added} added, ${d.counts.removed} removed`);
const line = (name, key) => console.log(`  ${name.padEnd(32)} median ${median(runs.map((r) => r[key])).toFixed(0).padStart(5)} ms  (first run ${first[key].toFixed(0)} ms)`);
line('analyse both plans', 'analyzeMs');
line('pair nodes + diff', 'diffMs');
line('render text + JSON + Markdown', 'renderMs');
line('total (what `pglens plan A B` does)', 'totalMs');
// On a busy machine wall time swings with the load; the process's CPU time (main thread plus the
// engine's GC and compiler threads) much less.
line('total, CPU time', 'cpuMs');
const total = median(runs.map((r) => r.totalMs));
console.log(`  output: text ${first.sizes[0].toLocaleString('en')} chars, JSON ${first.sizes[1].toLocaleString('en')}, Markdown ${first.sizes[2].toLocaleString('en')}`);
console.log(`diff of two 10k-node plans: ${total.toFixed(0)} ms (target ≤ ${TARGET_MS} ms) ${total <= TARGET_MS ? 'OK' : 'OVER'}`);
if (d.counts.typeChanged !== changed.types || d.counts.added !== 0 || d.counts.removed !== 0) {
  console.error(`pairing went wrong: expected ${changed.types} type changes and nothing added or removed`);
  process.exitCode = 1;
}
if (total > TARGET_MS) process.exitCode = 1;
