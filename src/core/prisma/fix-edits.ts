import type { LineIndex } from '../sql/line-index';
import type { SourceRange, TextEdit } from '../types';
import type { PrismaAttribute, PrismaField, PrismaModel } from './ast';
import { lineBreakOf, lineStartAt, nextLineStart, skipInlineSpace } from './source-text';

/** Text edits on a schema.prisma that the rules' fixes are made of. */

/** Insert ` text` right after the field's type (and its `?`/`[]`). */
export function insertAfterType(lines: LineIndex, field: PrismaField, text: string): TextEdit {
  return { range: lines.rangeOf(field.typeEndOffset, field.typeEndOffset), newText: ` ${text}` };
}

/** Replace the field's type name (`Float` → `Decimal`). */
export function replaceType(field: PrismaField, type: string): TextEdit {
  return { range: field.typeRange, newText: type };
}

export function replaceAttribute(attr: PrismaAttribute, text: string): TextEdit {
  return { range: attr.range, newText: text };
}

/** Remove a field attribute together with the space before it. */
export function removeFieldAttribute(lines: LineIndex, attr: PrismaAttribute): TextEdit {
  let start = attr.range.startOffset;
  while (start > 0 && (lines.text[start - 1] === ' ' || lines.text[start - 1] === '\t')) start--;
  return { range: lines.rangeOf(start, attr.range.endOffset), newText: '' };
}

/**
 * Remove a block attribute; when it is alone on its line (a comment after it allowed), the
 * whole line goes.
 */
export function removeBlockAttribute(lines: LineIndex, attr: PrismaAttribute): TextEdit {
  const text = lines.text;
  const lineStart = lineStartAt(text, attr.range.startOffset);
  const rest = skipInlineSpace(text, attr.range.endOffset);
  const alone = text.slice(lineStart, attr.range.startOffset).trim() === '' && /^(\/\/[^\r\n]*)?(\r?\n|$)/.test(text.slice(rest));
  if (alone) return { range: lines.rangeOf(lineStart, nextLineStart(text, attr.range.startOffset)), newText: '' };
  return { range: attr.range, newText: '' };
}

/**
 * Add a block attribute (`@@index([authorId])`) as the model's last line, indented like its
 * other lines; separated from the fields by a blank line when the model has no block
 * attribute yet, as `prisma format` lays them out.
 */
export function addBlockAttribute(lines: LineIndex, model: PrismaModel, attribute: string): TextEdit {
  const text = lines.text;
  const eol = lineBreakOf(text);
  const close = model.closeOffset;
  const closeLineStart = lineStartAt(text, close);
  const braceOnOwnLine = text.slice(closeLineStart, close).trim() === '';
  const at = braceOnOwnLine ? closeLineStart : close;
  // The line above the brace (its line break is one or two characters before `at`).
  const previousLineEnd = at - 1 - (text[at - 2] === '\r' ? 1 : 0);
  const previousLine = braceOnOwnLine && at > 0 ? text.slice(lineStartAt(text, previousLineEnd), at).trim() : text.slice(closeLineStart, close).trim();
  const separate = model.attributes.length === 0 && previousLine !== '' && !previousLine.endsWith('{');
  const line = `${separate ? eol : ''}${model.indent}${attribute}${eol}`;
  return { range: lines.rangeOf(at, at), newText: braceOnOwnLine ? line : `${eol}${line}` };
}

export function rangeText(lines: LineIndex, range: SourceRange): string {
  return lines.text.slice(range.startOffset, range.endOffset);
}
