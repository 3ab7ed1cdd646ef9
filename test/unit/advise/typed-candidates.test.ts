/**
 * Candidate generation per predicate kind, from Postgres's parse tree and the catalog's column
 * types: each row of `valid` is a query and an index it must propose; each row of `invalid` a
 * query and an index it must not (a plain B-tree where one cannot help, a duplicate of an
 * existing index).
 */
import { strict as assert } from 'node:assert';
import { loadSqlParser, parseSql } from '../../../src/core/sql/parse';
import { collectScopes } from '../../../src/core/advise/predicates';
import { candidateDdl, candidatesFor, type ExistingIndex, type TableInfo } from '../../../src/core/advise/candidates';

const docs: TableInfo = {
  schema: 'public',
  name: 'docs',
  columns: ['id', 'title', 'email', 'body', 'tsv', 'doc', 'tags', 'span', 'p', 'geom', 'embedding', 'created_at', 'day', 'status'],
  estimatedRows: 200_000,
  nDistinct: { id: -1, title: -1, email: -1, status: 4, created_at: -1 },
  indexes: [{ name: 'docs_pkey', columns: ['id'], include: [], valid: true, method: 'btree' }],
  types: {
    id: { name: 'integer', category: 'N' },
    title: { name: 'text', category: 'S', cCollation: false },
    email: { name: 'character varying', category: 'S', cCollation: false },
    body: { name: 'text', category: 'S', cCollation: false },
    tsv: { name: 'tsvector', category: 'U' },
    doc: { name: 'jsonb', category: 'U' },
    tags: { name: 'text[]', category: 'A' },
    span: { name: 'tstzrange', category: 'R' },
    p: { name: 'point', category: 'G' },
    geom: { name: 'geometry', category: 'U' },
    embedding: { name: 'vector', category: 'U' },
    created_at: { name: 'timestamp with time zone', category: 'D' },
    day: { name: 'timestamp without time zone', category: 'D' },
    status: { name: 'text', category: 'S', cCollation: false },
  },
  correlation: { created_at: 0.999, id: 1, title: 0.01 },
  writes: { inserted: 200_000, updated: 10, deleted: 0 },
};

function ddls(sql: string, table: TableInfo = docs): string[] {
  const [scope] = collectScopes(parseSql(sql).statements[0].ast);
  const rel = scope.relations.find((r) => r.name === table.name)!;
  // The candidates that will be tried: one marked notTried is only reported, with its reason.
  return candidatesFor(scope, rel, table)
    .filter((c) => c.notTried === undefined)
    .map((c) => candidateDdl(c, false));
}

/** The reason each BRIN that was considered is not tried, by column. */
function brinNotTried(sql: string, table: TableInfo = docs): Record<string, string> {
  const [scope] = collectScopes(parseSql(sql).statements[0].ast);
  const rel = scope.relations.find((r) => r.name === table.name)!;
  return Object.fromEntries(candidatesFor(scope, rel, table).filter((c) => c.using === 'brin' && c.notTried).map((c) => [c.columns[0], c.notTried!]));
}

const withIndex = (...more: ExistingIndex[]): TableInfo => ({ ...docs, indexes: [...docs.indexes, ...more] });

