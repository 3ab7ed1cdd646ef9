import type { Position, SourceRange } from '../types';

/** Offset ↔ line/character conversion for one text; built once per text (O(n)), each lookup O(log lines). */
export interface LineIndex {
  readonly text: string;
  /** Offset of the first character of each line. */
  readonly lineStarts: readonly number[];
  positionAt(offset: number): Position;
  offsetAt(position: Position): number;
  rangeOf(startOffset: number, endOffset: number): SourceRange;
}

export function createLineIndex(text: string): LineIndex {
  const lineStarts = [0];
  if (text.includes('\r')) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) lineStarts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        lineStarts.push(i + 1);
      }
    }
  } else {
    // indexOf is several times faster than a per-character loop on large files.
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  }
  const positionAt = (offset: number): Position => {
    const o = Math.max(0, Math.min(offset, text.length));
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - lineStarts[lo] };
  };
  const offsetAt = (position: Position): number => {
    if (position.line < 0) return 0;
    if (position.line >= lineStarts.length) return text.length;
    const lineEnd = position.line + 1 < lineStarts.length ? lineStarts[position.line + 1] : text.length;
    return Math.min(lineStarts[position.line] + Math.max(0, position.character), lineEnd);
  };
  return {
    text,
    lineStarts,
    positionAt,
    offsetAt,
    rangeOf(startOffset, endOffset) {
      const s = Math.max(0, Math.min(startOffset, text.length));
      const e = Math.max(s, Math.min(endOffset, text.length));
      return { startOffset: s, endOffset: e, start: positionAt(s), end: positionAt(e) };
    },
  };
}
