/**
 * Character-level helpers over schema.prisma text. prisma-ast's node locations cover only
 * names (a field's name, an attribute's `@name`), so the full extent of a field type or an
 * attribute with its arguments is found here by scanning the text.
 */

/** Where an unterminated `/*` starts, when one does. */
export interface BlankedText {
  text: string;
  unterminatedCommentAt?: number;
}

/**
 * Replace each `/* … *\/` comment by spaces (newlines kept), so offsets and lines stay true.
 * prisma-ast 0.15 has no token for block comments and fails on them. Strings and `//`
 * comments are skipped so a `/*` inside them is left alone.
 */
export function blankBlockComments(text: string): BlankedText {
  if (!text.includes('/*')) return { text };
  const out = text.split('');
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = endOfString(text, i);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close === -1 ? text.length : close + 2;
      for (let k = i; k < end; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
      if (close === -1) return { text: out.join(''), unterminatedCommentAt: i };
      i = end;
    } else {
      i++;
    }
  }
  return { text: out.join('') };
}

/** Offset just past the string literal that opens at `start` (or the end of its line when unclosed). */
export function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else if (c === '\n' || c === '\r') return i;
    else i++;
  }
  return i;
}

/**
 * prisma-ast's lexer, mirrored: its tokenizer drops characters it has no token for without
 * failing, so a stray `$` would vanish silently. Sticky, tried in the library's order.
 */
const TOKEN =
  /\/\/[^\n\r]*|\r?\n|\s+|@@|@|[.?{}[\]():,=]|"(?:[^\\"\n\r]|\\(?:[bfnrtv"\\/]|u[0-9a-fA-F]{4}))*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|[a-zA-Z][\w-]*/y;

/** Offset of the first character prisma-ast cannot tokenize, if any. */
export function firstUntokenizable(text: string): number | undefined {
  let i = 0;
  while (i < text.length) {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(text);
    if (!m || m[0].length === 0) return i;
    i += m[0].length;
  }
  return undefined;
}

/** Offset of the first character at or after `offset` that is not a space or tab. */
export function skipInlineSpace(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

/** Offset just past the `)` that closes the `(` at `open`, skipping strings; the text length when unbalanced. */
export function endOfParens(text: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = endOfString(text, i);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
    i++;
  }
  return text.length;
}

/** Offset just past an identifier (`[A-Za-z][\w-]*`) starting at `offset`; `offset` itself when none starts there. */
export function endOfIdentifier(text: string, offset: number): number {
  if (!/[A-Za-z]/.test(text[offset] ?? '')) return offset;
  let i = offset + 1;
  while (i < text.length && /[\w-]/.test(text[i])) i++;
  return i;
}

/** Leading spaces and tabs of the line that contains `offset`. */
export function indentationAt(text: string, offset: number): string {
  let start = offset;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
  let end = start;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  return text.slice(start, end);
}

/** Offset of the first character of the line that contains `offset`. */
export function lineStartAt(text: string, offset: number): number {
  let start = offset;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
  return start;
}

/** Offset just past the line break that ends the line containing `offset` (the text length on the last line). */
export { nextLineStart } from '../migrations/lines';

/** The line break style the text uses. */
export function lineBreakOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** A top-level `keyword Name {` block found by brace counting, independent of the parser. */
export interface TextBlock {
  keyword: string;
  keywordOffset: number;
  name: string;
  nameOffset: number;
  openOffset: number;
  /** Offset of the closing `}`; undefined when the block is never closed. */
  closeOffset?: number;
}

const HEADER = /([A-Za-z][\w-]*)[ \t]+([A-Za-z][\w.-]*)?[ \t]*\{/y;

/**
 * Top-level blocks of a schema text (strings and `//` comments skipped; block comments must
 * already be blanked). Used to name the block a syntax error sits in.
 */
export function topLevelBlocks(text: string): TextBlock[] {
  const blocks: TextBlock[] = [];
  let depth = 0;
  let current: TextBlock | undefined;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = endOfString(text, i);
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (depth === 0 && /[A-Za-z]/.test(c) && (i === 0 || !/[\w-]/.test(text[i - 1]))) {
      HEADER.lastIndex = i;
      const m = HEADER.exec(text);
      if (m) {
        const openOffset = i + m[0].length - 1;
        current = {
          keyword: m[1],
          keywordOffset: i,
          name: m[2] ?? '',
          nameOffset: m[2] ? text.indexOf(m[2], i + m[1].length) : openOffset,
          openOffset,
        };
        blocks.push(current);
        depth = 1;
        i = openOffset + 1;
        continue;
      }
    }
    if (c === '{') depth++;
    else if (c === '}' && depth > 0) {
      depth--;
      if (depth === 0 && current) {
        current.closeOffset = i;
        current = undefined;
      }
    }
    i++;
  }
  return blocks;
}

/** Offset of the `}` that closes the `{` at `open` (strings and `//` comments skipped); undefined when unclosed. */
export function matchingBrace(text: string, open: number): number | undefined {
  let depth = 0;
  let i = open;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = endOfString(text, i);
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
    i++;
  }
  return undefined;
}
