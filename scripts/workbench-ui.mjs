// Drives the workbench as a user does: opens queries.sql from the explorer, clicks the
// "Explain Analyze" code lens above the first statement, waits for the plan viewer and reads
// the findings and the hot node inside the webview. Used by vscode-tests.mjs (as a check) and
// screenshots.mjs (for docs/images).
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser, testUrl } from './editor-host.mjs';

export const THEMES = { light: 'Default Light Modern', dark: 'Default Dark Modern' };

/** User settings for the next workbench load (code-server reads them from the user data dir). */
export function writeUserSettings(runDir, theme) {
  const dir = path.join(runDir, 'user-data', 'User');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({
    'workbench.colorTheme': THEMES[theme],
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'chat.commandCenter.enabled': false,
    'editor.minimap.enabled': false,
  }, null, 2));
}

/** Settles like the first of `promises` to settle; the others' later rejections are ignored. */
function firstOf(promises) {
  for (const p of promises) p.catch(() => {});
  return Promise.race(promises);
}

/**
 * Returns { findings, hotNodes } (texts from the viewer). `devPath` loads the extension under
 * development instead of the installed one; `shots` = { dir, suffix } saves <name><suffix>.png screenshots.
 */
export async function explainInWorkbench(server, { folder, devPath, shots, log = () => {} }) {
  const url = devPath ? testUrl(server, { devPath, folder }) : `${server.url}/?folder=${encodeURIComponent(folder)}`;
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  const shot = async (name) => {
    if (shots) await page.screenshot({ path: path.join(shots.dir, `${name}${shots.suffix}.png`) });
  };
  try {
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'queries.sql' });
    await row.waitFor({ timeout: 60_000 });
    await row.click();
    await page.locator('.monaco-editor .view-lines', { hasText: 'refunded' }).first().waitFor({ timeout: 30_000 });
    log('queries.sql open');
    const lens = page.locator('.codelens-decoration a', { hasText: /^Explain Analyze$/ }).first();
    await lens.waitFor({ timeout: 60_000 });
    log('code lens visible');
    await shot('code-lens');
    await lens.click();
    const viewer = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await firstOf([
      viewer.locator('.finding').first().waitFor({ timeout: 90_000 }),
      // An error notification means the viewer will never come: fail with its text at once.
      page.locator('.notification-toast:has(.codicon-error)', { hasText: 'pglens' }).first().waitFor({ timeout: 90_000 })
        .then(async () => {
          const text = await page.locator('.notification-toast:has(.codicon-error)').first().innerText();
          await shot('notification');
          throw new Error(`the extension reported: ${text.replace(/\s+/g, ' ')}`);
        }),
    ]);
    await viewer.locator('.node.hot').first().waitFor({ timeout: 10_000 });
    log('plan viewer shows findings and the hot node');
    const findings = await viewer.locator('.finding').allInnerTexts();
    const hotNodes = await viewer.locator('.node.hot').allInnerTexts();
    // Let the progress notification fade so the screenshot shows the viewer, not a toast.
    await page.waitForTimeout(1500);
    await shot('plan-viewer');
    return { findings, hotNodes };
  } catch (e) {
    if (shots) await page.screenshot({ path: path.join(shots.dir, `failure${shots.suffix}.png`) }).catch(() => {});
    throw e;
  } finally {
    await browser.close();
  }
}
