/**
 * Connection strings with their secrets replaced by `***`, for every place one is shown: labels,
 * error messages, the status bar. Works on a `postgresql://` (or any) URL, a keyword/value string
 * (`host=db password=…`) or a message that quotes either. Written for malformed input too (it
 * runs on the URL an error is about): where the password ends is guessed generously, so an odd
 * URL loses more than its password, never less.
 */

/** Parameter names that hold a secret: password, sslpassword (the client key's passphrase), passphrase, *secret*, *token*. */
const SECRET_KEY = /pass|secret|token/i;

/** Any scheme: a `--db mysql://…` is refused with the URL quoted, and must lose its password too. */
const SCHEME = /[a-z][a-z0-9+.-]*:\/\//gi;
/** What may follow the `@` of the userinfo: a host list (`h`, `[::1]`, `h:5432,h2`) up to the path, query or end. */
const HOST_THEN_END = /^[A-Za-z0-9._~\-[\]:%,]*(?=[/?#\s"'`)]|$)/;
/** `key=value` (URL query or keyword/value); a keyword/value value may be single-quoted with `\` escapes. */
const PARAM = /(^|[\s?&;])([A-Za-z0-9_.%-]+)([ \t]*=[ \t]*)('(?:[^'\\]|\\.)*'?|[^\s&]*)/g;

export function redactSecrets(text: string): string {
  return redactParams(redactUserinfo(text));
}

/**
 * `scheme://user:password@host` → `scheme://user:***@host`. The userinfo ends at the last `@`
 * that a host list follows, not at the first `/`, `?` or `#`: a password with those unencoded
 * is still hidden whole.
 */
function redactUserinfo(text: string): string {
  let out = '';
  let done = 0;
  for (const m of text.matchAll(SCHEME)) {
    const start = m.index + m[0].length;
    if (start < done) continue;
    const at = lastHostAt(text, start);
    if (at < 0) continue;
    const colon = text.indexOf(':', start);
    if (colon < 0 || colon > at) continue;
    out += text.slice(done, colon + 1) + '***';
    done = at;
  }
  return out + text.slice(done);
}

function lastHostAt(text: string, from: number): number {
  for (let at = text.lastIndexOf('@'); at >= from; at = text.lastIndexOf('@', at - 1)) {
    if (HOST_THEN_END.test(text.slice(at + 1))) return at;
  }
  return -1;
}

function redactParams(text: string): string {
  return text.replace(PARAM, (whole, before: string, key: string, equals: string) =>
    SECRET_KEY.test(decodeKey(key)) ? `${before}${key}${equals}***` : whole,
  );
}

/** `pass%77ord` is `password` to a URL parser. */
function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}
