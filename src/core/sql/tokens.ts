import { scanSync } from 'libpg-query';
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
    return fallbackTokens(text, base);
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

/** A forgiving lexer: enough to split statements and find constructs when Postgres's scanner gives up. */
export function fallbackTokens(text: string, base = 0): SqlToken[] {
  const out: SqlToken[] = [];
  const n = text.length;
  let i = 0;
  const push = (start: number, end: number, kind: TokenKind, word?: string): void => {
    out.push({ start: start + base, end: end + base, text: text.slice(start, end), kind, word });
  };
  while (i < n) {
    const c = text[i];
    const start = i;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
    } else if (c === '-' && text[i + 1] === '-') {
      while (i < n && text[i] !== '\n') i++;
      push(start, i, 'comment');
    } else if (c === '/' && text[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') (depth++, (i += 2));
        else if (text[i] === '*' && text[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
      push(start, i, 'comment');
    } else if (c === "'" || ((c === 'e' || c === 'E') && text[i + 1] === "'")) {
      const escapes = c !== "'";
      i += escapes ? 2 : 1;
      while (i < n) {
        if (escapes && text[i] === '\\') i += 2;
        else if (text[i] === "'" && text[i + 1] === "'") i += 2;
        else if (text[i] === "'") {
          i++;
          break;
        } else i++;
      }
      push(start, Math.min(i, n), 'string');
    } else if (c === '"') {
      i++;
      while (i < n && !(text[i] === '"' && text[i + 1] !== '"')) i += text[i] === '"' ? 2 : 1;
      i = Math.min(i + 1, n);
      push(start, i, 'ident');
    } else if (c === '$' && /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/.test(text.slice(i, i + 64))) {
      const tag = /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/.exec(text.slice(i, i + 64))![0];
      const close = text.indexOf(tag, i + tag.length);
      i = close < 0 ? n : close + tag.length;
      push(start, i, 'string');
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      while (i < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(text[i])) i++;
      const raw = text.slice(start, i);
      push(start, i, 'ident', raw.toUpperCase());
    } else if (/[0-9]/.test(c)) {
      while (i < n && /[0-9.eE_]/.test(text[i])) i++;
      push(start, i, 'number');
    } else if (c === '$' && /[0-9]/.test(text[i + 1] ?? '')) {
      i++;
      while (i < n && /[0-9]/.test(text[i])) i++;
      push(start, i, 'param');
    } else if (PUNCT.has(c)) {
      i++;
      push(start, i, 'punct');
    } else {
      i++;
      while (i < n && /[+\-*/<>=~!@#%^&|`?:]/.test(text[i]) && !(text[i] === '-' && text[i + 1] === '-')) i++;
      push(start, i, 'operator');
    }
  }
  return out;
}

/** Statement boundaries of a token list: [startToken, endToken) index pairs, split at top-level ';', never inside a BEGIN ATOMIC … END body. */
export function splitTokens(tokens: SqlToken[]): Array<[number, number]> {
  const chunks: Array<[number, number]> = [];
  let chunkStart = 0;
  let atomicDepth = 0;
  let prevWord: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'comment') continue;
    const w = t.word;
    if (atomicDepth > 0) {
      if (w === 'CASE') atomicDepth++;
      else if (w === 'END') atomicDepth--;
    } else if (w === 'ATOMIC' && prevWord === 'BEGIN') {
      atomicDepth = 1;
    } else if (t.text === ';' && t.kind === 'punct') {
      chunks.push([chunkStart, i]);
      chunkStart = i + 1;
    }
    prevWord = w;
  }
  if (chunkStart < tokens.length) chunks.push([chunkStart, tokens.length]);
  return chunks;
}
