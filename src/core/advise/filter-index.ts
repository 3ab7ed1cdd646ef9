/**
 * The index a sequential scan's Filter calls for when a plain B-tree cannot serve it, read from
 * the condition as EXPLAIN prints it: a leading-wildcard LIKE/ILIKE or a regular expression
 * needs a pg_trgm GIN index, a LIKE prefix a `text_pattern_ops` B-tree (it serves under any
 * collation), a function of a column an index on that expression. The plan finding
 * seq-scan-filter uses it so that it never proposes a B-tree that cannot help; `pglens advise`
 * and Suggest Indexes verify the proposal.
 */
export interface FilterIndex {
  kind: 'trigram' | 'pattern' | 'expression';
  /** The index key as SQL: `title gin_trgm_ops`, `(lower(email))`. */
  key: string;
  /** `USING gin` for a trigram index; empty for a B-tree. */
  using: string;
  /** The extension the index needs. */
  extension?: string;
  /** The filter's predicate it serves, as EXPLAIN printed it. */
  predicate: string;
}

const IDENT = '(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)';
const COLUMN = `(?:(${IDENT})\\.)?(${IDENT})`;
const PATTERN_OP = new RegExp(`^\\(?${COLUMN}\\)?(?:::text)? (~~\\*?|~\\*?) '((?:[^']|'')*)'(?:::text)?$`);
const FUNCTION_EQ = new RegExp(`^((?:lower|upper|date|btrim|md5)\\(${COLUMN}\\)) = `);
const JSON_FIELD_EQ = new RegExp(`^\\((${COLUMN} ->> '(?:[^']|'')*'(?:::text)?)\\) = `);

function stripParens(s: string): string {
  let t = s.trim();
  while (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1))) t = t.slice(1, -1).trim();
  return t;
}

function balanced(s: string): boolean {
  let depth = 0;
  let quote = false;
  for (const c of s) {
    if (c === "'") quote = !quote;
    else if (!quote && c === '(') depth++;
    else if (!quote && c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** Top-level parts of `body` joined by ` AND `; undefined when an OR joins them (no single index serves that). */
function conjuncts(body: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "'") quote = !quote;
    else if (quote) continue;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && body.startsWith(' OR ', i)) return undefined;
    else if (depth === 0 && body.startsWith(' AND ', i)) {
      parts.push(body.slice(start, i));
      start = i + 5;
    }
  }
  parts.push(body.slice(start));
  return parts.map(stripParens);
}

function own(qualifier: string | undefined, names: (string | undefined)[]): boolean {
  return qualifier === undefined || names.includes(qualifier.replace(/^"|"$/g, ''));
}

/** The first predicate of `filter` (a scan's own, known by `names`) that needs another kind of index than a plain B-tree. */
export function filterIndex(filter: string | undefined, names: (string | undefined)[]): FilterIndex | undefined {
  if (!filter) return undefined;
  const parts = conjuncts(stripParens(filter));
  if (!parts) return undefined;
  for (const part of parts) {
    const p = PATTERN_OP.exec(part);
    if (p && own(p[1], names)) {
      const [, , column, op, pattern] = p;
      if (op === '~~' && pattern.length > 0 && pattern[0] !== '%' && pattern[0] !== '_') {
        return { kind: 'pattern', key: `${column} text_pattern_ops`, using: '', predicate: part };
      }
      return { kind: 'trigram', key: `${column} gin_trgm_ops`, using: ' USING gin', extension: 'pg_trgm', predicate: part };
    }
    const f = FUNCTION_EQ.exec(part) ?? JSON_FIELD_EQ.exec(part);
    if (f && own(f[2], names)) {
      // The index is on the table: the scan's alias goes.
      const expression = f[2] !== undefined ? f[1].replace(`${f[2]}.`, '') : f[1];
      return { kind: 'expression', key: `(${expression})`, using: '', predicate: part };
    }
  }
  return undefined;
}
