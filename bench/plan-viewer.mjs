// Plan viewer benchmark: the real bundle in headless Chromium, under the webview's CSP, fed
// exactly what plan-panel.ts posts (analyzePlan in Node, then a JSON payload by message).
// Prints time-to-interactive and click-to-select latency for the 1k and 10k plans of
// ../shared/plans against the targets (≤ 1 s to interactive, selection well under 100 ms).
//
//   node bench/plan-viewer.mjs                 # the figures
//   node bench/plan-viewer.mjs --screenshots   # also docs/images/plan-viewer-detail-{dark,light}.png
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { tsImport } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { analyzePlan } = await tsImport('../src/core/plan/analyze.ts', import.meta.url);
const { packReport } = await tsImport('../media/src/protocol.ts', import.meta.url);
const { startHarness, viewerBuildOptions, CHROMIUM, CHROMIUM_ARGS } = await tsImport('../test/unit/viewer/harness.ts', import.meta.url);

const PLANS = join(root, '..', 'shared', 'plans');
const TTI_TARGET_MS = 1000;
const CLICK_TARGET_MS = 100;

/** A real EXPLAIN (ANALYZE, BUFFERS, SETTINGS) from PostgreSQL 15 (orders ⋈ customers, 300k rows), for the screenshots. */
const DEMO_PLAN = [{"Plan":{"Node Type":"Sort","Parallel Aware":false,"Async Capable":false,"Startup Cost":5647.55,"Total Cost":5647.56,"Plan Rows":4,"Plan Width":45,"Actual Startup Time":96.819,"Actual Total Time":104.685,"Actual Rows":2,"Actual Loops":1,"Sort Key":["(sum(o.amount)) DESC"],"Sort Method":"quicksort","Sort Space Used":25,"Sort Space Type":"Memory","Shared Hit Blocks":20235,"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":10,"Temp Written Blocks":10,"Plans":[{"Node Type":"Aggregate","Strategy":"Sorted","Partial Mode":"Finalize","Parent Relationship":"Outer","Parallel Aware":false,"Async Capable":false,"Startup Cost":5645.07,"Total Cost":5647.51,"Plan Rows":4,"Plan Width":45,"Actual Startup Time":96.797,"Actual Total Time":104.665,"Actual Rows":2,"Actual Loops":1,"Group Key":["c.region"],"Shared Hit Blocks":20232,"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":10,"Temp Written Blocks":10,"Plans":[{"Node Type":"Gather Merge","Parent Relationship":"Outer","Parallel Aware":false,"Async Capable":false,"Startup Cost":5645.07,"Total Cost":5647.42,"Plan Rows":4,"Plan Width":45,"Actual Startup Time":96.311,"Actual Total Time":104.637,"Actual Rows":4,"Actual Loops":1,"Workers Planned":1,"Workers Launched":1,"Shared Hit Blocks":20232,"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":10,"Temp Written Blocks":10,"Plans":[{"Node Type":"Aggregate","Strategy":"Sorted","Partial Mode":"Partial","Parent Relationship":"Outer","Parallel Aware":false,"Async Capable":false,"Startup Cost":4645.06,"Total Cost":4646.96,"Plan Rows":4,"Plan Width":45,"Actual Startup Time":79.295,"Actual Total Time":83.743,"Actual Rows":2,"Actual Loops":2,"Group Key":["c.region"],"Shared Hit Blocks":20232,"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":10,"Temp Written Blocks":10,"Workers":[],"Plans":[{"Node Type":"Sort","Parent Relationship":"Outer","Parallel Aware":false,"Async Capable":false,"Startup Cost":4645.06,"Total Cost":4645.52,"Plan Rows":185,"Plan Width":21,"Actual Startup Time":78.98,"Actual Total Time":83.223,"Actual Rows":3000,"Actual Loops":2,"Sort Key":["c.region"],"Sort Method":"external merge","Sort Space Used":80,"Sort Space Type":"Disk","Shared Hit Blocks":20232,"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":10,"Temp Written Blocks":10,"Workers":[{"Worker Number":0,"Sort Method":"quicksort","Sort Space Used":222,"Sort Space Type":"Memory"}],"Plans":[{"Node Type":"Nested Loop","Parent Relationship":"Outer","Parallel Aware":false,"Async Capable":false,"Join Type":"Inner","Startup Cost":0.29,"Total Cost":4638.09,"Plan Rows":185,"Plan Width":21,"Actual Startup Time":0.053,"Actual Total Time":77.917,"Actual Rows":3000,"Actual Loops":2,"Inner Unique":true,"Shared Hit Blocks":20224,"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":0,"Temp Written Blocks":0,"Workers":[],"Plans":[{"Node Type":"Seq Scan","Parent Relationship":"Outer","Parallel Aware":true,"Async Capable":false,"Relation Name":"orders","Alias":"o","Startup Cost":0.0,"Total Cost":4446.0,"Plan Rows":185,"Plan Width":20,"Actual Startup Time":0.026,"Actual Total Time":49.34,"Actual Rows":3000,"Actual Loops":2,"Filter":"((status = 'refunded'::text) AND (created_at > (now() - '30 days'::interval)))","Rows Removed by Filter":147000,"Shared Hit Blocks":2223,"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":0,"Temp Written Blocks":0,"Workers":[]},{"Node Type":"Index Scan","Parent Relationship":"Inner","Parallel Aware":false,"Async Capable":false,"Scan Direction":"Forward","Index Name":"customers_pkey","Relation Name":"customers","Alias":"c","Startup Cost":0.29,"Total Cost":1.04,"Plan Rows":1,"Plan Width":9,"Actual Startup Time":0.009,"Actual Total Time":0.009,"Actual Rows":1,"Actual Loops":6000,"Index Cond":"(id = o.customer_id)","Rows Removed by Index Recheck":0,"Shared Hit Blocks":18001,"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":0,"Temp Written Blocks":0,"Workers":[]}]}]}]}]}]}]},"Settings":{"random_page_cost":"1.1","search_path":"pglens_demo","work_mem":"256kB"},"Planning":{"Shared Hit Blocks":108,"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":0,"Temp Written Blocks":0},"Planning Time":0.506,"Triggers":[],"Execution Time":104.869}];
const DEMO_QUERY = `SELECT c.region, count(*) AS refunds, sum(o.amount) AS total
FROM orders o JOIN customers c ON c.id = o.customer_id
WHERE o.status = 'refunded' AND o.created_at > now() - interval '30 days'
GROUP BY c.region
ORDER BY total DESC;`;

