import { DEFAULT_SCHEMA, followSearchPath, type SearchPathState } from '../../../schema/search-path';
import type { Statement } from '../../../sql/statement';
import type { StatementContext } from '../../rule';

/**
 * What earlier statements of the same file did to objects the schema model does not keep
 * (materialized views and their indexes, domains, default partitions). Names resolve with the
 * file's own `SET search_path` (first schema, as search-path.ts follows it), from `public` at the top of the file.
 */
export interface QualifiedName {
  schema: string;
  name: string;
}

/** Visits the statements before the current one, each with the schema unqualified names resolve to there. */
export function forEachEarlierStatement(context: StatementContext, visit: (statement: Statement, defaultSchema: string) => void): void {
  // SET LOCAL and set_config followed as the replay does (search-path.ts), the runner's transaction assumed.
  const path: SearchPathState = { defaultSchema: DEFAULT_SCHEMA };
  for (const statement of context.statements) {
    if (statement.index >= context.statement.index) break;
    visit(statement, path.defaultSchema);
    followSearchPath(path, statement);
  }
}

/** The schema unqualified names resolve to at the current statement. */
export function currentDefaultSchema(context: StatementContext): string {
  const path: SearchPathState = { defaultSchema: DEFAULT_SCHEMA };
  for (const statement of context.statements) {
    if (statement.index >= context.statement.index) break;
    followSearchPath(path, statement);
  }
  return path.defaultSchema;
}

export function qualify(rel: { schema?: string; name: string } | undefined, defaultSchema: string): QualifiedName | undefined {
  return rel ? { schema: rel.schema ?? defaultSchema, name: rel.name } : undefined;
}

export function sameName(a: QualifiedName | undefined, b: QualifiedName | undefined): boolean {
  return a !== undefined && b !== undefined && a.schema === b.schema && a.name === b.name;
}
