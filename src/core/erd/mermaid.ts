import { outsideLabel, type DiagramModel, type DiagramRelation, type DiagramTable } from './diagram';

/**
 * A diagram as Mermaid `erDiagram` text, for READMEs and pull requests. Drawn like the
 * webview draws it: implicit join tables (Prisma's `_AToB`) become their N:M relation, other
 * join tables stay entities with their two foreign keys.
 *
 * Mermaid's ER grammar (mermaid 12) takes a bare entity name only of word characters, a quoted
 * one without `"`, `%`, `\` or line breaks, and attribute types and names only of letters,
 * digits and `-_[]().,*`; a bare `pk`/`fk`/`uk` reads as a key marker. Names outside that are
 * spelled with `_` for each character Mermaid cannot take (numbered when two collide), and an
 * attribute renamed so says its real name in its comment.
 */
export function toMermaid(model: DiagramModel): string {
  const hidden = new Set(model.tables.filter((t) => t.joinTable?.implicit).map((t) => t.id));
  const names = entityNames(model.tables.filter((t) => !hidden.has(t.id)));
  const lines = ['erDiagram'];
  for (const table of model.tables) {
    const name = names.get(table.id);
    if (name === undefined) continue;
    lines.push(`  ${name} {`);
    for (const c of table.columns) {
      const type = attributeWord(c.type);
      const attr = attributeWord(c.name);
      const keys = [c.pk && 'PK', c.fk && 'FK', c.unique && !c.pk && 'UK'].filter(Boolean).join(', ');
      const comment = attr !== c.name ? ` "${commentText(`column ${c.name}`)}"` : '';
      lines.push(`    ${type} ${attr}${keys ? ` ${keys}` : ''}${comment}`);
    }
    lines.push('  }');
  }
  for (const r of model.relations) {
    if (r.cardinality !== 'N:M' && (hidden.has(r.from) || hidden.has(r.to))) continue;
    if (r.cardinality === 'N:M' && !hidden.has(r.via ?? '')) continue;
    const from = names.get(r.from);
    const to = names.get(r.to);
    if (from === undefined || to === undefined) continue;
    const [left, right] = r.cardinality === 'N:M' ? [from, to] : [to, from];
    lines.push(`  ${left} ${relationship(r)} ${right} : "${commentText(r.name ?? r.columns.join(', '))}"`);
  }
  // Keys to tables the diagram does not draw: said, as the webview says them on the table.
  for (const table of model.tables) {
    const name = names.get(table.id);
    if (name === undefined) continue;
    for (const o of table.outside ?? []) lines.push(`  %% ${commentText(`${table.schema === 'public' ? table.name : table.id} (${o.columns.join(', ')}) ${outsideLabel(o)}`)}`);
  }
  return lines.join('\n') + '\n';
}

/** Left the referenced table, right the referencing one (N:M: in the join's order); `--` when the key is part of the child's primary key. */
function relationship(r: DiagramRelation): string {
  if (r.cardinality === 'N:M') return '}o..o{';
  const parent = r.optional ? '|o' : '||';
  const child = r.cardinality === '1:1' ? 'o|' : 'o{';
  return `${parent}${r.identifying ? '--' : '..'}${child}`;
}

/** Words the ER lexer reads as keywords wherever an entity name may stand. */
const KEYWORDS = new Set([
  'erdiagram', 'style', 'classdef', 'class', 'subgraph', 'end', 'direction', 'acctitle', 'accdescr',
  'one', 'only', 'zero', 'many', 'more', 'or', 'to', 'optionally', 'u', 'pk', 'fk', 'uk',
]);

/**
 * The entity name of each table as written in the text (quoted when needed): `public` tables by
 * name, others as `schema.name`. Unique as Mermaid reads them (`"a_b"` and `a_b` are one entity).
 */
export function entityNames(tables: readonly DiagramTable[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const t of tables) {
    const display = t.schema === 'public' ? t.name : `${t.schema}.${t.name}`;
    const bare = /^[A-Za-z_][A-Za-z0-9_]*$/.test(display) && !KEYWORDS.has(display.toLowerCase());
    const base = bare ? display : display.replace(/["%\\\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '_').trim() || '_';
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
    used.add(name);
    out.set(t.id, bare && name === display ? name : `"${name}"`);
  }
  return out;
}

/** An attribute type or name as Mermaid's ATTRIBUTE_WORD takes it. */
export function attributeWord(text: string): string {
  let word = text.replace(/[^A-Za-z0-9\-_[\]().,*\u00C0-\uFFFF]|[\u2028\u2029\uFEFF\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '_');
  if (word === '' || !/^[*A-Za-z_\u00C0-\uFFFF]/.test(word) || /^(pk|fk|uk)(?![A-Za-z0-9_])/i.test(word)) word = `_${word}`;
  return word;
}

/**
 * Text inside a quoted label or comment: no double quote, no line break, no bidirectional
 * control, and no `%` — Mermaid reads `%%{…}%%` as a directive (theme, config) even inside
 * quotes, so a constraint or column name must not reach the reader's renderer as one: each `%`
 * becomes the fullwidth `％`.
 */
function commentText(text: string): string {
  return text
    .replace(/"/g, "'")
    .replace(/%/g, '\uFF05')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
}
