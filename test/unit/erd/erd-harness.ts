/**
 * A stand-in for the schema diagram's webview: serves the bundled viewer over HTTP under the
 * same Content-Security-Policy as erd-panel.ts, with an acquireVsCodeApi that records messages
 * (window.__toHost) and CSP violations (window.__csp), and the light/dark palettes of the plan
 * viewer's harness. Also serves the `mermaid` package on a page of its own (/mermaid.html), for
 * the round trip of the Mermaid export through Mermaid's own parser. Used by the Chromium tests,
 * bench/erd.mjs and scripts/erd-screenshots.mjs.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { erdHtml } from '../../../src/extension/webview-html';
import { PALETTES, repoRoot } from '../viewer/harness';

export { CHROMIUM, CHROMIUM_ARGS } from '../viewer/harness';

const PRELUDE = `
window.__toHost = [];
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });
var saved = sessionStorage.getItem('pglens-erd-state');
window.acquireVsCodeApi = function () {
  return {
    postMessage: function (m) { window.__toHost.push(m); },
    getState: function () { return saved ? JSON.parse(saved) : undefined; },
    setState: function (s) { sessionStorage.setItem('pglens-erd-state', JSON.stringify(s)); }
  };
};`;

export interface ErdHarness {
  /** The viewer page; `?theme=light|dark`. */
  url: string;
  /** A page with `window.mermaid` loaded (no viewer). */
  mermaidUrl: string;
  close(): Promise<void>;
}

/** Built as esbuild.config.mjs builds media/dist/erd-viewer.js. */
export function erdBuildOptions(root: string) {
  return {
    entryPoints: [join(root, 'media/src/erd/erd-viewer.ts')],
    bundle: true,
    format: 'iife' as const,
    platform: 'browser' as const,
    target: 'es2020',
    write: false as const,
    logLevel: 'silent' as const,
  };
}

export async function buildErdViewer(): Promise<string> {
  return (await build(erdBuildOptions(repoRoot()))).outputFiles[0].text;
}

/** `js`: a prebuilt bundle (a benchmark run under tsx builds its own). */
export async function startErdHarness(js?: string): Promise<ErdHarness> {
  const root = repoRoot();
  if (js === undefined) js = await buildErdViewer();
  const css = readFileSync(join(root, 'media/erd-viewer.css'), 'utf8');
  let mermaid: string | undefined;
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const theme = url.searchParams.get('theme') === 'light' ? 'light' : 'dark';
    if (url.pathname === '/erd-viewer.js') return send(res, 'text/javascript', js);
    if (url.pathname === '/erd-viewer.css') return send(res, 'text/css', css);
    if (url.pathname === '/theme.css') {
      return send(res, 'text/css', `:root {\n${Object.entries(PALETTES[theme]).map(([k, v]) => `  --vscode-${k}: ${v};`).join('\n')}\n}\n`);
    }
    if (url.pathname === '/mermaid.js') {
      mermaid ??= readFileSync(join(root, 'node_modules/mermaid/dist/mermaid.min.js'), 'utf8');
      return send(res, 'text/javascript', mermaid);
    }
    if (url.pathname === '/mermaid.html') {
      return send(res, 'text/html', `<!DOCTYPE html><html><head><meta charset="utf-8"><script src="${origin}/mermaid.js"></script></head><body></body></html>`);
    }
    if (url.pathname === '/') {
      const html = erdHtml({
        cspSource: origin,
        nonce: randomBytes(18).toString('base64'),
        scriptUri: `${origin}/erd-viewer.js`,
        styleUri: `${origin}/erd-viewer.css`,
        extraStyleUris: [`${origin}/theme.css?theme=${theme}`],
        preludeScript: PRELUDE,
      });
      return send(res, 'text/html', html);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/`,
    mermaidUrl: `${origin}/mermaid.html`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function send(res: ServerResponse, type: string, body: string): void {
  res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
  res.end(body);
}