/** [what, query, index it must propose, table] */
const valid: [string, string, string, TableInfo?][] = [
  ['LIKE with a leading wildcard → trigram GIN', "SELECT id FROM docs WHERE title LIKE '%abc%'", 'CREATE INDEX docs_title_trgm_idx ON public.docs USING gin (title gin_trgm_ops)'],
  ['ILIKE → trigram GIN', "SELECT id FROM docs WHERE title ILIKE 'abc%'", 'CREATE INDEX docs_title_trgm_idx ON public.docs USING gin (title gin_trgm_ops)'],
  ['regular expression → trigram GIN', "SELECT id FROM docs WHERE title ~* 'ab+c'", 'CREATE INDEX docs_title_trgm_idx ON public.docs USING gin (title gin_trgm_ops)'],
  ['similarity operator % → trigram GIN', "SELECT id FROM docs WHERE title % 'postgres'", 'CREATE INDEX docs_title_trgm_idx ON public.docs USING gin (title gin_trgm_ops)'],
  ['similarity() → trigram GIN (with the rewrite to %)', "SELECT id FROM docs WHERE similarity(title, 'postgres') > 0.4", 'CREATE INDEX docs_title_trgm_idx ON public.docs USING gin (title gin_trgm_ops)'],
  ['LIKE prefix under a non-C collation → text_pattern_ops', "SELECT id FROM docs WHERE title LIKE 'abc%'", 'CREATE INDEX docs_title_pattern_idx ON public.docs (title text_pattern_ops)'],
  ['LIKE prefix after an equality → equality column first', "SELECT id FROM docs WHERE status = 'open' AND title LIKE 'abc%'", 'CREATE INDEX docs_status_title_pattern_idx ON public.docs (status, title text_pattern_ops)'],
  ['LIKE prefix under the C collation → plain B-tree', "SELECT id FROM docs WHERE title LIKE 'abc%'", 'CREATE INDEX docs_title_idx ON public.docs (title)', { ...docs, types: { ...docs.types, title: { name: 'text', category: 'S', cCollation: true } } }],
  ['jsonb @> → GIN jsonb_path_ops', `SELECT id FROM docs WHERE doc @> '{"a":1}'`, 'CREATE INDEX docs_doc_gin_idx ON public.docs USING gin (doc jsonb_path_ops)'],
  ['jsonb @? and @@ → GIN jsonb_path_ops', "SELECT id FROM docs WHERE doc @? '$.a' AND doc @@ '$.b == 1'", 'CREATE INDEX docs_doc_gin_idx ON public.docs USING gin (doc jsonb_path_ops)'],
  ['jsonb ? with @> → GIN jsonb_ops', `SELECT id FROM docs WHERE doc ? 'a' AND doc @> '{"b":2}'`, 'CREATE INDEX docs_doc_gin_idx ON public.docs USING gin (doc)'],
  ['jsonb ?| → GIN jsonb_ops', "SELECT id FROM docs WHERE doc ?| ARRAY['a', 'b']", 'CREATE INDEX docs_doc_gin_idx ON public.docs USING gin (doc)'],
  ["->> 'key' = … → expression B-tree", "SELECT id FROM docs WHERE doc ->> 'kind' = $1", "CREATE INDEX docs_doc_kind_idx ON public.docs (((doc ->> 'kind')))"],
  ['lower(col) = … → expression B-tree', "SELECT id FROM docs WHERE lower(email) = 'a@b.c'", 'CREATE INDEX docs_lower_email_idx ON public.docs ((lower(email)))'],
  ['date_trunc(…) = … → expression B-tree on exactly it', "SELECT id FROM docs WHERE date_trunc('day', day) = '2024-01-01'", "CREATE INDEX docs_date_trunc_day_day_idx ON public.docs ((date_trunc('day', day)))"],
  ['a cast to another type → expression B-tree', "SELECT id FROM docs WHERE day::date = '2024-01-01'", 'CREATE INDEX docs_day_date_idx ON public.docs (((day)::date))'],
  ['coalesce(…) = … → expression B-tree', 'SELECT id FROM docs WHERE coalesce(status, title) = $1', 'CREATE INDEX docs_coalesce_status_title_idx ON public.docs ((COALESCE(status, title)))'],
  ['expression IN (…) → expression B-tree', "SELECT id FROM docs WHERE upper(status) IN ('A', 'B')", 'CREATE INDEX docs_upper_status_idx ON public.docs ((upper(status)))'],
  ["to_tsvector(cfg, col) @@ … → GIN on the same expression", "SELECT id FROM docs WHERE to_tsvector('english', body) @@ plainto_tsquery('english', 'x')", "CREATE INDEX docs_to_tsvector_english_body_fts_idx ON public.docs USING gin ((to_tsvector('english', body)))"],
  ['stored tsvector @@ … → GIN on the column', "SELECT id FROM docs WHERE tsv @@ to_tsquery('x')", 'CREATE INDEX docs_tsv_fts_idx ON public.docs USING gin (tsv)'],
  ['tsquery on the left commutes', "SELECT id FROM docs WHERE to_tsquery('x') @@ tsv", 'CREATE INDEX docs_tsv_fts_idx ON public.docs USING gin (tsv)'],
  ['array @> → GIN', "SELECT id FROM docs WHERE tags @> ARRAY['a']", 'CREATE INDEX docs_tags_gin_idx ON public.docs USING gin (tags)'],
  ['array && → GIN', "SELECT id FROM docs WHERE tags && ARRAY['a', 'b']", 'CREATE INDEX docs_tags_gin_idx ON public.docs USING gin (tags)'],
  ['value = ANY(array) → GIN (with the rewrite to @>)', "SELECT id FROM docs WHERE 'a' = ANY(tags)", 'CREATE INDEX docs_tags_gin_idx ON public.docs USING gin (tags)'],
  ['value <@ array column commutes to @>', "SELECT id FROM docs WHERE ARRAY['a'] <@ tags", 'CREATE INDEX docs_tags_gin_idx ON public.docs USING gin (tags)'],
  ['range && → GiST', "SELECT id FROM docs WHERE span && tstzrange('2024-01-01', '2024-02-01')", 'CREATE INDEX docs_span_gist_idx ON public.docs USING gist (span)'],
  ['range @> element → GiST', "SELECT id FROM docs WHERE span @> now()", 'CREATE INDEX docs_span_gist_idx ON public.docs USING gist (span)'],
  ['point <@ box → GiST', "SELECT id FROM docs WHERE p <@ box '((0,0),(1,1))'", 'CREATE INDEX docs_p_gist_idx ON public.docs USING gist (p)'],
  ['point <@ box → SP-GiST too', "SELECT id FROM docs WHERE p <@ box '((0,0),(1,1))'", 'CREATE INDEX docs_p_spgist_idx ON public.docs USING spgist (p)'],
  ['PostGIS st_intersects → GiST', 'SELECT id FROM docs WHERE ST_Intersects(geom, $1)', 'CREATE INDEX docs_geom_gist_idx ON public.docs USING gist (geom)'],
  ['k-NN on a point → GiST', 'SELECT id FROM docs ORDER BY p <-> point(1, 2) LIMIT 10', 'CREATE INDEX docs_p_gist_idx ON public.docs USING gist (p)'],
  ['k-NN by trigram distance → GiST gist_trgm_ops', "SELECT id FROM docs ORDER BY title <-> 'postgres' LIMIT 10", 'CREATE INDEX docs_title_trgm_gist_idx ON public.docs USING gist (title gist_trgm_ops)'],
  ['k-NN on a timestamp → GiST (btree_gist)', "SELECT id FROM docs ORDER BY created_at <-> now() LIMIT 10", 'CREATE INDEX docs_created_at_gist_idx ON public.docs USING gist (created_at)'],
  ['pgvector <=> → HNSW vector_cosine_ops', 'SELECT id FROM docs ORDER BY embedding <=> $1 LIMIT 5', 'CREATE INDEX docs_embedding_hnsw_idx ON public.docs USING hnsw (embedding vector_cosine_ops)'],
  ['correlated column of a large append-only table → BRIN', "SELECT id FROM docs WHERE created_at >= '2024-01-01' AND created_at < '2024-01-02'", 'CREATE INDEX docs_created_at_brin_idx ON public.docs USING brin (created_at)'],
  ['multi-column B-tree stays', "SELECT id FROM docs WHERE status = 'open' AND created_at > now() - interval '1 day'", 'CREATE INDEX docs_status_created_at_idx ON public.docs (status, created_at)'],
  ['partial B-tree stays', "SELECT id FROM docs WHERE status = 'open' ORDER BY created_at LIMIT 10", "CREATE INDEX docs_created_at_partial_idx ON public.docs (created_at) WHERE status = 'open'"],
  ['covering B-tree stays', 'SELECT title FROM docs WHERE email = $1', 'CREATE INDEX docs_email_covering_idx ON public.docs (email) INCLUDE (title)'],
];

