/**
 * Lines as editors and the runners' line readers see them: `\r\n`, `\n` and a lone `\r` (old
 * Mac files) each end a line. The readers use these instead of looking for `\n`.
 */

/** Where the line holding `at` ends: the offset of its terminator, or the text's end. */
export function lineEnd(text: string, at: number): number {
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return text.length;
}

/** The offset after the terminator at `end` (a `lineEnd` result): the next line's start. */
export function afterLineEnd(text: string, end: number): number {
  if (end >= text.length) return text.length;
  return text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
}

/** The start of the line after the one holding `at` (the text's end on the last line). */
export function nextLineStart(text: string, at: number): number {
  return afterLineEnd(text, lineEnd(text, at));
}

export interface LineSpan {
  /** Offset of the line's first character. */
  start: number;
  /** Offset of its terminator (or the text's end). */
  end: number;
  /** Offset of the next line (after the terminator). */
  next: number;
}

/** The lines of text[from, to), each with its terminator's bounds. */
export function* linesOf(text: string, from = 0, to = text.length): Generator<LineSpan> {
  for (let at = from; at < to; ) {
    const end = Math.min(lineEnd(text, at), to);
    const next = Math.min(afterLineEnd(text, end), to);
    yield { start: at, end, next };
    if (next <= at) break;
    at = next;
  }
}

/** The text's lines without their terminators. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}
