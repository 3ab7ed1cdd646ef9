import type { Rule } from '../rule';
import { stringList, walk, type Node } from '../../sql/ast';
import { identifierByteLength, MAX_IDENTIFIER_BYTES } from '../../schema/identifier-length';

/**
 * identifier-too-long: an identifier over 63 bytes (NAMEDATALEN - 1), where it is defined. The
 * parser has already truncated names in the AST, so this reads the statement's tokens and
 * reports those whose truncated form is a name the statement defines (table, column,
 * constraint, index, new name of a rename…). References are not reported: they truncate the
 * same way and still find the object.
 */

/** Keys whose string value is a name being defined, wherever they appear. */
const DEFINING_KEYS = ['colname', 'conname', 'idxname', 'newname', 'trigname', 'policy_name'];

/** Names (as the parser truncated them) that a DDL statement defines. */
function definedNames(ast: Node): Set<string> {
  const names = new Set<string>();
  const add = (name: unknown): void => {
    if (typeof name === 'string') names.add(name);
  };
  walk(ast, (node) => DEFINING_KEYS.forEach((k) => add(node[k])));
  const stmt: Node = Object.values(ast)[0] ?? {};
  if (ast.CreateStmt) add(stmt.relation?.relname);
  add(stmt.view?.relname);
  add(stmt.sequence?.relname);
  add(stmt.into?.rel?.relname);
  add(stmt.typevar?.relname);
  if (ast.CreateSchemaStmt) add(stmt.schemaname);
  for (const list of [stmt.funcname, stmt.domainname, ast.CreateEnumStmt ? stmt.typeName : undefined]) {
    add(stringList(Array.isArray(list) ? list : undefined).pop());
  }
  return names;
}

/**
 * Cheap pre-check before lexing: some run of identifier characters (22 or more), or some text
 * between two double quotes (22 or more characters, quotes included in the count), is over
 * the limit in bytes. One linear pass: a regex retries a run at each of its characters.
 */
function mayHaveLongIdentifier(text: string): boolean {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isIdentifierChar(c)) {
      let end = i + 1;
      while (end < n && isIdentifierChar(text.charCodeAt(end))) end++;
      if (end - i >= 22 && identifierByteLength(text.slice(i, end)) > MAX_IDENTIFIER_BYTES) return true;
      i = end;
    } else if (c === 34 /* " */) {
      const close = text.indexOf('"', i + 1);
      if (close - i - 1 >= 22) {
        if (identifierByteLength(text.slice(i, close + 1)) > MAX_IDENTIFIER_BYTES) return true;
        i = close + 1;
      } else i++;
    } else i++;
  }
  return false;
}

/** [A-Za-z0-9_$] or any non-ASCII UTF-16 unit. */
function isIdentifierChar(c: number): boolean {
  return c >= 0x80 || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;
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
    if (!statement.ast || !mayHaveLongIdentifier(statement.text)) return;
    // The AST walk runs only once a long token is found (most pre-check hits are long SQL, not long names).
    let defined: Set<string> | undefined;
    const seen = new Set<string>();
    for (const token of statement.tokens()) {
      if (token.kind !== 'ident') continue;
      const name = identifierOf(token.text);
      const bytes = identifierByteLength(name);
      if (bytes <= MAX_IDENTIFIER_BYTES || seen.has(name)) continue;
      const kept = truncateBytes(name, MAX_IDENTIFIER_BYTES);
      if (!(defined ??= definedNames(statement.ast)).has(kept)) continue;
      seen.add(name);
      context.report({
        message:
          `identifier "${name}" is ${bytes} bytes: Postgres silently truncates it to ${MAX_IDENTIFIER_BYTES} ("${kept}"), ` +
          'so ORMs and migration diffs that compare names see a different object, and two names sharing those first bytes collide',
        range: statement.rangeOf(token.start, token.end),
      });
    }
  },
};
