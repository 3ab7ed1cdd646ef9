import * as assert from 'node:assert/strict';
import { queriesText } from '../../../src/cli/commands/queries';
import type { Connection } from '../../../src/core/db/connection';
import { isPglensError } from '../../../src/core/errors';
import {
  judgeCandidates,
  N_PLUS_ONE_CANDIDATE_DEFAULTS,
  readNPlusOneCandidates,
  type LookupTable,
  type StatementStats,
} from '../../../src/core/health/n-plus-one-candidates';
import { defaultConfig, parseConfig } from '../../../src/core/config';
import { keyLookup, type KeyLookup } from '../../../src/core/sql/key-lookup';
import { loadSqlParser } from '../../../src/core/sql/parse';

const POSTS: LookupTable = {
  schema: 'public',
  name: 'posts',
  system: false,
  primaryKey: ['id'],
  unique: [['slug']],
  foreignKeys: [{ columns: ['author_id'], references: 'authors' }],
  indexes: [['id'], ['slug'], ['author_id', 'created_at']],
};
const TAGS: LookupTable = { schema: 'public', name: 'tags', system: false, primaryKey: [], unique: [], foreignKeys: [], indexes: [] };
const PG_CLASS: LookupTable = { schema: 'pg_catalog', name: 'pg_class', system: true, primaryKey: [], unique: [], foreignKeys: [], indexes: [] };
const TABLES = new Map([
  ['posts', POSTS],
  ['tags', TAGS],
  ['pg_class', PG_CLASS],
]);

function stats(query: string, calls: number, rows: number, totalMs: number): { stats: StatementStats; lookup: KeyLookup } {
  const lookup = keyLookup(query);
  assert.ok(lookup, query);
  return { stats: { query, queryIds: ['1'], calls, rows, totalMs }, lookup };
}

const T = { ...N_PLUS_ONE_CANDIDATE_DEFAULTS };

