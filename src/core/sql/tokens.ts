import { scanSync } from './pg-query';
import { createByteOffsets } from './byte-offsets';

export type TokenKind = 'keyword' | 'ident' | 'string' | 'number' | 'param' | 'operator' | 'punct' | 'comment';

/** One lexical token; offsets are UTF-16 offsets into the text that was scanned, shifted by `base`. */
export interface SqlToken {
  start: number;
  end: number;
  text: string;
  kind: TokenKind;
  /** Upper-cased word for keywords and plain words ('CREATE', 'INDEX', 'ATOMIC'); undefined otherwise. */
  word?: string;
}

const PUNCT = new Set([';', '(', ')', ',', '.', '[', ']']);

/**
 * Tokens of `text` by Postgres's own scanner. Its scanner fails on input it cannot lex
 * (an unterminated quote or comment); then a small fallback lexer takes over, so a broken
 * statement never hides the ones after it.
 */
export function scanTokens(text: string, base = 0): SqlToken[] {
  let scanned;
  try {
    scanned = scanSync(text).tokens;
  } catch {
    return lexTokens(text, base);
  }
  const offsets = createByteOffsets(text);
  const out: SqlToken[] = new Array(scanned.length);
  for (let i = 0; i < scanned.length; i++) {
    const t = scanned[i];
    const start = offsets.toChar(t.start);
    const end = offsets.toChar(t.end);
    const raw = text.slice(start, end);
    let kind: TokenKind;
    let word: string | undefined;
    switch (t.tokenName) {
      case 'IDENT':
      case 'UIDENT':
        kind = 'ident';
        if (raw.charCodeAt(0) !== 34) word = raw.toUpperCase();
        break;
      case 'SCONST':
      case 'USCONST':
      case 'BCONST':
      case 'XCONST':
        kind = 'string';
        break;
      case 'ICONST':
      case 'FCONST':
        kind = 'number';
        break;
      case 'PARAM':
        kind = 'param';
        break;
      case 'SQL_COMMENT':
      case 'C_COMMENT':
        kind = 'comment';
        break;
      default:
        if (t.keywordKind > 0) {
          kind = 'keyword';
          word = raw.toUpperCase();
        } else if (PUNCT.has(raw)) kind = 'punct';
        else if (raw.startsWith("'") || /^[bBxXeEnN]'/.test(raw)) kind = 'string';
        else kind = 'operator';
    }
    out[i] = { start: start + base, end: end + base, text: raw, kind, word };
  }
  return out;
}

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 12;
const isIdentStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
const isIdentPart = (c: number): boolean => isIdentStart(c) || (c >= 48 && c <= 57) || c === 36;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const OPERATOR_CHARS = new Set('+-*/<>=~!@#%^&|`?:'.split('').map((ch) => ch.charCodeAt(0)));
const DOLLAR_TAG = /\$([A-Za-z_\u0080-\uffff][A-Za-z_0-9\u0080-\uffff]*)?\$/y;

/**
 * A small JS lexer with Postgres's quoting rules (strings, E'' escapes, quoted identifiers,
 * dollar quotes, nested block comments). Statements use it for ranges — it costs no WASM
 * round trip — and splitting falls back to it when Postgres's scanner gives up on input.
 * Unquoted words are kind 'ident' with `word` set; it does not tell keywords apart.
 */
export function lexTokens(text: string, base = 0): SqlToken[] {
  const out: SqlToken[] = [];
  const n = text.length;
  let i = 0;
  // charCodeAt past the end is NaN; -1 compares the same, and optimised code that reads past
  // the end of a string deoptimises (once per call site, each time re-optimising lexTokens).
  const at = (k: number): number => (k < n ? text.charCodeAt(k) : -1);
  const push = (start: number, end: number, kind: TokenKind, word?: string): void => {
    out.push({ start: start + base, end: end + base, text: text.slice(start, end), kind, word });
  };
  while (i < n) {
    const c = at(i);
    const next = at(i + 1);
    const start = i;
    if (isSpace(c)) {
      i++;
    } else if (c === 45 && next === 45) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      push(start, i, 'comment');
    } else if (c === 47 && next === 42) {
      const end = blockCommentEnd(text, i);
      i = end < 0 ? n : end;
      push(start, i, 'comment');
    } else if (c === 39 || ((c === 101 || c === 69) && next === 39)) {
      const escapes = c !== 39;
      i += escapes ? 2 : 1;
      while (i < n) {
        const d = at(i);
        if (escapes && d === 92) i += 2;
        else if (d === 39 && at(i + 1) === 39) i += 2;
        else if (d === 39) {
          i++;
          break;
        } else i++;
      }
      push(start, Math.min(i, n), 'string');
    } else if (c === 34) {
      i++;
      while (i < n) {
        if (at(i) === 34) {
          if (at(i + 1) === 34) i += 2;
          else {
            i++;
            break;
          }
        } else i++;
      }
      push(start, Math.min(i, n), 'ident');
    } else if (c === 36 && !isDigit(next)) {
      DOLLAR_TAG.lastIndex = i;
      const m = DOLLAR_TAG.exec(text);
      if (m) {
        const close = text.indexOf(m[0], i + m[0].length);
        i = close < 0 ? n : close + m[0].length;
        push(start, i, 'string');
      } else {
        i++;
        push(start, i, 'operator');
      }
    } else if (isIdentStart(c)) {
      while (i < n && isIdentPart(at(i))) i++;
      // b'…', x'…', n'…', u&'…' literals.
      if (at(i) === 39 && i - start <= 2) {
        i++;
        while (i < n && at(i) !== 39) i++;
        i = Math.min(i + 1, n);
        push(start, i, 'string');
      } else push(start, i, 'ident', text.slice(start, i).toUpperCase());
    } else if (isDigit(c) || (c === 46 && isDigit(next))) {
      i++;
      while (i < n) {
        const d = at(i);
        if (isDigit(d) || d === 46 || d === 95) i++;
        else if ((d === 101 || d === 69) && (isDigit(at(i + 1)) || at(i + 1) === 45 || at(i + 1) === 43)) i += 2;
        else break;
      }
      push(start, i, 'number');
    } else if (c === 36) {
      i++;
      while (i < n && isDigit(at(i))) i++;
      push(start, i, 'param');
    } else if (PUNCT.has(text[i])) {
      i++;
      push(start, i, 'punct');
    } else {
      i++;
      while (i < n && OPERATOR_CHARS.has(at(i))) {
        const d = at(i);
        if ((d === 45 && at(i + 1) === 45) || (d === 47 && at(i + 1) === 42)) break;
        i++;
      }
      push(start, i, 'operator');
    }
  }
  return out;
}

