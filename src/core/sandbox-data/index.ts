/**
 * Sandbox data: fills a database built from migrations with rows shaped like the real ones,
 * so EXPLAIN ANALYZE on the sandbox sees realistic sizes, skew and NULLs (issue #16).
 */
export { fillDatabase } from './fill';
export { readCatalog, type Catalog, type TableInfo } from './catalog';
export type {
  ColumnStats,
  ExecFn,
  FillAttempt,
  FillOptions,
  FillReport,
  FillStats,
  QueryFn,
  TableFillReport,
  TableStats,
  TableStatus,
  UnsupportedColumn,
} from './types';
