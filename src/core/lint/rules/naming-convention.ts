import type { Rule } from '../rule';
import type { SourceRange } from '../../types';
import type { Table } from '../../schema/model';
import { qualifiedName, quoteIdent } from '../../sql/quote-ident';
import { namingConventionOptions, namingViolations, type NamingViolation } from './support/naming';

/**
 * naming-convention (opt-in): table, column, key and index names of the final schema that break
 * the configured convention (support/naming.ts: options, presets, checks). No fix: a name in a
 * migration may be used by later migrations and by the application, so the message names the
 * better name and the rename to put in a new migration; the Prisma face adds `@map`/`@@map`.
 */
export const rule: Rule = {
  id: 'naming-convention',
  kind: 'schema',
  defaultSeverity: 'off',
  docs: {
    description:
      'A table, column, key or index name that breaks the project\'s naming convention (snake_case, plural or singular tables, id keys, <table>_id foreign keys, index name templates).',
  },
  check(context) {
    const options = namingConventionOptions(context.options);
    const seen = new Set<string>();
    // A CREATE TABLE … (LIKE other) copies columns the model may not know (`other` made outside the set).
    const incomplete = (table: Table): boolean => {
      const range = table.source?.statementRange;
      const text = range && table.source ? context.textAt?.(table.source.file, range.startOffset, range.endOffset) : undefined;
      return text !== undefined && /[(,]\s*LIKE\s+[A-Za-z_"]/i.test(text);
    };
    for (const v of namingViolations(context.schema, options, incomplete)) {
      const source = sourceOf(v);
      if (!source) continue;
      // Columns a partition or LIKE copied share the definition they came from: one finding there.
      const key = `${source.file}\0${source.range.startOffset}\0${v.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      context.report({ file: source.file, range: source.range, message: namingMessage(v) });
    }
  },
};

function sourceOf(v: NamingViolation): { file: string; range: SourceRange } | undefined {
  switch (v.kind) {
    case 'table':
      return v.table.source;
    case 'index':
      return v.index?.source;
    case 'foreignKey':
    case 'primaryKey':
    case 'column':
      return v.table.columns.find((c) => c.name === v.name)?.source ?? (v.kind === 'foreignKey' ? v.foreignKey?.source : v.table.primaryKey?.source);
  }
}

/** The finding's text: what is wrong, the better name, and how to rename safely. */
export function namingMessage(v: NamingViolation): string {
  const table = qualifiedName(v.table.schema, v.table.name);
  const what =
    v.kind === 'table'
      ? `table ${table}`
      : v.kind === 'index'
        ? `index ${quoteIdent(v.name)} on ${table}`
        : `${v.kind === 'primaryKey' ? 'primary key column' : v.kind === 'foreignKey' ? 'foreign key column' : 'column'} ${table}.${quoteIdent(v.name)}`;
  const better = v.suggestion !== undefined && v.suggestion !== v.name ? v.suggestion : undefined;
  const quoted = v.kind !== 'index' && /[A-Z]/.test(v.name) ? ' (a quoted mixed-case name must be quoted in every query)' : '';
  const head = `${what} breaks the naming convention: ${v.rule}${quoted}`;
  if (!better) return `${head}; rename it (suppress the finding where the name is deliberate)`;
  const rename =
    v.kind === 'table'
      ? `ALTER TABLE ${table} RENAME TO ${quoteIdent(better)};`
      : v.kind === 'index'
        ? `ALTER INDEX ${qualifiedName(v.table.schema, v.name)} RENAME TO ${quoteIdent(better)};`
        : `ALTER TABLE ${table} RENAME COLUMN ${quoteIdent(v.name)} TO ${quoteIdent(better)};`;
  return (
    `${head}; name it ${quoteIdent(better)}. If this migration has not been deployed, rename it here (and wherever the set and the application use it); ` +
    `once deployed, rename it in a new migration, together with the code that uses it: ${rename}`
  );
}
