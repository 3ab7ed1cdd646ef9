/**
 * The real schema diagram bundle in headless Chromium under the webview's CSP: it draws what
 * the host sends, search filters, focus and collapse redraw, clicks ask the host for
 * definitions and findings, hostile names stay text (on screen and in the SVG export), and the
 * Mermaid export round-trips through Mermaid's own parser (the `mermaid` package).
 * Skipped where Chromium is not installed.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { DiagramModel } from '../../../src/core/erd/diagram';
import { entityNames, toMermaid } from '../../../src/core/erd/mermaid';
import { loadSqlParser } from '../../../src/core/sql/parse';
import type { ErdToHost } from '../../../media/src/erd/erd-protocol';
import { drawnGraph } from '../../../media/src/erd/graph';
import { CHROMIUM, CHROMIUM_ARGS, startErdHarness, type ErdHarness } from './erd-harness';
import { blogDiagram, hostileDiagram, shopDiagram } from './fixtures';
import { partsDiagram } from '../../../src/core/erd/sources';
import { defaultConfig } from '../../../src/core/config';

const HOSTILE = '"<img src=x onerror=alert(1)>"';
const SCRIPT = '<script>alert(2)</script>';

async function post(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

async function toHost(page: Page): Promise<ErdToHost[]> {
  return page.evaluate(() => (window as unknown as { __toHost: ErdToHost[] }).__toHost);
}

/** What erd-panel.ts posts: the picker's sources, then the model; waits for the viewer's report. */
async function show(page: Page, model: DiagramModel, sourceId = 'migrations:migrations/'): Promise<void> {
  const before = (await toHost(page)).filter((m) => m.type === 'rendered').length;
  await post(page, { type: 'sources', sources: [{ id: sourceId, kind: model.source.kind, label: model.source.label }], selected: sourceId });
  await post(page, { type: 'model', payload: JSON.stringify(model), sourceId });
  await page.waitForFunction((n) => (window as unknown as { __toHost: { type: string }[] }).__toHost.filter((m) => m.type === 'rendered').length > n, before);
}

async function tableNames(page: Page, selector = '.table'): Promise<string[]> {
  return page.$$eval(`${selector} .name`, (els) => els.map((e) => e.textContent ?? ''));
}

