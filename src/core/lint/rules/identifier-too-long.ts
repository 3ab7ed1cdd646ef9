import type { Rule } from '../rule';

/**
 * identifier-too-long: an identifier over 63 bytes (NAMEDATALEN - 1). The parser has already
 * truncated names in the AST, so this reads the statement's tokens. Queries are skipped: by
 * then the name was truncated where it was defined, and the reference truncates the same way.
 *
 * Exported for the Prisma check: `identifierByteLength(name)` and `MAX_IDENTIFIER_BYTES`.
 */
export const MAX_IDENTIFIER_BYTES = 63;

export function identifierByteLength(name: string): number {
  return Buffer.byteLength(name, 'utf8');
}

const QUERY_KINDS = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'ExplainStmt']);

/** Cheap pre-check before lexing: some run of identifier characters (or quoted name) is over the limit in bytes. */
function mayHaveLongIdentifier(text: string): boolean {
  for (const m of text.matchAll(/[A-Za-z0-9_$\u0080-\uffff]{22,}|"[^"]{22,}"/g)) {
    if (identifierByteLength(m[0]) > MAX_IDENTIFIER_BYTES) return true;
  }
  return false;
}

/** The identifier a token names: quoted as written (quotes undone), unquoted folded to lower case. */
function identifierOf(raw: string): string {
  if (raw.startsWith('"')) return raw.slice(1, -1).replace(/""/g, '"');
  return raw.toLowerCase();
}

/** The first `max` bytes of a name, never splitting a character (as Postgres truncates). */
function truncateBytes(name: string, max: number): string {
  let out = '';
  for (const ch of name) {
    if (identifierByteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}

export const rule: Rule = {
  id: 'identifier-too-long',
  kind: 'statement',
  defaultSeverity: 'warning',
  docs: {
    description: 'Postgres truncates identifiers over 63 bytes: the stored name differs from the one written, and long names can collide.',
  },
  check(context) {
    const { statement } = context;
    if (QUERY_KINDS.has(statement.kind) || !mayHaveLongIdentifier(statement.text)) return;
    const seen = new Set<string>();
    for (const token of statement.tokens()) {
      if (token.kind !== 'ident') continue;
      const name = identifierOf(token.text);
      const bytes = identifierByteLength(name);
      if (bytes <= MAX_IDENTIFIER_BYTES || seen.has(name)) continue;
      seen.add(name);
      const kept = truncateBytes(name, MAX_IDENTIFIER_BYTES);
      context.report({
        message:
          `identifier "${name}" is ${bytes} bytes: Postgres silently truncates it to ${MAX_IDENTIFIER_BYTES} ("${kept}"), ` +
          'so ORMs and migration diffs that compare names see a different object, and two names sharing those first bytes collide',
        range: statement.rangeOf(token.start, token.end),
      });
    }
  },
};
