import type { SourceRange } from '../types';
import { findEmbeddedSql } from './embedded';
import { createLineIndex } from './line-index';
import { parseSql } from './parse';
import { lexTokens } from './tokens';

/**
 * A statement a user can Explain, located in its document: a query in a .sql file, or one
 * in a TypeScript/JavaScript tagged template literal.
 */
export interface ExplainTarget {
  sql: string;
  /** Where the statement is in the document. */
  range: SourceRange;
  /** libpg-query statement kind, e.g. 'SelectStmt'. */
  kind: string;
  /** Highest `$N` the statement uses (0 when none). */
  paramCount: number;
  /** For template literals: the source of each `${…}` substitution, in `$N` order. */
  paramSources: string[];
}

/** What Postgres's EXPLAIN accepts (gram.y ExplainableStmt, minus REFRESH MATERIALIZED VIEW, which has no plan). */
export const EXPLAINABLE_KINDS: ReadonlySet<string> = new Set([
  'SelectStmt',
  'InsertStmt',
  'UpdateStmt',
  'DeleteStmt',
  'MergeStmt',
  'ExecuteStmt',
  'DeclareCursorStmt',
  'CreateTableAsStmt',
]);

export function isExplainableKind(kind: string): boolean {
  return EXPLAINABLE_KINDS.has(kind);
}

/** The highest positional parameter `$N` used outside strings and comments (nested ones, E'' and dollar quotes included). */
export function countParams(sql: string): number {
  let max = 0;
  for (const t of lexTokens(sql)) if (t.kind === 'param') max = Math.max(max, Number(t.text.slice(1)));
  return max;
}

export type SourceLanguage = 'sql' | 'script';

export function languageOf(languageId: string): SourceLanguage | undefined {
  if (languageId === 'sql' || languageId === 'pgsql' || languageId === 'postgres') return 'sql';
  if (['typescript', 'typescriptreact', 'javascript', 'javascriptreact'].includes(languageId)) return 'script';
  return undefined;
}

/** Explainable statements of a document; statements that fail to parse are left out (the linter reports them). */
export function findExplainTargets(text: string, language: SourceLanguage): ExplainTarget[] {
  if (language === 'sql') {
    return parseSql(text)
      .statements.filter((s) => isExplainableKind(s.kind))
      .map((s) => ({ sql: s.text, range: s.range, kind: s.kind, paramCount: countParams(s.text), paramSources: [] }));
  }
  const lines = createLineIndex(text);
  const targets: ExplainTarget[] = [];
  for (const embedded of findEmbeddedSql(text)) {
    for (const s of parseSql(embedded.sql).statements) {
      if (!isExplainableKind(s.kind)) continue;
      const start = embedded.contentStart + s.range.startOffset;
      targets.push({
        sql: s.text,
        range: lines.rangeOf(start, embedded.contentStart + s.range.endOffset),
        kind: s.kind,
        paramCount: countParams(s.text),
        paramSources: embedded.params,
      });
    }
  }
  return targets;
}

/**
 * The statement at a cursor (Explain Statement at Cursor): the target containing `offset` —
 * its end included, and the character after it, so a cursor just past the statement's text
 * (before its `;`) still picks it — else the first target that starts on the cursor's `line`
 * (0-based), as when the cursor sits in the blanks before a statement.
 */
export function targetAtOffset(targets: readonly ExplainTarget[], offset: number, line: number): ExplainTarget | undefined {
  return (
    targets.find((t) => offset >= t.range.startOffset && offset <= t.range.endOffset + 1) ??
    targets.find((t) => t.range.start.line === line)
  );
}
