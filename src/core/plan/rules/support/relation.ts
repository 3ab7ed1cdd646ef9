/** What several plan rules say about the relation a node reads: its name as SQL, the index to create on it. */
import { qualifiedName, quoteIdent } from '../../../sql/quote-ident';
import type { PlanNode } from '../../types';

/** The node's table as SQL (schema-qualified when the plan names the schema). */
export function tableName(node: PlanNode): string | undefined {
  if (!node.relation) return undefined;
  return node.schema ? qualifiedName(node.schema, node.relation) : quoteIdent(node.relation);
}

/** `CREATE INDEX CONCURRENTLY ON t (columns);` for the node's table, when it has one and there are columns. */
export function createIndex(node: PlanNode, columns: string[]): string | undefined {
  const table = tableName(node);
  if (!table || columns.length === 0) return undefined;
  return `CREATE INDEX CONCURRENTLY ON ${table} (${columns.join(', ')});`;
}

/** The names a condition of the node may qualify its columns with. */
export function ownNames(node: PlanNode): (string | undefined)[] {
  return [node.alias, node.relation];
}
