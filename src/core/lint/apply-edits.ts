import type { TextEdit } from '../types';

/** Applies edits (character offsets into `text`); identical duplicates apply once, overlapping ones are an error. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const seen = new Set<string>();
  const unique = edits.filter((e) => {
    const key = `${e.range.startOffset}:${e.range.endOffset}:${e.newText}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const sorted = [...unique].sort((a, b) => a.range.startOffset - b.range.startOffset || a.range.endOffset - b.range.endOffset);
  let out = '';
  let at = 0;
  for (const e of sorted) {
    if (e.range.startOffset < at) throw new Error(`overlapping edits at offset ${e.range.startOffset}`);
    out += text.slice(at, e.range.startOffset) + e.newText;
    at = e.range.endOffset;
  }
  return out + text.slice(at);
}