describe('schema diagram in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let harness: ErdHarness;
  let page: Page;
  const dialogs: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      // Under CI a missing browser is a failure (scripts/install-editor.sh installs it), never a skip.
      if (/^(1|true|yes)$/i.test(process.env.CI ?? '')) throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/install-editor.sh`);
      this.skip();
    }
    await loadSqlParser();
    harness = await startErdHarness();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await harness?.close();
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(harness.url);
    await page.waitForFunction(() => (window as unknown as { __toHost: unknown[] }).__toHost.length > 0);
  });

  afterEach(async () => {
    await page?.close();
  });

  it('draws the tables, relations and badges of the model, and says so to the host', async () => {
    assert.deepEqual((await toHost(page))[0], { type: 'ready' });
    await show(page, shopDiagram());
    assert.deepEqual(await tableNames(page), ['customers', 'products', 'orders', 'order_items']);
    assert.equal(await page.$$eval('.edge', (els) => els.length), 3);
    assert.equal(await page.$$eval('.edge.identifying', (els) => els.length), 2, 'order_items keys are part of its primary key');
    assert.deepEqual(await page.$$eval('.table.has-findings .name', (els) => els.map((e) => e.textContent)), ['products', 'orders', 'order_items']);
    assert.equal(await page.$$eval('.table.join', (els) => els.length), 1, 'order_items is a join table (N:M)');
    const rendered = (await toHost(page)).find((m) => m.type === 'rendered');
    assert.ok(rendered && rendered.type === 'rendered');
    assert.deepEqual([rendered.report.tables, rendered.report.relations, rendered.report.badges], [4, 3, 3]);
    assert.equal(await page.$eval('#source', (e) => (e as HTMLSelectElement).value), 'migrations:migrations/');
    assert.match(await page.$eval('#status', (e) => e.textContent ?? ''), /^4 tables · 3 relations/);
    // Every column row of `orders`: key, name, type (nullable types end in ?).
    const rows = await page.$$eval('.table:nth-of-type(3) .col', (els) => els.map((e) => Array.from(e.querySelectorAll('text'), (t) => t.textContent).join('|')));
    assert.deepEqual(rows, ['PK|id|bigint', 'FK|customer_id|bigint', '|total|numeric(12,2)']);
  });

  it('search dims the tables that do not match, by name then by column, and Enter selects the first', async () => {
    await show(page, shopDiagram());
    const ms = await page.evaluate(() => {
      const input = document.getElementById('search') as HTMLInputElement;
      const t0 = performance.now();
      input.value = 'order';
      input.dispatchEvent(new Event('input'));
      return performance.now() - t0;
    });
    assert.ok(ms < 50, `search took ${ms} ms`);
    assert.equal(await page.$eval('#canvas', (e) => e.classList.contains('searching')), true);
    assert.deepEqual(await tableNames(page, '.table.match'), ['orders', 'order_items']);
    assert.equal(await page.$eval('#search-count', (e) => e.textContent), '2 tables');
    await page.fill('#search', 'EMAIL');
    assert.deepEqual(await tableNames(page, '.table.match'), ['customers']);
    assert.equal(await page.$eval('#search-count', (e) => e.textContent), '1 table (1 by column)');
    await page.press('#search', 'Enter');
    assert.deepEqual(await tableNames(page, '.table.selected'), ['customers']);
    await page.fill('#search', 'zzz');
    assert.equal(await page.$eval('#search-count', (e) => e.textContent), 'no table');
    await page.press('#search', 'Escape');
    assert.equal(await page.$eval('#canvas', (e) => e.classList.contains('searching')), false);
  });

  it('focus shows a table with its neighbours at depth 1 or 2; columns collapse to keys or names', async () => {
    await show(page, shopDiagram());
    await page.click('.table:nth-of-type(1) .name');
    await page.click('#focus-1');
    assert.deepEqual((await tableNames(page)).sort(), ['customers', 'orders']);
    assert.match(await page.$eval('#status', (e) => e.textContent ?? ''), /focused on public\.customers \(depth 1\)/);
    await page.click('#focus-2');
    assert.deepEqual((await tableNames(page)).sort(), ['customers', 'order_items', 'orders']);
    await page.click('#show-all');
    assert.equal((await tableNames(page)).length, 4);
    assert.equal(await page.$eval('#show-all', (e) => (e as HTMLElement).hidden), true);

    const allRows = await page.$$eval('.col', (els) => els.length);
    await page.selectOption('#columns', 'keys');
    const keyRows = await page.$$eval('.col', (els) => els.length);
    assert.ok(keyRows < allRows, `${keyRows} < ${allRows}`);
    assert.ok(await page.$$eval('.more', (els) => els.some((e) => e.textContent === '+ 2 more columns')));
    await page.selectOption('#columns', 'none');
    assert.equal(await page.$$eval('.col', (els) => els.length), 0);
    assert.equal(await page.evaluate(() => JSON.parse(sessionStorage.getItem('pglens-erd-state') ?? '{}').columns), 'none', 'kept in the webview state');
  });

  it('a click on a table asks for its definition, on a column for that column, on a badge for the finding', async () => {
    await show(page, shopDiagram());
    await page.click('.table:nth-of-type(1) .name');
    await page.click('.table:nth-of-type(3) .col[data-c="1"] .cname');
    await page.click('.table:nth-of-type(2) .badge');
    const sent = (await toHost(page)).filter((m) => m.type === 'reveal' || m.type === 'openFinding');
    assert.deepEqual(sent, [
      { type: 'reveal', table: 'public.customers' },
      { type: 'reveal', table: 'public.orders', column: 'customer_id' },
      { type: 'openFinding', table: 'public.products', index: 0 },
    ]);
    // The details pane lists the selected table's findings; each opens its own.
    assert.match(await page.$eval('#details h2', (e) => e.textContent ?? ''), /^products$/);
    await page.click('#findings .finding-open');
    await page.click('#go-definition');
    assert.deepEqual((await toHost(page)).slice(-2), [
      { type: 'openFinding', table: 'public.products', index: 0 },
      { type: 'reveal', table: 'public.products' },
    ]);
    // A drag pans and clicks nothing.
    const box = (await page.$eval('.table:nth-of-type(1) .name', (e) => {
      const r = e.getBoundingClientRect();
      return { x: r.x + 5, y: r.y + 5 };
    }))!;
    const count = (await toHost(page)).length;
    await page.mouse.move(box.x, box.y);
    await page.mouse.down();
    await page.mouse.move(box.x + 80, box.y + 40, { steps: 4 });
    await page.mouse.up();
    assert.equal((await toHost(page)).length, count);
    assert.match((await page.$eval('#viewport', (e) => e.getAttribute('transform'))) ?? '', /^translate\(/);
  });

  it('renders hostile names, comments, findings and notes as text: no element, no handler, no script', async () => {
    const model = hostileDiagram();
    const t = model.tables[0];
    t.comment = SCRIPT;
    t.findings.push({ ruleId: HOSTILE, severity: 'error', message: `${SCRIPT} ${HOSTILE}`, hasFix: false });
    model.notes.push(`${HOSTILE} ${SCRIPT}`);
    t.partitions = [SCRIPT, HOSTILE];
    model.source.label = HOSTILE;
    await show(page, model, HOSTILE);
    assert.deepEqual(
      await page.$eval('.table:nth-of-type(1) .partitions', (e) => [e.childNodes[0]?.textContent, e.querySelector('title')?.textContent]),
      ['2 partitions', `${SCRIPT}\n${HOSTILE}`],
      'the partition count under the name; the names, as text, in its tooltip',
    );
    const names = await tableNames(page);
    assert.ok(names.includes('<img src=x onerror=alert(1)>'), names.join(' | '));
    assert.ok(names.includes('sales dept.Order Lines'));
    const rowText = await page.$eval('.table:nth-of-type(1)', (e) => e.textContent ?? '');
    assert.ok(rowText.includes('a"b c'), 'a quote in a name is text');
    assert.ok(rowText.includes('<script>alert(2)</script>'));
    assert.equal(await page.$eval('#notes', (e) => e.textContent), `${HOSTILE} ${SCRIPT}`);
    assert.ok((await page.$eval('#source', (e) => e.textContent ?? '')).includes(HOSTILE));
    await page.click('.table:nth-of-type(1) .head');
    const details = await page.$eval('#details', (e) => e.textContent ?? '');
    assert.ok(details.includes(SCRIPT) && details.includes(HOSTILE), details);
    assert.equal(await page.$eval('#partitions', (e) => e.textContent), `${SCRIPT}, ${HOSTILE}`);

    await page.click('#save-svg');
    const saved = (await toHost(page)).find((m) => m.type === 'saveSvg');
    assert.ok(saved && saved.type === 'saveSvg');
    const exported = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        texts: Array.from(doc.querySelectorAll('text'), (e) => e.textContent),
        elements: Array.from(doc.querySelectorAll('*'), (e) => e.localName).filter((n) => n === 'img' || n === 'script' || n === 'foreignObject'),
        handlers: Array.from(doc.querySelectorAll('*')).flatMap((e) => Array.from(e.attributes, (a) => a.name)).filter((n) => n.startsWith('on')),
        fills: doc.querySelector('text')?.getAttribute('fill'),
      };
    }, saved.svg);
    assert.equal(exported.error, null);
    assert.ok(exported.texts.includes('<img src=x onerror=alert(1)>'));
    assert.ok(exported.texts.some((x) => x?.includes('<script>')));
    assert.deepEqual(exported.elements, []);
    assert.deepEqual(exported.handlers, []);
    assert.match(exported.fills ?? '', /^rgb/, 'theme colours written into the file');

    assert.equal(await page.$$eval('img, script:not([src]):not([nonce]), foreignObject', (els) => els.length), 0, 'no element came out of a name');
    const handlers = await page.$$eval('*', (els) => els.flatMap((e) => Array.from(e.attributes, (a) => a.name)).filter((n) => n.startsWith('on')));
    assert.deepEqual(handlers, []);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), [], 'no CSP violation');
    assert.deepEqual(dialogs, [], 'no script ran');
  });

  it('says at a table’s foot where its keys to tables not drawn lead; a focus adds those it leaves out', async () => {
    const model = partsDiagram(
      [
        {
          file: '/o/001.sql',
          direction: 'up',
          text: `CREATE SCHEMA billing;
                 CREATE TABLE billing.accounts (id bigint PRIMARY KEY);
                 CREATE TABLE profiles (id uuid PRIMARY KEY REFERENCES auth.users, account_id bigint REFERENCES billing.accounts);
                 CREATE TABLE "${SCRIPT}" (id int PRIMARY KEY, u uuid REFERENCES "<img src=x onerror=alert(3)>".users);`,
        },
      ],
      defaultConfig('/o'),
      'o/',
    );
    await show(page, model);
    assert.deepEqual(await page.$$eval('.table .outside text', (els) => els.map((e) => e.textContent)), ['→ auth.users (not defined here)', '→ <img src=x onerror=alert(3)>.users (not defined here)']);
    // The details of profiles list them too; Focus 1 on it keeps billing.accounts, its neighbour.
    await page.click('.table:nth-of-type(2) .name');
    assert.match(await page.$eval('#details', (e) => e.textContent ?? ''), /Keys to tables not drawn\(id\) → auth\.users \(not defined here\)/);
    await page.click('#focus-1');
    assert.deepEqual((await tableNames(page)).sort(), ['billing.accounts', 'profiles']);
    // Focused on the accounts: profiles is its neighbour, and its other key leaves the picture.
    await page.click('.table:nth-of-type(1) .name');
    await page.click('#focus-1');
    assert.deepEqual(await page.$$eval('.table .outside text', (els) => els.map((e) => e.textContent)), ['→ auth.users (not defined here)']);
    assert.equal(await page.$$eval('img, script:not([src]):not([nonce])', (els) => els.length), 0);
  });

  it('a dense multi-tenant picture: hubs stand apart, their keys drawn as a bundle; built over frames and reported once whole', async () => {
    const tables: DiagramModel['tables'] = [];
    const relations: DiagramModel['relations'] = [];
    const col = (name: string, pk = false, fk = false) => ({ name, type: 'bigint', pk, fk, notNull: true, unique: false });
    tables.push({ id: 'public.tenants', schema: 'public', name: 'tenants', columns: [col('id', true)], findings: [] });
    tables.push({ id: 'public.users', schema: 'public', name: 'users', columns: [col('id', true), col('tenant_id', false, true)], findings: [] });
    relations.push({ id: 'u#0', from: 'public.users', to: 'public.tenants', cardinality: '1:N', columns: ['tenant_id'], refColumns: ['id'], optional: false, identifying: false });
    for (let i = 0; i < 1500; i++) {
      const id = `public.e${i}`;
      tables.push({ id, schema: 'public', name: `e${i}`, columns: [col('id', true), col('tenant_id', false, true), col('created_by', false, true), col('f1'), col('f2')], findings: [] });
      relations.push({ id: `${id}#0`, from: id, to: 'public.tenants', cardinality: '1:N', columns: ['tenant_id'], refColumns: ['id'], optional: false, identifying: false });
      relations.push({ id: `${id}#1`, from: id, to: 'public.users', cardinality: '1:N', columns: ['created_by'], refColumns: ['id'], optional: true, identifying: false });
    }
    const model: DiagramModel = { source: { kind: 'migrations', label: 'dense/' }, schemas: ['public'], tables, relations, files: [], notes: [] };
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __statuses: string[] }).__statuses = seen;
      new MutationObserver(() => seen.push(document.getElementById('status')?.textContent ?? '')).observe(document.getElementById('status')!, { childList: true, characterData: true, subtree: true });
    });
    await show(page, model, 'dense');
    const report = (await toHost(page)).find((m) => m.type === 'rendered');
    assert.ok(report && report.type === 'rendered');
    assert.equal(report.report.tables, 1502);
    assert.ok((report.report.firstPaintMs ?? Infinity) <= report.report.ms);
    assert.equal(await page.$$eval('.table', (els) => els.length), 1502);
    assert.equal(await page.$$eval('.edge.to-hub', (els) => els.length), 3000, 'every key to a hub is one line of its bundle');
    assert.equal(await page.$$eval('.edge.to-hub[marker-start], .edge.to-hub[marker-end]', (els) => els.length), 0, 'bundle lines carry no markers');
    assert.equal(await page.$$eval('.edge.bundle-end', (els) => els.length), 2, 'one end mark per hub');
    const statuses = await page.evaluate(() => (window as unknown as { __statuses: string[] }).__statuses);
    assert.ok(statuses.some((t) => /^Drawing 1502 tables and 3001 relations… \d+ %$/.test(t)), statuses.join(' | '));
    assert.match(await page.$eval('#status', (e) => e.textContent ?? ''), /^1502 tables · 3001 relations · 2 tables referenced by many/);
    // Hubs at the right of every other table.
    const xs = await page.$$eval('.table', (els) => els.map((e) => [e.querySelector('.name')?.textContent ?? '', Number(/translate\(([-\d.]+)/.exec(e.getAttribute('transform') ?? '')?.[1])] as const));
    const hubX = Math.min(...xs.filter(([n]) => n === 'tenants' || n === 'users').map(([, x]) => x));
    assert.ok(xs.filter(([n]) => n !== 'tenants' && n !== 'users').every(([, x]) => x < hubX));
    // A line's tooltip comes when the pointer first reaches it.
    const title = await page.evaluate(() => {
      const path = document.querySelector('.edge[data-r="1"]')!;
      path.dispatchEvent(new PointerEvent('pointerover', { bubbles: true }));
      return path.querySelector('title')?.textContent;
    });
    assert.equal(title, '1:N e0(tenant_id) → tenants(id)');
  });

  it('shows an error from the host with its hint', async () => {
    await post(page, { type: 'error', message: `Could not read ${HOSTILE}`, hint: SCRIPT });
    assert.equal(await page.$eval('#error strong', (e) => e.textContent), `Could not read ${HOSTILE}`);
    assert.equal(await page.$eval('#error .hint', (e) => e.textContent), SCRIPT);
  });
});

