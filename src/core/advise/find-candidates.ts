/** The advisor's second stage: the tables the statement reads, and the indexes that could serve it. */
import type { Connection } from '../db/connection';
import type { QueryScope } from './predicates';
import { candidatesFor, type IndexCandidate, type TableInfo } from './candidates';
import { catalogReads, extensionStates, opclassSchemas, qualified } from './catalog';
import { loadTableInfo } from './table-info';
import type { ExtensionNeed } from './types';

/** The tables the statement reads and the indexes that could serve it. */
export interface FoundCandidates {
  tables: TableInfo[];
  /** Every candidate, those not tried (`notTried`) included. */
  considered: IndexCandidate[];
  /** The candidates to verify, their operator classes qualified as this database has them. */
  candidates: IndexCandidate[];
  extensions: Map<string, ExtensionNeed>;
}

/** Stage 2: candidates per table the query's scopes read, from the catalog. */
export async function findCandidates(conn: Connection, scopes: QueryScope[]): Promise<FoundCandidates> {
  return catalogReads(conn, async () => {
    const tables = await loadTableInfo(conn, scopes.flatMap((s) => s.relations));
    const considered: IndexCandidate[] = [];
    for (const scope of scopes) {
      for (const rel of scope.relations) {
        const table = tables.find((t) => t.name === rel.name && (!rel.schema || t.schema === rel.schema));
        if (table) considered.push(...candidatesFor(scope, rel, table));
      }
    }
    // The operator classes as this database spells them: the DDL the user runs is written for it.
    const schemas = await opclassSchemas(conn, considered);
    const candidates = considered.filter((c) => c.notTried === undefined).map((c) => qualified(c, schemas));
    const extensionNames = [...new Set(candidates.map((c) => c.extension).filter((e): e is string => e !== undefined))];
    const extensions = await extensionStates(conn, extensionNames);
    return { tables, considered, candidates, extensions };
  });
}
