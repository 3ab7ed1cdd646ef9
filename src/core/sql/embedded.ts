/**
 * Finds SQL inside TypeScript/JavaScript tagged template literals: sql`…`, Prisma.sql`…`,
 * $queryRaw`…`, $executeRaw`…` (with or without generic arguments, e.g. $queryRaw<User[]>`…`).
 *
 * Each `${expr}` substitution becomes a positional parameter `$N`, padded with spaces to the
 * substitution's length, so every offset in the returned SQL equals the offset in the source
 * file minus `contentStart`: errors and statement ranges map back without a table.
 */
export interface EmbeddedSql {
  /** SQL with substitutions replaced by padded `$1…$n`. */
  sql: string;
  /** Offset in the source of the first character inside the backticks. */
  contentStart: number;
  /** Offset in the source of the tag (where the lens goes). */
  tagStart: number;
  tag: string;
  /** Source text of each substitution expression, in `$N` order. */
  params: string[];
}

const TAG_BEFORE_BACKTICK = /(Prisma\.sql|\bsql|\$queryRaw|\$executeRaw)\s*(<[^`;=]*>)?\s*$/;

export function findEmbeddedSql(source: string): EmbeddedSql[] {
  const found: EmbeddedSql[] = [];
  scanCode(source, 0, false, found);
  return found;
}

/**
 * Scans JS/TS code from `pos`. With `untilBrace`, stops after the `}` that closes a
 * template substitution and returns its position; otherwise scans to the end.
 */
function scanCode(src: string, pos: number, untilBrace: boolean, found: EmbeddedSql[]): number {
  let depth = 0;
  while (pos < src.length) {
    const c = src[pos];
    if (c === '/' && src[pos + 1] === '/') {
      const nl = src.indexOf('\n', pos);
      pos = nl < 0 ? src.length : nl + 1;
    } else if (c === '/' && src[pos + 1] === '*') {
      const end = src.indexOf('*/', pos + 2);
      pos = end < 0 ? src.length : end + 2;
    } else if (c === '"' || c === "'") {
      pos = skipQuoted(src, pos, c);
    } else if (c === '`') {
      pos = scanTemplate(src, pos, found);
    } else if (c === '{') {
      depth++;
      pos++;
    } else if (c === '}') {
      if (untilBrace && depth === 0) return pos + 1;
      depth--;
      pos++;
    } else {
      pos++;
    }
  }
  return pos;
}

function skipQuoted(src: string, pos: number, quote: string): number {
  pos++;
  while (pos < src.length) {
    const c = src[pos];
    if (c === '\\') pos += 2;
    else if (c === quote || c === '\n') return pos + 1;
    else pos++;
  }
  return pos;
}

/** `pos` is at an opening backtick; returns the position after the closing one. */
function scanTemplate(src: string, pos: number, found: EmbeddedSql[]): number {
  const before = src.slice(Math.max(0, pos - 200), pos);
  const tagMatch = TAG_BEFORE_BACKTICK.exec(before);
  const contentStart = pos + 1;
  const parts: string[] = [];
  const params: string[] = [];
  let segmentStart = contentStart;
  pos = contentStart;
  while (pos < src.length) {
    const c = src[pos];
    if (c === '\\') {
      pos += 2;
    } else if (c === '`') {
      parts.push(src.slice(segmentStart, pos));
      if (tagMatch) {
        const tagStart = pos - (pos - contentStart) - 1 - (before.length - tagMatch.index);
        found.push({ sql: parts.join(''), contentStart, tagStart, tag: tagMatch[1], params });
      }
      return pos + 1;
    } else if (c === '$' && src[pos + 1] === '{') {
      parts.push(src.slice(segmentStart, pos));
      const exprStart = pos + 2;
      const after = scanCode(src, exprStart, true, found);
      params.push(src.slice(exprStart, after - 1).trim());
      const param = `$${params.length}`;
      parts.push(param.padEnd(after - pos, ' '));
      pos = after;
      segmentStart = pos;
    } else {
      pos++;
    }
  }
  return pos;
}
