import { blockCommentEnd, lexTokens } from './tokens';

/** Postgres's message for it, without its "at or near" quote of the whole rest of the input. */
export const UNTERMINATED_COMMENT = 'unterminated /* comment (comments nest: each /* needs its own */)';

/** What libpg-query is given for a text; offsets in it are the text's own. */
export interface ScannerInput {
  /**
   * The text with nested comments' insides blanked, and cut before an unterminated comment.
   * Same UTF-16 offsets, UTF-8 byte offsets and code points as the text up to its end.
   */
  text: string;
  /** Where an unterminated block comment starts (it runs to the end of the text). */
  openCommentAt?: number;
}

/**
 * Postgres's scanner takes quadratic time on nested comments: inside a comment, each `/*`
 * matches itself plus the whole run of operator characters after it (flex's longest match),
 * then gives all but two back, so `/*` repeated 100,000 times takes minutes, in libpg-query
 * as in a server. Comments are whitespace to the grammar, so a nested comment's inside is
 * blanked for the scanner, which then sees `/*   *\/`. An unterminated comment can only be a
 * syntax error: the scanner is spared it (the caller reports it), the text before it is kept.
 */
export function scannerInput(text: string): ScannerInput {
  if (!mayNestOrStayOpen(text)) return { text };
  let out = '';
  let copied = 0;
  for (const t of lexTokens(text)) {
    if (t.kind !== 'comment' || !t.text.startsWith('/*')) continue;
    if (t.end === text.length && blockCommentEnd(text, t.start) < 0) {
      return { text: out + text.slice(copied, t.start), openCommentAt: t.start };
    }
    if (t.text.indexOf('/*', 2) < 0) continue;
    // ASCII only: a space per character keeps every offset, and the other characters cannot be delimiters.
    out += text.slice(copied, t.start + 2) + text.slice(t.start + 2, t.end - 2).replace(/[^\n\u0080-\uffff]+/g, (run) => ' '.repeat(run.length));
    copied = t.end - 2;
  }
  return { text: copied === 0 ? text : out + text.slice(copied) };
}

/**
 * Cheap, linear test without lexing: whether any `/*` is followed by another `/*` before the
 * next `*\/`, or by none. Strings are not skipped: it may say yes when nothing needs doing,
 * never no when something does.
 */
function mayNestOrStayOpen(text: string): boolean {
  let open = text.indexOf('/*');
  while (open >= 0) {
    const close = text.indexOf('*/', open + 2);
    if (close < 0) return true;
    const next = text.indexOf('/*', open + 2);
    if (next >= 0 && next < close) return true;
    open = next;
  }
  return false;
}
