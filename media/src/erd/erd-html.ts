/**
 * The schema diagram's HTML shell, shared by the webview host and the test/bench harness, under
 * the plan viewer's Content-Security-Policy (nonce'd scripts, stylesheets from the extension
 * only). No data goes in here: the diagram arrives by message and is drawn with the DOM API.
 */
import { attr, contentSecurityPolicy } from '../viewer-html';

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

export function erdHtml(o: ErdHtmlOptions): string {
  const prelude = o.preludeScript ? `<script nonce="${attr(o.nonce)}">${o.preludeScript.replace(/<\//g, '<\\/')}</script>` : '';
  const links = [...(o.extraStyleUris ?? []), o.styleUri].map((u) => `<link rel="stylesheet" href="${attr(u)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
${links}
<title>pglens schema diagram</title>
</head>
<body>
<div id="app"></div>
${prelude}<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>`;
}