interface ParsedEr {
  error?: string;
  entities?: [string, { type: string; name: string; keys: string[] }[]][];
  relationships?: { entityA: string; entityB: string; roleA: string; relSpec: { cardA: string; cardB: string; relType: string } }[];
}

describe('schema diagram: Mermaid export through mermaid.parse', function () {
  this.timeout(60_000);
  let browser: Browser;
  let harness: ErdHarness;
  let page: Page;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      // Under CI a missing browser is a failure (scripts/install-editor.sh installs it), never a skip.
      if (/^(1|true|yes)$/i.test(process.env.CI ?? '')) throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/install-editor.sh`);
      this.skip();
    }
    await loadSqlParser();
    harness = await startErdHarness('');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    await page.goto(harness.mermaidUrl);
    await page.waitForFunction(() => typeof (window as unknown as { mermaid?: unknown }).mermaid === 'object');
  });

  after(async () => {
    await browser?.close();
    await harness?.close();
  });

  async function parse(text: string): Promise<ParsedEr> {
    return page.evaluate(async (t) => {
      type Db = { getEntities(): Map<string, { attributes: { type: string; name: string; keys: string[] }[] }>; getRelationships(): ParsedEr['relationships'] };
      const mermaid = (window as unknown as { mermaid: { parse(t: string): Promise<unknown>; mermaidAPI: { getDiagramFromText(t: string): Promise<{ db: Db }> } } }).mermaid;
      try {
        await mermaid.parse(t);
        const { db } = await mermaid.mermaidAPI.getDiagramFromText(t);
        return {
          entities: [...db.getEntities()].map(([k, e]) => [k, e.attributes.map((a) => ({ type: a.type, name: a.name, keys: a.keys }))] as [string, { type: string; name: string; keys: string[] }[]]),
          relationships: db.getRelationships(),
        };
      } catch (e) {
        return { error: e instanceof Error ? e.message : String(e) };
      }
    }, text);
  }

  /** Mermaid reads back every drawn table with its columns and keys, and every drawn relation with its cardinality. */
  async function roundTrip(model: DiagramModel): Promise<void> {
    const text = toMermaid(model);
    const parsed = await parse(text);
    assert.equal(parsed.error, undefined, `${parsed.error}\n${text}`);
    const drawn = drawnGraph(model);
    const names = entityNames(drawn.tables);
    const entities = new Map(parsed.entities);
    assert.equal(entities.size, drawn.tables.length);
    for (const t of drawn.tables) {
      const key = names.get(t.id)!.replace(/^"|"$/g, '');
      const attrs = entities.get(key);
      assert.ok(attrs, `entity ${key} missing; have ${[...entities.keys()].join(', ')}`);
      assert.deepEqual(
        attrs.map((a) => a.keys.join(',')),
        t.columns.map((c) => [c.pk && 'PK', c.fk && 'FK', c.unique && !c.pk && 'UK'].filter(Boolean).join(',')),
        `keys of ${t.id}`,
      );
    }
    const card = (r: (typeof drawn.relations)[number]): string =>
      r.cardinality === 'N:M'
        ? 'ZERO_OR_MORE/ZERO_OR_MORE'
        : `${r.cardinality === '1:1' ? 'ZERO_OR_ONE' : 'ZERO_OR_MORE'}/${r.optional ? 'ZERO_OR_ONE' : 'ONLY_ONE'}`;
    assert.deepEqual(
      (parsed.relationships ?? []).map((r) => `${r.relSpec.cardA}/${r.relSpec.cardB} ${r.relSpec.relType}`),
      drawn.relations.map((r) => `${card(r)} ${r.identifying ? 'IDENTIFYING' : 'NON_IDENTIFYING'}`),
    );
  }

  it('the shop migrations', async () => {
    await roundTrip(shopDiagram());
  });

  it('a Prisma schema with an implicit many-to-many and a one-to-one', async () => {
    const model = blogDiagram();
    await roundTrip(model);
    assert.ok(toMermaid(model).includes('Post }o..o{ Tag : "_PostToTag"'));
  });

  it('hostile names: quoted, spelled, never a syntax error', async () => {
    await roundTrip(hostileDiagram());
  });

  it('keys to tables not drawn, as comments (hostile names in them too)', async () => {
    const model = partsDiagram(
      [
        {
          file: '/o/001.sql',
          direction: 'up',
          text: `CREATE TABLE profiles (id uuid PRIMARY KEY REFERENCES auth.users);
                 CREATE TABLE "%%{init: {'theme':'dark'}}%%" ("x}" int REFERENCES "a{b"."c%%d" ("e""f"), p uuid REFERENCES profiles);`,
        },
      ],
      defaultConfig('/o'),
      'o/',
    );
    const text = toMermaid(model);
    assert.equal(text.split('\n').filter((l) => l.trimStart().startsWith('%%')).length, 2, text);
    await roundTrip(model);
  });

  it('a broken export is a parse error here (the check can fail)', async () => {
    const parsed = await parse('erDiagram\n  "a"b" {\n  }\n');
    assert.ok(parsed.error, 'mermaid.parse accepted a name with a quote in it');
  });
});
