/**
 * What pglens knows about each index access method it proposes: the write overhead to warn
 * about, and how Prisma spells it. Which predicate each serves is decided in
 * typed-candidates.ts; whether HypoPG can simulate it is found out at run time (HypoPG answers
 * `access method "gin" is not supported`), not assumed here.
 */
export type IndexMethod = 'btree' | 'gin' | 'gist' | 'spgist' | 'brin' | 'hash' | 'hnsw';

/** The cost an index adds to every write, in one sentence for the report. */
export const WRITE_OVERHEAD: Record<IndexMethod, string> = {
  btree: 'each INSERT, and each UPDATE of an indexed column (no more HOT update), writes one index entry',
  gin:
    'GIN is the slowest index to update: each INSERT/UPDATE adds one entry per trigram, key or lexeme, batched in the pending list (fastupdate) that a later insert or autovacuum must merge',
  gist: 'each INSERT/UPDATE descends and may split the tree: writes cost more than with a B-tree, and the build is slower',
  spgist: 'each INSERT/UPDATE descends the space-partitioned tree, about the cost of a B-tree insert',
  brin: 'almost free to maintain: a summary per block range, updated when new rows land in an unsummarized range (autovacuum or brin_summarize_new_values)',
  hash: 'each INSERT and each UPDATE of the column writes one entry',
  hnsw: 'each INSERT links the vector into the graph, many times the cost of a B-tree insert; the build is slow and memory-hungry (maintenance_work_mem)',
};

/** Prisma's `type:` argument of `@@index` for each method it supports (PostgreSQL connector). */
export const PRISMA_INDEX_TYPE: Partial<Record<IndexMethod, string>> = {
  btree: 'BTree',
  hash: 'Hash',
  gin: 'Gin',
  gist: 'Gist',
  spgist: 'SpGist',
  brin: 'Brin',
};

/** The error HypoPG raises for an access method it cannot simulate (its message, any version). */
export function hypopgUnsupportedMethod(message: string): string | undefined {
  return /access method "([^"]+)" is not supported/.exec(message)?.[1];
}
