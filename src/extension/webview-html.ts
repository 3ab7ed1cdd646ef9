/**
 * The HTML shells of the extension's webviews — the plan viewer (media/src/plan-viewer.ts) and
 * the schema diagram (media/src/erd/erd-viewer.ts) — shared by the webview hosts (plan-panel.ts,
 * erd-panel.ts) and the test and benchmark harnesses, so all run the pages under the same
 * Content-Security-Policy (nonce'd scripts, stylesheets from the extension only). No data goes
 * in here: plans and diagrams arrive by message and are drawn with the DOM API. Host-side code:
 * the webview scripts never import it, and it imports nothing (not even vscode).
 */

export interface ViewerHtmlOptions {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** Extra script (the harness's stand-in for acquireVsCodeApi), run under the same nonce. */
  preludeScript?: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

/** The one page both panels use: CSP with the nonce, stylesheets, an `#app` root, the optional prelude and the panel's script. */
function webviewPage(o: { cspSource: string; nonce: string; scriptUri: string; styleUris: string[]; title: string; preludeScript?: string }): string {
  const prelude = o.preludeScript ? `<script nonce="${attr(o.nonce)}">${o.preludeScript.replace(/<\//g, '<\\/')}</script>` : '';
  const links = o.styleUris.map((u) => `<link rel="stylesheet" href="${attr(u)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
${links}
<title>${o.title}</title>
</head>
<body>
<div id="app"></div>
${prelude}<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>`;
}

/** The plan viewer's page. */
export function viewerHtml(o: ViewerHtmlOptions): string {
  return webviewPage({ ...o, styleUris: [o.styleUri], title: 'pglens plan' });
}

/** Text for a double-quoted HTML attribute. */
export function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface ErdHtmlOptions {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** Extra script (the harness's stand-in for acquireVsCodeApi), run under the same nonce. */
  preludeScript?: string;
  /** Extra stylesheets before the diagram's (the harness's theme palette). */
  extraStyleUris?: string[];
}

/** The schema diagram's page. */
export function erdHtml(o: ErdHtmlOptions): string {
  return webviewPage({ ...o, styleUris: [...(o.extraStyleUris ?? []), o.styleUri], title: 'pglens schema diagram' });
}
