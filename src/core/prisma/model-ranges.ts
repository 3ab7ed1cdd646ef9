import type { SourceRange } from '../types';
import type { PrismaDocument } from './ast';
import { schemaName, tableName } from './to-schema';

/** Where each model's lens goes and which table it is about (views included, marked as such). */
export interface ModelRange {
  model: string;
  kind: 'model' | 'view';
  file: string;
  schema: string;
  table: string;
  /** The `model Name {` header. */
  range: SourceRange;
}

export function modelRanges(doc: PrismaDocument): ModelRange[] {
  return doc.models.map((m) => ({
    model: m.name,
    kind: m.kind,
    file: m.file,
    schema: schemaName(m),
    table: tableName(m),
    range: m.headerRange,
  }));
}
