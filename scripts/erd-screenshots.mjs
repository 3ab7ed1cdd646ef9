// Screenshots of the schema diagram for the README, in the light and the dark theme, taken in
// the real workbench (code-server + Chromium) on a copy of examples/shop: its first migration
// open on the left, pglens: Show Schema Diagram run from the command palette, the `orders` table
// clicked (its definition revealed on the left, its findings listed in the diagram's pane).
//
// usage: node scripts/erd-screenshots.mjs [--vsix <file>] [--dev] [--out docs/images]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkEditorInstalled, installVsix, launchBrowser, makeRunDir, repoRoot, startServer, testUrl } from './editor-host.mjs';
import { THEMES, writeUserSettings } from './workbench-ui.mjs';

const { values: opts } = parseArgs({
  options: { vsix: { type: 'string' }, dev: { type: 'boolean' }, out: { type: 'string', default: 'docs/images' } },
});

async function paletteCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

async function shoot(server, { folder, devPath, file, log }) {
  const url = devPath ? testUrl(server, { devPath, folder }) : `${server.url}/?folder=${encodeURIComponent(folder)}`;
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  try {
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const migrations = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'migrations' });
    await migrations.waitFor({ timeout: 60_000 });
    await migrations.click();
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: '002_orders.sql' });
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await page.locator('.monaco-editor .view-lines', { hasText: 'order_items' }).first().waitFor({ timeout: 30_000 });
    log('002_orders.sql open');
    await paletteCommand(page, 'View: Toggle Primary Side Bar Visibility');
    await paletteCommand(page, 'pglens: Show Schema Diagram');
    const diagram = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await diagram.locator('.table').first().waitFor({ timeout: 60_000 });
    log('diagram drawn');
    await diagram.locator('.table .name', { hasText: /^orders$/ }).click();
    await diagram.locator('#details h2', { hasText: 'orders' }).waitFor({ timeout: 10_000 });
    // The notification fades and the editor settles on the revealed line.
    await page.waitForTimeout(1500);
    await page.screenshot({ path: file });
    log(`wrote ${path.relative(repoRoot, file)}`);
  } catch (e) {
    await page.screenshot({ path: file.replace(/\.png$/, '-failure.png') }).catch(() => {});
    throw e;
  } finally {
    await browser.close();
  }
}

async function main() {
  checkEditorInstalled();
  const { name, version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const vsix = path.resolve(opts.vsix ?? path.join(repoRoot, `${name}-${version}.vsix`));
  if (!opts.dev && !fs.existsSync(vsix)) throw new Error(`no package at ${vsix}. Run: npm run package (or pass --dev)`);
  const outDir = path.resolve(repoRoot, opts.out);
  fs.mkdirSync(outDir, { recursive: true });
  const runDir = makeRunDir('erd-screenshots');
  const folder = path.join(runDir, 'shop');
  fs.cpSync(path.join(repoRoot, 'examples', 'shop'), folder, { recursive: true });
  if (!opts.dev) await installVsix(runDir, vsix);
  const server = await startServer(runDir);
  try {
    for (const theme of Object.keys(THEMES)) {
      writeUserSettings(runDir, theme);
      await shoot(server, {
        folder,
        devPath: opts.dev ? repoRoot : undefined,
        file: path.join(outDir, `schema-diagram-${theme}.png`),
        log: (m) => console.log(`[${theme}] ${m}`),
      });
    }
  } finally {
    server.stop();
  }
  fs.rmSync(runDir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(`erd-screenshots: ${e.message}`);
  process.exit(1);
});
