import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PglensError } from '../errors';
import { checkConnectionUrl } from './connection-url';
import { redactSecrets } from './redact';

/**
 * docs/cli.md "Connection resolution": `--db URL`, else DATABASE_URL in the environment, else
 * DATABASE_URL in `./.env`, else the embedded sandbox. The editor uses `readDotEnv` to offer
 * the workspace's DATABASE_URL as a connection.
 */
export type ResolvedConnection =
  | { kind: 'server'; url: string; source: 'flag' | 'env' | 'dotenv' }
  | { kind: 'embedded'; reason: string };

export interface ResolveInput {
  /** Value of `--db`. */
  db?: string;
  /** `--embedded`: use the sandbox whatever else is set. */
  embedded?: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export async function resolveConnection(input: ResolveInput): Promise<ResolvedConnection> {
  if (input.embedded) return { kind: 'embedded', reason: '--embedded was given' };
  if (input.db !== undefined) {
    if (!isPostgresUrl(input.db)) {
      throw new PglensError('bad-input', `--db must be a postgresql:// URL, got "${redactSecrets(input.db)}"`, 'pass --db postgresql://user@host:5432/database');
    }
    checkConnectionUrl(input.db, '--db');
    return { kind: 'server', url: input.db, source: 'flag' };
  }
  const fromEnv = input.env.DATABASE_URL;
  if (fromEnv && isPostgresUrl(fromEnv)) {
    checkConnectionUrl(fromEnv, 'DATABASE_URL');
    return { kind: 'server', url: fromEnv, source: 'env' };
  }
  const dotenv = await readDotEnv(input.cwd);
  const fromFile = dotenv.DATABASE_URL;
  if (fromFile && isPostgresUrl(fromFile)) {
    checkDotEnvUrl(fromFile);
    return { kind: 'server', url: fromFile, source: 'dotenv' };
  }
  const ignored = fromEnv ? `DATABASE_URL (${scheme(fromEnv)}) is not a PostgreSQL URL` : fromFile ? `DATABASE_URL in .env (${scheme(fromFile)}) is not a PostgreSQL URL` : undefined;
  return { kind: 'embedded', reason: ignored ?? 'no --db, no DATABASE_URL in the environment or in .env' };
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(url.trim());
}

function scheme(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim());
  return m ? `${m[1]}:` : 'no scheme';
}

/** Variables of `<dir>/.env`; {} when there is none. */
export async function readDotEnv(dir: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, '.env'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new PglensError('bad-input', `could not read ${path.join(dir, '.env')}: ${(e as Error).message}`, 'check the file\'s permissions');
  }
  return parseDotEnv(text);
}

/**
 * A `.env` DATABASE_URL before use: a `${NAME}` left in it is a variable the file does not
 * define, which pglens does not take from the environment (see parseDotEnv), so the URL would
 * reach the server with that text in it. Then its syntax, as checkConnectionUrl.
 */
export function checkDotEnvUrl(url: string): void {
  const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(url);
  if (reference) {
    throw new PglensError(
      'bad-input',
      `DATABASE_URL in .env uses \${${reference[1]}}, which .env does not define; pglens does not fill .env values from the environment, so a repository's .env cannot send your secrets to a server it names`,
      `define ${reference[1]} in .env itself (the CLI also takes --db URL, or DATABASE_URL from the environment)`,
    );
  }
  checkConnectionUrl(url, 'DATABASE_URL in .env');
}

/**
 * dotenv syntax as Prisma reads it: `KEY=value`, optional `export `, `#` comments, single,
 * double (escapes, multi-line) and backtick quotes, and `${VAR}` expansion in unquoted and
 * double-quoted values — from earlier keys of the same file only. Prisma would also take the
 * process environment; pglens does not: a repository's `.env` could otherwise put
 * `${AWS_SECRET_ACCESS_KEY}` into the password sent to a host it names. An unknown `${VAR}`
 * stays as written.
 */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const src = text.replace(/\r\n?/g, '\n');
  const line = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*[=:][ \t]*/gm;
  let m: RegExpExecArray | null;
  while ((m = line.exec(src))) {
    const key = m[1];
    let i = line.lastIndex;
    const q = src[i];
    let value: string;
    if (q === '"' || q === "'" || q === '`') {
      const end = findClosingQuote(src, i + 1, q);
      if (end < 0) {
        value = src.slice(i, src.indexOf('\n', i) < 0 ? src.length : src.indexOf('\n', i)).trim();
        i += value.length;
      } else {
        const raw = src.slice(i + 1, end);
        value = q === '"' ? expand(unescapeDoubleQuoted(raw), out) : raw;
        i = end + 1;
      }
    } else {
      const nl = src.indexOf('\n', i);
      const raw = src.slice(i, nl < 0 ? src.length : nl);
      value = expand(raw.replace(/(^|[ \t])#.*$/, '').trim(), out);
      i += raw.length;
    }
    out[key] = value;
    const nl = src.indexOf('\n', i);
    line.lastIndex = nl < 0 ? src.length : nl + 1;
  }
  return out;
}

function findClosingQuote(src: string, from: number, q: string): number {
  for (let i = from; i < src.length; i++) {
    if (src[i] === '\\' && q === '"') i++;
    else if (src[i] === q) return i;
  }
  return -1;
}

function unescapeDoubleQuoted(raw: string): string {
  return raw.replace(/\\([nrt"\\$])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}

function expand(value: string, vars: Record<string, string>): string {
  return value.replace(/\\?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) =>
    whole.startsWith('\\') ? whole.slice(1) : (vars[name] ?? whole),
  );
}