/** [what, query, index it must not propose, table] */
const invalid: [string, string, RegExp, TableInfo?][] = [
  ['no plain B-tree for LIKE with a leading wildcard', "SELECT id FROM docs WHERE title LIKE '%abc%'", /ON public\.docs \(title\)$/],
  ['no plain B-tree for LIKE prefix under a non-C collation', "SELECT id FROM docs WHERE title LIKE 'abc%'", /ON public\.docs \(title\)$/],
  ['no plain B-tree for NOT LIKE', "SELECT id FROM docs WHERE title NOT LIKE 'abc%'", /\(title/],
  ['no B-tree on the bare column for lower(col)', "SELECT id FROM docs WHERE lower(email) = 'a'", /ON public\.docs \(email\)$/],
  ['no B-tree on the bare column for a type-changing cast', "SELECT id FROM docs WHERE day::date = '2024-01-01'", /ON public\.docs \(day\)$/],
  ['no expression index for a cast that only relabels', "SELECT id FROM docs WHERE email::text = 'a'", /::text/],
  ['no B-tree for jsonb containment', `SELECT id FROM docs WHERE doc @> '{"a":1}'`, /ON public\.docs \(doc\)$/],
  ['no B-tree for array containment', "SELECT id FROM docs WHERE tags @> ARRAY['a']", /ON public\.docs \(tags\)$/],
  ['no jsonb_path_ops when ? is used', `SELECT id FROM docs WHERE doc ? 'a'`, /jsonb_path_ops/],
  ['no GIN on tsvector for jsonb @@', "SELECT id FROM docs WHERE doc @@ '$.a == 1'", /_fts_idx/],
  ['no BRIN on an uncorrelated column', "SELECT id FROM docs WHERE title > 'm'", /USING brin/],
  ['no BRIN on a small table', "SELECT id FROM docs WHERE created_at > now()", /USING brin/, { ...docs, estimatedRows: 5_000 }],
  ['no BRIN on a table with many updates', "SELECT id FROM docs WHERE created_at > now()", /USING brin/, { ...docs, writes: { inserted: 1000, updated: 5000, deleted: 0 } }],
  ['no BRIN on a near-constant column, however correlated (D2)', "SELECT id FROM docs WHERE status = 'open'", /USING brin/, { ...docs, correlation: { ...docs.correlation, status: 1 } }],
  ['no BRIN on a range over a near-constant column (D2)', "SELECT id FROM docs WHERE status > 'a'", /USING brin/, { ...docs, correlation: { ...docs.correlation, status: 0.99 } }],
  ['no BRIN on a column with low physical correlation (D2)', "SELECT id FROM docs WHERE day >= '2024-01-01'", /USING brin/, { ...docs, nDistinct: { ...docs.nDistinct, day: -0.5 }, correlation: { ...docs.correlation, day: 0.42 } }],
  ['no BRIN where a B-tree on the column exists', "SELECT id FROM docs WHERE created_at > now()", /USING brin/, withIndex({ name: 'c', columns: ['created_at'], include: [], valid: true, method: 'btree' })],
  ['existing trigram GIN recognised', "SELECT id FROM docs WHERE title ILIKE '%x%'", /gin_trgm_ops/, withIndex({ name: 't', columns: ['title'], include: [], valid: true, method: 'gin', opclasses: ['gin_trgm_ops'] })],
  ['existing trigram GiST serves LIKE too', "SELECT id FROM docs WHERE title ILIKE '%x%'", /gin_trgm_ops/, withIndex({ name: 't', columns: ['title'], include: [], valid: true, method: 'gist', opclasses: ['gist_trgm_ops'] })],
  ['existing jsonb_ops serves @>', `SELECT id FROM docs WHERE doc @> '{"a":1}'`, /USING gin/, withIndex({ name: 'j', columns: ['doc'], include: [], valid: true, method: 'gin', opclasses: ['jsonb_ops'] })],
  ['existing expression index recognised (as pg_get_indexdef prints it)', "SELECT id FROM docs WHERE doc ->> 'kind' = 'a'", /->>/, withIndex({ name: 'k', columns: ["(doc ->> 'kind'::text)"], include: [], valid: true, method: 'btree', opclasses: ['text_ops'] })],
  ['existing lower() index on a varchar recognised', "SELECT id FROM docs WHERE lower(email) = 'a'", /lower/, withIndex({ name: 'l', columns: ['lower(email::text)'], include: [], valid: true, method: 'btree' })],
  ['existing full-text index recognised', "SELECT id FROM docs WHERE to_tsvector('english', body) @@ to_tsquery('x')", /to_tsvector/, withIndex({ name: 'f', columns: ["to_tsvector('english'::regconfig, body)"], include: [], valid: true, method: 'gin' })],
  ['existing GiST on a range recognised', 'SELECT id FROM docs WHERE span && $1', /USING gist/, withIndex({ name: 'g', columns: ['span'], include: [], valid: true, method: 'gist', opclasses: ['range_ops'] })],
  ['a GIN on the column does not count as a B-tree', "SELECT id FROM docs WHERE title = 'x'", /^(?!CREATE INDEX docs_title_idx ON public\.docs \(title\)$)/, withIndex({ name: 't', columns: ['title'], include: [], valid: true, method: 'gin', opclasses: ['gin_trgm_ops'] })],
  ['no trigram candidate for = on text', "SELECT id FROM docs WHERE title = 'x'", /trgm/],
  ['nothing for a predicate on another table', "SELECT d.id FROM docs d JOIN other o ON o.id = d.id WHERE o.name LIKE '%x%'", /trgm/],
];

describe('index candidates per predicate kind', () => {
  before(() => loadSqlParser());

  for (const [what, sql, expected, table] of valid) {
    it(`valid: ${what}`, () => {
      const got = ddls(sql, table);
      assert.ok(got.includes(expected), `${sql}\nexpected ${expected}\ngot:\n${got.join('\n')}`);
    });
  }
  for (const [what, sql, forbidden, table] of invalid) {
    it(`invalid: ${what}`, () => {
      const got = ddls(sql, table);
      const bad = forbidden.source.startsWith('^(?!') ? (got.some((d) => d === 'CREATE INDEX docs_title_idx ON public.docs (title)') ? [] : ['the plain B-tree is missing']) : got.filter((d) => forbidden.test(d));
      assert.deepEqual(bad, [], `${sql}\ngot:\n${got.join('\n')}`);
    });
  }

  it('names the extension each needs and the rewrite a query needs', () => {
    const [scope] = collectScopes(parseSql("SELECT id FROM docs WHERE 'a' = ANY(tags) AND title ILIKE '%x%' AND similarity(body, 'y') > 0.3").statements[0].ast);
    const got = candidatesFor(scope, scope.relations[0], docs);
    const trgm = got.find((c) => c.name === 'docs_title_trgm_idx');
    assert.equal(trgm?.extension, 'pg_trgm');
    assert.equal(trgm?.rewrite, undefined);
    assert.match(got.find((c) => c.name === 'docs_tags_gin_idx')?.rewrite ?? '', /tags @> ARRAY\[value\]/);
    assert.match(got.find((c) => c.name === 'docs_body_trgm_idx')?.rewrite ?? '', /write body % 'y'/);
    assert.equal(got.find((c) => c.name === 'docs_tags_gin_idx')?.extension, undefined, 'GIN on arrays is built in');
  });

  it('says why no BRIN: low correlation, a near-constant column, no statistics, updates (D2)', () => {
    const table: TableInfo = {
      ...docs,
      nDistinct: { ...docs.nDistinct, day: -0.5 },
      correlation: { ...docs.correlation, day: -0.42, status: 1 },
    };
    assert.match(brinNotTried("SELECT id FROM docs WHERE day >= '2024-01-01'", table).day, /physical correlation is -0\.42 .*\|correlation\| ≥ 0\.95/);
    assert.match(brinNotTried("SELECT id FROM docs WHERE status = 'open'", table).status, /only 4 distinct value\(s\) .*a BRIN needs ≥ 100/);
    assert.match(brinNotTried("SELECT id FROM docs WHERE email > 'm'", table).email, /no correlation for it \(run ANALYZE\)/);
    assert.match(brinNotTried("SELECT id FROM docs WHERE created_at > now()", { ...docs, writes: { inserted: 1000, updated: 5000, deleted: 0 } }).created_at, /not append-only \(updates and deletes are 500% of inserts/);
    // An equality on an unordered column never called for a BRIN: nothing to explain.
    assert.deepEqual(brinNotTried("SELECT id FROM docs WHERE title = 'x'"), {});
    // A correlated column with many values is tried, with its numbers in the reason.
    const [scope] = collectScopes(parseSql("SELECT id FROM docs WHERE created_at >= now()").statements[0].ast);
    const brin = candidatesFor(scope, scope.relations[0], docs).find((c) => c.using === 'brin');
    assert.equal(brin?.notTried, undefined);
    assert.match(brin?.reason ?? '', /correlation 1\.00, ~200k distinct values/);
  });

  it('warns that date_trunc on timestamptz cannot be indexed and says what to write instead', () => {
    const [scope] = collectScopes(parseSql("SELECT id FROM docs WHERE date_trunc('day', created_at) = '2024-01-01'").statements[0].ast);
    const c = candidatesFor(scope, scope.relations[0], docs).find((x) => x.expressions?.[0]);
    assert.match(c?.rewrite ?? '', /TimeZone setting.*created_at|col >= /);
  });
});