/**
 * Offset just past the block comment that opens at `start`, or -1 when it never closes.
 * Postgres's comments nest: each `/*` inside needs its own `*\/`.
 */
export function blockCommentEnd(text: string, start: number): number {
  const n = text.length;
  let depth = 1;
  let i = start + 2;
  // Stops one short of the end: a two-character delimiter cannot start at the last character.
  while (i < n - 1) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c === 47 && next === 42) {
      depth++;
      i += 2;
    } else if (c === 42 && next === 47) {
      i += 2;
      if (--depth === 0) return i;
    } else i++;
  }
  return -1;
}

/**
 * Statement boundaries of a token list: [startToken, endToken) index pairs, split at a ';'
 * outside parentheses (rule actions) and outside BEGIN ATOMIC … END bodies.
 */
export function splitTokens(tokens: SqlToken[]): Array<[number, number]> {
  const chunks: Array<[number, number]> = [];
  let chunkStart = 0;
  let atomicDepth = 0;
  let parens = 0;
  let prevWord: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'comment') continue;
    const w = t.word;
    if (t.kind === 'punct') {
      if (t.text === '(') parens++;
      else if (t.text === ')' && parens > 0) parens--;
    }
    if (atomicDepth > 0) {
      if (w === 'CASE') atomicDepth++;
      else if (w === 'END') atomicDepth--;
    } else if (w === 'ATOMIC' && prevWord === 'BEGIN') {
      atomicDepth = 1;
    } else if (t.text === ';' && t.kind === 'punct' && parens === 0) {
      chunks.push([chunkStart, i]);
      chunkStart = i + 1;
    }
    prevWord = w;
  }
  if (chunkStart < tokens.length) chunks.push([chunkStart, tokens.length]);
  return chunks;
}