/** What plan-panel.ts does with a JSON plan before posting it. */
function payloadFor(text, title, extra = {}) {
  const t0 = performance.now();
  const json = JSON.parse(text);
  const report = analyzePlan(json, {});
  const analyzeMs = performance.now() - t0;
  const t1 = performance.now();
  const { Plan: _plan, ...rawTop } = json[0];
  const payload = JSON.stringify({
    plan: { report: packReport(report), rawTop, title, createdAt: new Date().toISOString(), ...extra },
  });
  return { report, payload, analyzeMs, serializeMs: performance.now() - t1 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;

async function openPage(browser, harness, theme = 'dark', viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await page.goto(`${harness.url}?theme=${theme}`);
  await page.waitForFunction(() => window.__toHost.length > 0);
  return { page, dialogs };
}

/** From the host's message to a painted, selected slowest node, then to a free main thread with state saved. */
async function measureOpen(page, payload) {
  await page.evaluate((p) => { window.__payload = p; }, payload);
  return page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const t0 = performance.now();
    window.postMessage({ type: 'show', payload: window.__payload, planId: '0123456789abcdef0123456789abcdef' }, '*');
    while (!document.querySelector('.node.selected')) await new Promise((r) => setTimeout(r, 0));
    await frame();
    const painted = performance.now() - t0;
    // Interactive: a task queued now runs at once (no long task left), and state is saved.
    while (window.__stateWrites === 0) await new Promise((r) => setTimeout(r, 0));
    const probe = performance.now();
    await new Promise((r) => setTimeout(r, 0));
    const lag = performance.now() - probe;
    return { painted, interactive: performance.now() - t0, lag, rows: document.querySelectorAll('.node').length, stateBytes: window.__stateBytes };
  });
}

async function measureClicks(page, n = 7) {
  return page.evaluate(async (n) => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const times = [];
    for (let i = 0; i < n; i++) {
      const rows = [...document.querySelectorAll('.node:not(.selected)')];
      const row = rows[(i * 7) % rows.length];
      const t0 = performance.now();
      row.click();
      await frame();
      times.push(performance.now() - t0);
    }
    return times;
  }, n);
}

async function measureKeys(page, n = 10) {
  await page.focus('#tree');
  return page.evaluate(async (n) => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const tree = document.getElementById('tree');
    const times = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      tree.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
      await frame();
      times.push(performance.now() - t0);
    }
    return times;
  }, n);
}

/** A finding whose node sits in a collapsed subtree: expand the path, scroll, select. */
async function measureReveal(page) {
  return page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const items = [...document.querySelectorAll('.finding')];
    const hidden = items.find((f) => !document.getElementById(`node-${f.dataset.nodeId}`)) ?? items[items.length - 1];
    if (!hidden) return undefined;
    const t0 = performance.now();
    hidden.click();
    await frame();
    const ok = document.querySelector('.node.selected')?.dataset.id === hidden.dataset.nodeId;
    return ok ? performance.now() - t0 : Number.NaN;
  });
}

