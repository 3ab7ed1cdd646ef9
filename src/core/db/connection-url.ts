import { PglensError } from '../errors';
import { redactSecrets } from './redact';

const ENCODED: Record<string, string> = { '/': '%2F', '?': '%3F', '#': '%23' };

/**
 * Refuses a `postgresql://` URL that `pg` would fail to read (its error is a bare "Invalid
 * URL") or would read as something else, naming the cause and the fix. `source` says where the
 * URL came from (`--db`, `DATABASE_URL`, …). The URL is shown with its secrets hidden.
 */
export function checkConnectionUrl(url: string, source: string): void {
  const problem = urlProblem(url.trim());
  if (problem) {
    throw new PglensError('bad-input', `${source} is not a usable connection URL: ${problem.cause} (${redactSecrets(url)})`, problem.fix);
  }
}

interface Problem {
  cause: string;
  fix: string;
}

function urlProblem(url: string): Problem | undefined {
  const afterScheme = url.indexOf('//') + 2;
  // A URL parser ends the authority (userinfo@hosts) at the first `/`, `?` or `#`.
  const end = firstOf(url, '/?#', afterScheme);
  const authority = url.slice(afterScheme, end);
  const at = authority.lastIndexOf('@');
  if (at < 0 && url.indexOf('@', end) >= 0 && !isHostList(authority)) {
    // `user:pa/ss@host`: the parser saw host `user`, port `pa` — the password holds a delimiter.
    const c = url[end];
    const part = authority.includes(':') ? 'password' : 'user name';
    return { cause: `the ${part} contains an unencoded "${c}", which ends the host part of a URL`, fix: `percent-encode the ${part}: ${c} → ${ENCODED[c]}` };
  }
  const userinfo = at < 0 ? undefined : authority.slice(0, at);
  // libpq (psql) refuses a stray `%`; pg takes it as itself but would take `%41` as `A`: `%25` is what both read as `%`.
  const badPercent = userinfo?.search(/%(?![0-9A-Fa-f]{2})/) ?? -1;
  if (userinfo !== undefined && badPercent >= 0) {
    const colon = userinfo.indexOf(':');
    const part = colon >= 0 && badPercent > colon ? 'password' : 'user name';
    return { cause: `the ${part} contains a "%" that does not start a percent-encoded byte`, fix: `percent-encode the ${part}: % → %25` };
  }
  const hosts = authority.slice(at + 1);
  if (hosts.includes(',')) {
    return { cause: `it lists several hosts (${hosts})`, fix: 'pglens connects to one server: keep one host:port' };
  }
  const m = /^(\[[^\]]*\]|[^:[\]]*)(?::(.*))?$/.exec(hosts);
  if (!m) return NOT_A_URL;
  const host = m[1];
  const port: string | undefined = m[2];
  if (port !== undefined && port !== '') {
    if (!/^\d+$/.test(port)) return { cause: `the port "${port}" is not a number`, fix: 'write the port as digits, e.g. :5432' };
    if (Number(port) < 1 || Number(port) > 65535) return { cause: `the port ${port} is out of range`, fix: 'use a port from 1 to 65535 (PostgreSQL\'s default is 5432)' };
  }
  if (host === '' && (port !== undefined || (userinfo !== undefined && url[end] !== '/'))) {
    return { cause: 'it names no host', fix: 'write the host after the "@": postgresql://user:password@HOST:5432/database' };
  }
  // As pg reads it: `user@/db` means the default host.
  return URL.canParse(url.replace('@/', '@localhost/')) ? undefined : NOT_A_URL;
}

const NOT_A_URL: Problem = {
  cause: 'it is not a valid URL',
  fix: 'write it as postgresql://user:password@host:5432/database, with special characters of the user name and password percent-encoded',
};

function firstOf(text: string, chars: string, from: number): number {
  for (let i = from; i < text.length; i++) if (chars.includes(text[i])) return i;
  return text.length;
}

/** `host`, `host:5432`, `[::1]:5432`, `h1,h2:5433` — what an authority without userinfo must be. */
function isHostList(authority: string): boolean {
  return authority.split(',').every((h) => /^(?:\[[0-9A-Fa-f:.]*\]|[^:[\]]*)(?::\d*)?$/.test(h));
}
