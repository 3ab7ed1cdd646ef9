import type { Node } from '../../../sql/ast';
import type { Statement } from '../../../sql/statement';
import type { StatementContext } from '../../rule';

/**
 * What earlier statements of the same file did to objects the schema model does not keep
 * (materialized views and their indexes, domains, default partitions). Names resolve with the
 * file's own `SET search_path` (first schema), from `public` at the top of the file.
 */
export interface QualifiedName {
  schema: string;
  name: string;
}

/** The schema unqualified names resolve to after a `SET search_path`, or undefined when it does not set one. */
function searchPathSchema(ast: Node | undefined): string | undefined {
  const set = ast?.VariableSetStmt;
  if (set?.name !== 'search_path' || set.kind !== 'VAR_SET_VALUE') return undefined;
  const value = set.args?.[0]?.A_Const?.sval?.sval;
  return typeof value === 'string' && value !== '$user' ? value : undefined;
}

/** Visits the statements before the current one, each with the schema unqualified names resolve to there. */
export function forEachEarlierStatement(context: StatementContext, visit: (statement: Statement, defaultSchema: string) => void): void {
  let schema = 'public';
  for (const statement of context.statements) {
    if (statement.index >= context.statement.index) break;
    visit(statement, schema);
    schema = searchPathSchema(statement.ast) ?? schema;
  }
}

/** The schema unqualified names resolve to at the current statement. */
export function currentDefaultSchema(context: StatementContext): string {
  let schema = 'public';
  forEachEarlierStatement(context, (s) => {
    schema = searchPathSchema(s.ast) ?? schema;
  });
  return schema;
}

export function qualify(rel: { schema?: string; name: string } | undefined, defaultSchema: string): QualifiedName | undefined {
  return rel ? { schema: rel.schema ?? defaultSchema, name: rel.name } : undefined;
}

export function sameName(a: QualifiedName | undefined, b: QualifiedName | undefined): boolean {
  return a !== undefined && b !== undefined && a.schema === b.schema && a.name === b.name;
}