describe('judgeCandidates (n-plus-one-candidate on pg_stat_statements rows)', () => {
  before(() => loadSqlParser());

  it('judges the key each lookup uses from the catalog, and ranks by total time', () => {
    const out = judgeCandidates(
      [
        stats('SELECT * FROM posts WHERE id = $1', 5000, 5000, 40),
        stats('SELECT * FROM posts WHERE author_id = $1', 2000, 3000, 90),
        stats('SELECT * FROM posts WHERE slug = $1', 1500, 1500, 10),
        stats('SELECT * FROM posts WHERE title = $1', 1200, 0, 5),
      ],
      TABLES,
      T,
    );
    assert.deepEqual(
      out.map((c) => `${c.columns.join(',')} ${c.key}${c.references ? `→${c.references}` : ''} ${c.indexed} ${c.severity}`),
      ['author_id foreign key→authors true info', 'id primary key true info', 'slug unique true info', 'title none false warning'],
    );
    const fk = out[0];
    assert.equal(fk.rowsPerCall, 1.5);
    assert.equal(fk.meanMs, 0.045);
    assert.equal(
      fk.message,
      'public.posts read by author_id (a foreign key to authors): 2,000 calls, 1.50 rows per call, 90.0 ms in all (0.045 ms mean) — one round trip per author_id value, the shape of an N+1 loop',
    );
    assert.match(fk.fix, /WHERE author_id = ANY\(\$1\)/);
    assert.match(out[3].message, /no index starts with title, so each call reads the whole table$/);
  });

  it('applies minCalls, maxRowsPerCall and maxCandidates', () => {
    const rows = [
      stats('SELECT * FROM posts WHERE id = $1', 999, 999, 100),
      stats('SELECT * FROM posts WHERE author_id = $1', 1000, 2001, 100),
      stats('SELECT * FROM posts WHERE slug = $1', 1000, 2000, 3),
      stats('SELECT * FROM tags WHERE name = $1', 1000, 0, 2),
    ];
    assert.deepEqual(judgeCandidates(rows, TABLES, T).map((c) => c.columns[0]), ['slug', 'name']);
    assert.deepEqual(judgeCandidates(rows, TABLES, { ...T, maxCandidates: 1 }).map((c) => c.columns[0]), ['slug']);
    assert.deepEqual(judgeCandidates(rows, TABLES, { ...T, minCalls: 10, maxRowsPerCall: 3 }).map((c) => c.columns[0]), ['author_id', 'id', 'slug', 'name']);
  });

  it('leaves out system catalogs and extension relations (pglens\'s own reads), found or not', () => {
    const out = judgeCandidates(
      [stats('SELECT relname FROM pg_class WHERE oid = $1', 9000, 9000, 500), stats('SELECT * FROM pg_catalog.pg_attribute WHERE attrelid = $1', 9000, 9000, 500)],
      TABLES,
      T,
    );
    assert.deepEqual(out, []);
  });

  it('keeps a table the search_path does not find, with its keys unknown', () => {
    const [c] = judgeCandidates([stats('SELECT * FROM app.orders WHERE customer_id = $1', 3000, 3000, 30)], TABLES, T);
    assert.deepEqual([c.table, c.key, c.indexed], [{ schema: 'app', name: 'orders', found: false }, 'unknown', null]);
    assert.match(c.message, /pglens's search_path does not find app\.orders/);
  });

  it('does not judge an unqualified table that more than one schema has: key unknown, the namesakes named', () => {
    const namesakes = new Map([['posts', ['app2.posts', 'public.posts']]]);
    const [c] = judgeCandidates([stats('SELECT * FROM posts WHERE id = $1', 3000, 3000, 30)], TABLES, T, undefined, namesakes);
    assert.deepEqual([c.table, c.key, c.indexed, c.namesakes], [{ schema: null, name: 'posts', found: false }, 'unknown', null, ['app2.posts', 'public.posts']]);
    assert.equal(c.severity, 'info', 'not judged "no index": not a warning');
    assert.match(c.message, /\(2 schemas have a table posts: app2\.posts, public\.posts; the statement names no schema and pg_stat_statements keeps no search_path, so its keys are not known\)$/);
    // Qualified, it names one table: judged as usual.
    const [q] = judgeCandidates([stats('SELECT * FROM public.posts WHERE id = $1', 3000, 3000, 30)], new Map([['public.posts', POSTS]]), T, undefined, namesakes);
    assert.deepEqual([q.key, q.namesakes], ['primary key', undefined]);
  });

  it('gives every candidate the severity .pglens.json sets', () => {
    const out = judgeCandidates([stats('SELECT * FROM tags WHERE name = $1', 1000, 0, 2), stats('SELECT * FROM posts WHERE id = $1', 1000, 1000, 1)], TABLES, T, 'error');
    assert.deepEqual(out.map((c) => c.severity), ['error', 'error']);
  });

  it('batches updates and deletes in its fix', () => {
    const [u] = judgeCandidates([stats('UPDATE posts SET title = $1 WHERE id = $2', 1000, 1000, 9)], TABLES, T);
    assert.match(u.message, /^public\.posts updated by id \(its primary key\)/);
    assert.match(u.fix, /UPDATE … WHERE id = ANY\(\$1\).*updateMany/);
  });
});

describe('readNPlusOneCandidates before it reads', () => {
  /** A connection that must not be used. */
  const untouched = (kind: 'server' | 'embedded'): Connection =>
    new Proxy({ kind, label: 'test' } as Connection, {
      get(target, key) {
        if (key in target) return (target as unknown as Record<string | symbol, unknown>)[key];
        if (key === 'then') return undefined;
        throw new Error(`the connection was used (${String(key)})`);
      },
    });

  it('says when the rule is turned off in .pglens.json', async () => {
    const config = parseConfig({ rules: { 'n-plus-one-candidate': 'off' } }, '/p/.pglens.json');
    assert.deepEqual(await readNPlusOneCandidates(untouched('server'), { config }), { state: 'off', reason: 'n-plus-one-candidate is turned off in /p/.pglens.json' });
  });

  it('refuses an unknown or negative option, naming the file and the key', async () => {
    for (const [options, problem, atLoad] of [
      [{ minCals: 10 }, /"rules.n-plus-one-candidate" option "minCals" is not an option of n-plus-one-candidate \(minCalls, maxRowsPerCall, maxCandidates\)/, /^\/p\/\.pglens\.json: "rules\.n-plus-one-candidate\[1\]\.minCals" is not an option of n-plus-one-candidate \(minCalls, maxRowsPerCall, maxCandidates\)/],
      [{ maxRowsPerCall: -1 }, /option "maxRowsPerCall" must be a number ≥ 0/, /^\/p\/\.pglens\.json: "rules\.n-plus-one-candidate\[1\]\.maxRowsPerCall" must be a number ≥ 0, got -1/],
    ] as const) {
      // When the file is read, with the option's path…
      assert.throws(() => parseConfig({ rules: { 'n-plus-one-candidate': ['info', options] } }, '/p/.pglens.json'), (e) => isPglensError(e) && atLoad.test(e.message));
      // …and by the run, for a config built in code.
      const config = { ...defaultConfig('/p'), file: '/p/.pglens.json', rules: { 'n-plus-one-candidate': { severity: 'info' as const, options } } };
      await assert.rejects(readNPlusOneCandidates(untouched('server'), { config }), (e) => isPglensError(e) && problem.test(e.message));
    }
  });

  it('says the embedded sandbox has no statement statistics', async () => {
    const r = await readNPlusOneCandidates(untouched('embedded'));
    assert.equal(r.state, 'unavailable');
    assert.match(r.state === 'unavailable' ? r.reason : '', /embedded sandbox runs no application.*--db URL/);
  });
});

describe('pglens queries text output', () => {
  before(() => loadSqlParser());

  it('escapes query texts, names and paths from the database and the files', () => {
    const [c] = judgeCandidates([stats('SELECT * FROM tags WHERE name = $1 /* \n::error x\u001b[31m */', 1000, 0, 2)], TABLES, T);
    c.code = [{ file: 'src/a\nb.ts', line: 3, column: 5, call: 'pool.query', client: 'pg', match: 'same-sql' }];
    const text = queriesText({
      connection: { kind: 'server', label: 'db\u001b', serverVersion: '15.20', database: 'shop' },
      result: { state: 'ran', thresholds: T, statements: 10, frequent: 1, candidates: [c], since: null, notes: [] },
      code: { root: '/w', filesRead: 1, notes: [] },
    });
    assert.ok(!/[\u0000-\u0009\u000b-\u001f]/.test(text), text);
    assert.ok(!text.split('\n').some((l) => l.startsWith('::')), text);
    assert.match(text, /db\\u001b/);
    assert.match(text, /src\/a\\nb\.ts:3:5 {2}pool\.query {2}\(the same statement\)/);
  });

  it('keeps a newline inside a quoted identifier (escaped), collapsing whitespace only outside quotes', () => {
    const [c] = judgeCandidates([stats('SELECT *\n  FROM "my\ntable"   WHERE "a  b" = $1', 1000, 0, 2)], new Map([['"my\ntable"', { ...TAGS, name: 'my\ntable' }]]), T);
    const text = queriesText({
      connection: { kind: 'server', label: 'db', serverVersion: '15.20', database: 'shop' },
      result: { state: 'ran', thresholds: T, statements: 10, frequent: 1, candidates: [c], since: null, notes: [] },
    });
    assert.match(text, /^ {10}query: SELECT \* FROM "my\\ntable" WHERE "a {2}b" = \$1$/m);
  });

  it('says how many frequent statements of other roles were hidden and not judged, instead of a bare "no candidates"', () => {
    const base = { state: 'ran' as const, thresholds: T, statements: 3, frequent: 0, candidates: [], since: null, notes: [] };
    const connection = { kind: 'server' as const, label: 'db', serverVersion: '15.20', database: 'shop' };
    const none = queriesText({ connection, result: base });
    assert.match(none, /^No N\+1 candidates: no statement ran ≥ 1,000 times/m);
    const hidden = queriesText({ connection, result: { ...base, hiddenFrequent: 2 } });
    assert.doesNotMatch(hidden, /^No N\+1 candidates: no statement/m);
    assert.match(
      hidden,
      /^No N\+1 candidates among the statements this role may read: .* But 2 statements of other roles were run that often with that few rows, and their text is hidden \(<insufficient privilege>\), so they could not be judged: grant this role pg_read_all_stats and run it again\.$/m,
    );
  });
});