async function measureExpandAll(page) {
  return page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const t0 = performance.now();
    document.getElementById('expand-all').click();
    await frame();
    return performance.now() - t0;
  });
}

async function bench(browser, harness, file, label) {
  const path = join(PLANS, file);
  if (!existsSync(path)) {
    console.log(`${label}: skipped (${path} not found)`);
    return true;
  }
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const { report, payload, analyzeMs, serializeMs } = payloadFor(text, file);
  const { page, dialogs } = await openPage(browser, harness);
  const open = await measureOpen(page, payload);
  const clicks = await measureClicks(page);
  const keys = await measureKeys(page);
  const reveal = await measureReveal(page);
  const expandAll = await measureExpandAll(page);
  const clicksAfter = await measureClicks(page, 5);
  const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
  const csp = await page.evaluate(() => window.__csp);
  await page.close();
  const click = median(clicks);
  console.log(`${label}: ${report.nodes.length} nodes, ${report.findings.length} findings, payload ${(payload.length / 1e6).toFixed(1)} MB`);
  console.log(`  host side (Node): JSON.parse + analyzePlan ${fmt(analyzeMs)}, payload JSON ${fmt(serializeMs)}`);
  console.log(`  first paint with the slowest node selected: ${fmt(open.painted)} (${open.rows} rows in the DOM; viewer state ${open.stateBytes} bytes)`);
  console.log(`  time to interactive (state saved, main thread free): ${fmt(open.interactive)}  target ≤ ${TTI_TARGET_MS} ms  ${open.interactive <= TTI_TARGET_MS ? 'OK' : 'MISSED'}`);
  console.log(`  end to end (host analysis + payload + viewer, message transfer excluded): ${fmt(analyzeMs + serializeMs + open.interactive)}`);
  console.log(`  click-to-select: median ${fmt(click)}, max ${fmt(Math.max(...clicks))}  target < ${CLICK_TARGET_MS} ms  ${click < CLICK_TARGET_MS ? 'OK' : 'MISSED'}`);
  console.log(`  arrow key: median ${fmt(median(keys))}; finding click revealing a collapsed node: ${reveal === undefined ? 'no findings' : fmt(reveal)}`);
  console.log(`  expand all: ${fmt(expandAll)}; click-to-select afterwards: median ${fmt(median(clicksAfter))}; JS heap ${(heap / 1e6).toFixed(0)} MB`);
  if (csp.length || dialogs.length) console.log(`  CSP violations: ${csp.join(', ')}; dialogs: ${dialogs.join(', ')}`);
  return open.interactive <= TTI_TARGET_MS && click < CLICK_TARGET_MS;
}

async function screenshots(browser, harness) {
  const text = JSON.stringify(DEMO_PLAN, null, 2);
  const { payload } = payloadFor(text, 'Explain Analyze: SELECT c.region, count(*) AS refunds, sum(o.amount) …', {
    query: DEMO_QUERY,
    connectionLabel: 'local (PostgreSQL 15) · rolled back',
  });
  mkdirSync(join(root, 'docs', 'images'), { recursive: true });
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  for (const theme of ['dark', 'light']) {
    const { page } = await openPage(browser, harness, theme, { width: 1200, height: 760 });
    await measureOpen(page, payload);
    await page.focus('#tree');
    const out = join(root, 'docs', 'images', `plan-viewer-detail-${theme}.png`);
    await page.screenshot({ path: out });
    console.log(`screenshot: ${out}`);
    await page.close();
  }
  // Not for the README: a narrow side panel, to check the layout holds without sideways scrolling.
  const { page } = await openPage(browser, harness, 'dark', { width: 380, height: 760 });
  await measureOpen(page, payload);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.screenshot({ path: join(root, 'bench', 'results', 'plan-viewer-narrow.png') });
  console.log(`narrow panel (380 px): horizontal overflow ${overflow} px`);
  await page.close();
}

if (!existsSync(CHROMIUM)) {
  console.error(`Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) to run this benchmark.`);
  process.exit(2);
}
const harness = await startHarness((await build(viewerBuildOptions(root))).outputFiles[0].text);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
let ok = true;
try {
  console.log('plan viewer (headless Chromium; pev2 1.21 reference: 1k plan ~3.9 s, 10k plan ~34 s to show, ~3.7 s per click)');
  ok = (await bench(browser, harness, 'plan-1k-nodes.json.gz', '1k plan')) && ok;
  ok = (await bench(browser, harness, 'plan-10k-nodes.json.gz', '10k plan')) && ok;
  if (process.argv.includes('--screenshots')) await screenshots(browser, harness);
} finally {
  await browser.close();
  await harness.close();
}
process.exitCode = ok ? 0 : 1;
