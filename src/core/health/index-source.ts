/** Where a migration defines an index: 0-based line and character range of its name. */
export interface IndexDefinitionSite {
  line: number;
  character: number;
  endCharacter: number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The last place in a migration's text that creates the index `name`: `CREATE [UNIQUE] INDEX
 * [CONCURRENTLY] [IF NOT EXISTS] name`, or `CONSTRAINT name` for the index behind a primary key
 * or unique constraint. Unquoted names match case-insensitively (Postgres folds them), quoted
 * ones exactly. The last one wins: a later migration may have dropped and recreated it.
 */
export function findIndexDefinition(text: string, name: string): IndexDefinitionSite | undefined {
  const quoted = `"${escapeRegExp(name.replace(/"/g, '""'))}"`;
  const bare = /^[a-z_][a-z0-9_$]*$/.test(name) ? `|(?<![\\w$"])${escapeRegExp(name)}(?![\\w$])` : '';
  const ident = `(?:${quoted}${bare})`;
  const qualifier = `(?:(?:"[^"]+"|[A-Za-z_][\\w$]*)\\s*\\.\\s*)?`;
  const pattern = new RegExp(
    `\\bCREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+(?:CONCURRENTLY\\s+)?(?:IF\\s+NOT\\s+EXISTS\\s+)?${qualifier}(${ident})|\\bCONSTRAINT\\s+(${ident})\\s+(?:PRIMARY\\s+KEY|UNIQUE|EXCLUDE)`,
    'gid',
  );
  let last: { offset: number; length: number } | undefined;
  for (const m of text.matchAll(pattern)) {
    const group = m[1] !== undefined ? 1 : 2;
    const hit = m[group];
    // The pattern is case-insensitive; a quoted name must still match exactly.
    if (hit.startsWith('"') && hit !== `"${name.replace(/"/g, '""')}"`) continue;
    const span = m.indices?.[group];
    if (span) last = { offset: span[0], length: hit.length };
  }
  if (!last) return undefined;
  const before = text.slice(0, last.offset);
  const line = before.split('\n').length - 1;
  const character = last.offset - (before.lastIndexOf('\n') + 1);
  return { line, character, endCharacter: character + last.length };
}

/**
 * The first place in a migration's text that creates the table `name` (`CREATE [UNLOGGED|TEMP]
 * TABLE [IF NOT EXISTS] [schema.]name`), as findIndexDefinition matches names.
 */
export function findTableDefinition(text: string, name: string): IndexDefinitionSite | undefined {
  const quoted = `"${escapeRegExp(name.replace(/"/g, '""'))}"`;
  const bare = /^[a-z_][a-z0-9_$]*$/.test(name) ? `|(?<![\\w$"])${escapeRegExp(name)}(?![\\w$])` : '';
  const qualifier = `(?:(?:"[^"]+"|[A-Za-z_][\\w$]*)\\s*\\.\\s*)?`;
  const pattern = new RegExp(
    `\\bCREATE\\s+(?:(?:GLOBAL|LOCAL)\\s+)?(?:UNLOGGED\\s+|TEMP(?:ORARY)?\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${qualifier}(${quoted}${bare})`,
    'gid',
  );
  for (const m of text.matchAll(pattern)) {
    const hit = m[1];
    if (hit.startsWith('"') && hit !== `"${name.replace(/"/g, '""')}"`) continue;
    const span = m.indices?.[1];
    if (!span) continue;
    const before = text.slice(0, span[0]);
    const line = before.split('\n').length - 1;
    const character = span[0] - (before.lastIndexOf('\n') + 1);
    return { line, character, endCharacter: character + hit.length };
  }
  return undefined;
}
