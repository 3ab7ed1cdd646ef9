// Plan analysis speed: parse + metrics + findings of large real plans (../shared/plans).
// Run: node --import tsx bench/plan-analysis.mjs   (imports the TypeScript sources through tsx)
// Prints the median of 5 runs per plan (after one warm-up) against the 100 ms target for
// 10,000 nodes; exits 1 when a 10k plan is over target.
import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const { analyzePlan } = await import('../src/core/plan/analyze.ts');

const here = dirname(fileURLToPath(import.meta.url));
const plansDir = process.env.PGLENS_PLANS_DIR ?? join(here, '..', '..', 'shared', 'plans');
const TARGET_MS = 100;
const RUNS = 5;
const plans = [
  { file: 'plan-10k-nodes.json.gz', target: TARGET_MS },
  { file: 'plan-10k-nodes.txt.gz', target: TARGET_MS },
  { file: 'plan-1k-nodes.json.gz', target: TARGET_MS / 10 },
];

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

let over = false;
for (const { file, target } of plans) {
  const path = join(plansDir, file);
  if (!existsSync(path)) {
    console.error(`missing ${path} (set PGLENS_PLANS_DIR)`);
    process.exitCode = 2;
    continue;
  }
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  analyzePlan(text);
  const times = [];
  let report;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    report = analyzePlan(text);
    times.push(performance.now() - t0);
  }
  const ms = median(times);
  const ok = ms <= target;
  if (!ok && target === TARGET_MS) over = true;
  console.log(
    `${file.padEnd(24)} ${String(report.nodes.length).padStart(6)} nodes  ${(text.length / 1e6).toFixed(1).padStart(5)} MB  ` +
      `parse+analyze median ${ms.toFixed(1).padStart(6)} ms (runs: ${times.map((t) => t.toFixed(0)).join(', ')})  target ≤ ${target} ms  ${ok ? 'OK' : 'OVER'}`,
  );
}
if (over) process.exitCode = 1;
