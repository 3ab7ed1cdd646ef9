/**
 * Text from migrations and schema files (names, comments, DEFAULT expressions, index
 * predicates, file paths) in the Markdown of hovers and completion documentation: plain text
 * has every ASCII punctuation character backslash-escaped, code goes in a code span whose
 * delimiter is longer than any backtick run inside it (CommonMark), and both stay on one line —
 * so no name can open a link, an image, emphasis, a heading, HTML or a bare-URL autolink, or
 * break out of a table cell.
 */

const LINE_BREAKS = /\s*(?:\r\n|\r|\n)\s*/g;

/** One line: line breaks (and the whitespace around them) become one space. */
function oneLine(text: string): string {
  return text.replace(LINE_BREAKS, ' ');
}

/** Plain text safe in Markdown, in a table cell too: no markup, no HTML, no entity, no autolink, one line. */
export function escapeMarkdown(text: string): string {
  return oneLine(text).replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/**
 * An inline code span showing `text` as is: fenced by one backtick more than the longest run
 * inside, padded with a space when the text starts or ends with a backtick or a space. In a
 * table cell (`cell`), pipes are escaped (GFM reads `\|` as a pipe inside code spans there).
 */
export function codeSpan(text: string, cell = false): string {
  let one = oneLine(text);
  if (cell) one = one.replace(/\|/g, '\\|');
  let longest = 0;
  for (const m of one.match(/`+/g) ?? []) longest = Math.max(longest, m.length);
  const fence = '`'.repeat(longest + 1);
  const pad = one === '' || /^[` ]|[` ]$/.test(one) ? ' ' : '';
  return `${fence}${pad}${one}${pad}${fence}`;
}
