/**
 * A stand-in for the VS Code webview: serves the bundled viewer over HTTP under the same
 * Content-Security-Policy as plan-panel.ts, with an acquireVsCodeApi that records messages and
 * keeps state in sessionStorage (so a reload restores like VS Code's serializer), and a small
 * light/dark palette of --vscode-* variables. Used by the Chromium tests and bench/plan-viewer.mjs.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { viewerHtml } from '../../../src/extension/webview-html';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = join(dir, '..');
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
}

/** The --vscode-* variables of the light and dark themes (also served by the schema diagram's harness). */
export const PALETTES: Record<'light' | 'dark', Record<string, string>> = {
  dark: {
    'font-family': 'system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif',
    'font-size': '13px',
    'editor-font-family': '"DejaVu Sans Mono", Menlo, Consolas, monospace',
    foreground: '#cccccc',
    descriptionForeground: '#9d9d9d',
    'editor-background': '#1f1f1f',
    'panel-border': '#2b2b2b',
    focusBorder: '#0078d4',
    'list-hoverBackground': '#2a2d2e',
    'list-activeSelectionBackground': '#04395e',
    'list-activeSelectionForeground': '#ffffff',
    'list-inactiveSelectionBackground': '#37373d',
    'button-background': '#0078d4',
    'button-foreground': '#ffffff',
    'button-hoverBackground': '#026ec1',
    'button-secondaryBackground': '#313131',
    'button-secondaryForeground': '#cccccc',
    'button-secondaryHoverBackground': '#3c3c3c',
    errorForeground: '#f85149',
    'editorWarning-foreground': '#cca700',
    'editorInfo-foreground': '#3794ff',
    'inputValidation-errorBackground': '#5a1d1d',
    'inputValidation-errorBorder': '#be1100',
    'textLink-foreground': '#4daafc',
    'textLink-activeForeground': '#4daafc',
    'textCodeBlock-background': '#2b2b2b',
    'badge-background': '#616161',
    'badge-foreground': '#f8f8f8',
    'charts-red': '#f14c4c',
    'charts-orange': '#d18616',
    'charts-green': '#89d185',
    'panelTitle-activeBorder': '#0078d4',
    'panelTitle-activeForeground': '#cccccc',
    'panelTitle-inactiveForeground': '#9d9d9d',
    'input-background': '#313131',
    'input-foreground': '#cccccc',
    'input-border': '#3c3c3c',
  },
  light: {
    'font-family': 'system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif',
    'font-size': '13px',
    'editor-font-family': '"DejaVu Sans Mono", Menlo, Consolas, monospace',
    foreground: '#3b3b3b',
    descriptionForeground: '#717171',
    'editor-background': '#ffffff',
    'panel-border': '#e5e5e5',
    focusBorder: '#005fb8',
    'list-hoverBackground': '#f2f2f2',
    'list-activeSelectionBackground': '#e8e8e8',
    'list-activeSelectionForeground': '#000000',
    'list-inactiveSelectionBackground': '#e4e6f1',
    'button-background': '#005fb8',
    'button-foreground': '#ffffff',
    'button-hoverBackground': '#0258a8',
    'button-secondaryBackground': '#e5e5e5',
    'button-secondaryForeground': '#3b3b3b',
    'button-secondaryHoverBackground': '#cccccc',
    errorForeground: '#f85149',
    'editorWarning-foreground': '#bf8803',
    'editorInfo-foreground': '#1a85ff',
    'inputValidation-errorBackground': '#f2dede',
    'inputValidation-errorBorder': '#be1100',
    'textLink-foreground': '#005fb8',
    'textLink-activeForeground': '#005fb8',
    'textCodeBlock-background': '#f3f3f3',
    'badge-background': '#cccccc',
    'badge-foreground': '#3b3b3b',
    'charts-red': '#e51400',
    'charts-orange': '#d18616',
    'charts-green': '#388a34',
    'panelTitle-activeBorder': '#005fb8',
    'panelTitle-activeForeground': '#3b3b3b',
    'panelTitle-inactiveForeground': '#3b3b3b',
    'input-background': '#ffffff',
    'input-foreground': '#3b3b3b',
    'input-border': '#cecece',
  },
};

/** Stand-in for acquireVsCodeApi; runs before the bundle under the page's nonce. */
const PRELUDE = `
window.__toHost = [];
window.__csp = [];
window.__stateWrites = 0;
document.addEventListener('securitypolicyviolation', function (e) { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });
var saved = sessionStorage.getItem('pglens-state');
window.acquireVsCodeApi = function () {
  return {
    postMessage: function (m) { window.__toHost.push(m); },
    getState: function () { return saved ? JSON.parse(saved) : undefined; },
    setState: function (s) {
      var json = JSON.stringify(s);
      window.__stateWrites++;
      window.__stateBytes = json.length;
      try { sessionStorage.setItem('pglens-state', json); } catch (e) { window.__stateTooBig = true; }
    }
  };
};`;

export interface Harness {
  /** Page URL; `?theme=light|dark`. */
  url: string;
  close(): Promise<void>;
}

/** The viewer bundle, built the way esbuild.config.mjs builds media/dist/plan-viewer.js. */
export async function buildViewer(): Promise<string> {
  const bundle = await build(viewerBuildOptions(repoRoot()));
  return bundle.outputFiles[0].text;
}

export function viewerBuildOptions(root: string) {
  return {
    entryPoints: [join(root, 'media/src/plan-viewer.ts')],
    bundle: true,
    format: 'iife' as const,
    platform: 'browser' as const,
    target: 'es2020',
    write: false as const,
    logLevel: 'silent' as const,
  };
}

/** `js`: a prebuilt bundle (the benchmark builds its own: esbuild cannot start inside tsx's tsImport). */
export async function startHarness(js?: string): Promise<Harness> {
  const root = repoRoot();
  if (js === undefined) js = await buildViewer();
  const css = readFileSync(join(root, 'media/plan-viewer.css'), 'utf8');
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/plan-viewer.js') return send(res, 'text/javascript', js);
    if (url.pathname === '/plan-viewer.css') return send(res, 'text/css', css);
    if (url.pathname === '/theme.css') {
      const palette = PALETTES[url.searchParams.get('theme') === 'light' ? 'light' : 'dark'];
      return send(res, 'text/css', `:root {\n${Object.entries(palette).map(([k, v]) => `  --vscode-${k}: ${v};`).join('\n')}\n}\n`);
    }
    if (url.pathname === '/') {
      const theme = url.searchParams.get('theme') === 'light' ? 'light' : 'dark';
      const html = viewerHtml({
        cspSource: origin,
        nonce: randomBytes(18).toString('base64'),
        scriptUri: `${origin}/plan-viewer.js`,
        styleUri: `${origin}/plan-viewer.css`,
        preludeScript: PRELUDE,
      }).replace('<link rel="stylesheet"', `<link rel="stylesheet" href="${origin}/theme.css?theme=${theme}">\n<link rel="stylesheet"`);
      return send(res, 'text/html', html);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function send(res: import('node:http').ServerResponse, type: string, body: string): void {
  res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
  res.end(body);
}
