/**
 * The viewer's HTML shell, shared by the webview host and the benchmark harness so both run
 * the page under the same Content-Security-Policy. No data goes in here: the plan arrives by
 * message and is drawn with the DOM API.
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

export function viewerHtml(o: ViewerHtmlOptions): string {
  const prelude = o.preludeScript ? `<script nonce="${attr(o.nonce)}">${o.preludeScript.replace(/<\//g, '<\\/')}</script>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>pglens plan</title>
</head>
<body>
<div id="app"></div>
${prelude}<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>`;
}

/** Text for a double-quoted HTML attribute. */
export function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
