import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PglensError } from '../errors';

/**
 * Connection resolution of CLI.md: `--db URL`, else DATABASE_URL in the environment, else
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
      throw new PglensError('bad-input', `--db must be a postgresql:// URL, got "${redactUrl(input.db)}"`, 'pass --db postgresql://user@host:5432/database');
    }
    return { kind: 'server', url: input.db, source: 'flag' };
  }
  const fromEnv = input.env.DATABASE_URL;
  if (fromEnv && isPostgresUrl(fromEnv)) return { kind: 'server', url: fromEnv, source: 'env' };
  const dotenv = await readDotEnv(input.cwd);
  const fromFile = dotenv.DATABASE_URL;
  if (fromFile && isPostgresUrl(fromFile)) return { kind: 'server', url: fromFile, source: 'dotenv' };
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
 * dotenv syntax as Prisma reads it: `KEY=value`, optional `export `, `#` comments, single,
 * double (escapes, multi-line) and backtick quotes, and `${VAR}` expansion in unquoted and
 * double-quoted values (earlier keys of the file, then the environment).
 */
export function parseDotEnv(text: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
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
        value = q === '"' ? expand(unescapeDoubleQuoted(raw), out, env) : raw;
        i = end + 1;
      }
    } else {
      const nl = src.indexOf('\n', i);
      const raw = src.slice(i, nl < 0 ? src.length : nl);
      value = expand(raw.replace(/(^|[ \t])#.*$/, '').trim(), out, env);
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

function expand(value: string, vars: Record<string, string>, env: NodeJS.ProcessEnv): string {
  return value.replace(/\\?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) =>
    whole.startsWith('\\') ? whole.slice(1) : (vars[name] ?? env[name] ?? ''),
  );
}

/** The URL with its password replaced by `***` (also `password=` query parameters). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of [...u.searchParams.keys()]) {
      if (/^pass(word)?$/i.test(key)) u.searchParams.set(key, '***');
    }
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@').replace(/(password=)[^&\s]*/gi, '$1***');
  }
}
