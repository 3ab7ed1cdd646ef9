/**
 * The pure parts of the second hostile review of the advisor:
 * - 1: a generated index name avoids every relation of the schema (not only the table's own
 *   indexes), partition index names too, and the DDL has no IF NOT EXISTS to hide a clash;
 * - 2: an expression over several columns is marked as one pg_stats cannot judge;
 * - 3: no BRIN on a column whose most common value holds most rows;
 * - 7: statements of a DDL are counted outside quotes;
 * - 10: a generated name copies no control or bidirectional character of the table's.
 */
import { strict as assert } from 'node:assert';
import { loadSqlParser, parseSql } from '../../../src/core/sql/parse';
import { adviseIndexes, ADVISE_TIMEOUT_HINT } from '../../../src/core/advise/advise';
import { indexMigrationSpec } from '../../../src/core/advise/index-migration';
import { TIMEOUT_HINT } from '../../../src/core/db/db-error';
import { PglensError } from '../../../src/core/errors';
import { collectScopes } from '../../../src/core/advise/predicates';
import {
  candidateDdl,
  candidatesFor,
  ddlStatements,
  emittedDdl,
  indexName,
  partitionIndexName,
  type IndexCandidate,
  type PartitionInfo,
  type TableInfo,
} from '../../../src/core/advise/candidates';

function table(over: Partial<TableInfo> = {}): TableInfo {
  return {
    schema: 'public',
    name: 't',
    columns: ['id', 'c', 'v', 'n'],
    estimatedRows: 1_000_000,
    nDistinct: { id: -1, c: -1, v: 299, n: -1 },
    indexes: [],
    types: { id: { name: 'bigint', category: 'N' }, c: { name: 'integer', category: 'N' }, v: { name: 'integer', category: 'N' }, n: { name: 'integer', category: 'N' } },
    correlation: { id: 1, c: 0.01, v: 0.98, n: 1 },
    writes: { inserted: 1_000_000, updated: 0, deleted: 0 },
    ...over,
  };
}

function candidates(sql: string, t: TableInfo): IndexCandidate[] {
  const [scope] = collectScopes(parseSql(sql).statements[0].ast);
  return candidatesFor(scope, scope.relations[0], t);
}

describe('advise: index names in the schema-wide namespace (hostile 1)', () => {
  before(async () => loadSqlParser());

  it('avoids a name another table\'s index has in the same schema, and emits no IF NOT EXISTS', () => {
    const t = table({ takenNames: [{ schema: 'public', name: 't_c_idx' }] });
    const [c] = candidates('SELECT * FROM t WHERE c = 5', t);
    assert.match(c.name, /^t_c_[0-9a-f]{8}_idx$/);
    assert.equal(emittedDdl(c), `CREATE INDEX CONCURRENTLY ${c.name} ON public.t (c);`);
    assert.doesNotMatch(emittedDdl(c), /IF NOT EXISTS/);
  });

  it('a name taken in another schema does not count', () => {
    const [c] = candidates('SELECT * FROM t WHERE c = 5', table({ takenNames: [{ schema: 'other', name: 't_c_idx' }] }));
    assert.equal(c.name, 't_c_idx');
  });

  it('rehashes until the hashed name is free too', () => {
    const first = indexName('t', ['c'], '', new Set(['t_c_idx']));
    const second = indexName('t', ['c'], '', new Set(['t_c_idx', first]));
    assert.notEqual(second, first);
    assert.match(second, /^t_c_[0-9a-f]{8}_idx$/);
  });

  it('a partition index name avoids a sequence of the partition\'s schema, and the names the recipe gave', () => {
    const part = (name: string, schema = 'public'): PartitionInfo => ({ schema, name, kind: 'r', parentSchema: 'public', parent: 'lst', indexes: [] });
    const t = table({ name: 'lst', partitions: [part('lst_a'), part('lst_b', 'arch')], takenNames: [{ schema: 'public', name: 'lst_a_v_idx' }, { schema: 'arch', name: 'lst_b_v_idx' }] });
    const [c] = candidates('SELECT * FROM lst WHERE v = 5', t);
    assert.equal(c.name, 'lst_v_idx');
    const names = [partitionIndexName(c, t.partitions![0]), partitionIndexName(c, t.partitions![1])];
    assert.match(names[0], /^lst_a_v_[0-9a-f]{8}_idx$/);
    assert.match(names[1], /^lst_b_v_[0-9a-f]{8}_idx$/);
    const ddl = emittedDdl(c);
    assert.ok(ddl.includes(`ON public.lst_a (v);`) && ddl.includes(names[0]) && ddl.includes(`arch.${names[1]}`), ddl);
    // A name the recipe gave already (in that schema) is taken too; the partition's own indexes as well.
    const bare = { ...c, takenNames: [] };
    assert.equal(partitionIndexName(bare, part('lst_a')), 'lst_a_v_idx');
    assert.match(partitionIndexName(bare, part('lst_a'), ['public\0lst_a_v_idx']), /^lst_a_v_[0-9a-f]{8}_idx$/);
    assert.equal(partitionIndexName(bare, part('lst_a'), ['arch\0lst_a_v_idx']), 'lst_a_v_idx');
    assert.match(partitionIndexName(bare, { ...part('lst_a'), indexes: ['lst_a_v_idx'] }), /^lst_a_v_[0-9a-f]{8}_idx$/);
  });

  it('copies no control or bidirectional character of the table\'s name (hostile 10)', () => {
    const name = indexName('t\u202eab\n', ['c'], '');
    assert.equal(name, 'tab_c_idx');
    const c = { ...candidates('SELECT * FROM t WHERE c = 5', table())[0], table: 't\u202eab\n', name };
    assert.equal(candidateDdl(c, true), 'CREATE INDEX CONCURRENTLY tab_c_idx ON public."t\u202eab\n" (c)');
  });
});

describe('advise: what pg_stats cannot judge, and BRIN on a dominant value (hostile 2, 3)', () => {
  before(async () => loadSqlParser());

  it('an expression over two columns carries a test marked with its columns', () => {
    const c = candidates('SELECT * FROM t WHERE (n - id) = 0', table()).find((x) => x.expressions?.[0]);
    assert.ok(c);
    assert.deepEqual(c.tests?.map((x) => x.columns), [['n', 'id']]);
  });

  it('an expression of one column is tested on its statistics as before', () => {
    const c = candidates('SELECT * FROM t WHERE abs(n) = 0', table()).find((x) => x.expressions?.[0]);
    assert.ok(c);
    assert.deepEqual(c.tests?.map((x) => [x.column, x.columns]), [['n', undefined]]);
  });

  it('no BRIN where one value holds 99% of the rows, though n_distinct and correlation pass', () => {
    const t = table({ topFrequency: { v: 0.99 } });
    const brin = candidates('SELECT * FROM t WHERE v > 500000 AND v < 500500', t).find((x) => x.using === 'brin');
    assert.ok(brin);
    assert.match(brin.notTried ?? '', /no BRIN on v: its most common value holds 99% of the rows \(pg_stats most_common_freqs; a BRIN needs under 50%\)/);
    const ok = candidates('SELECT * FROM t WHERE v > 500000 AND v < 500500', table({ topFrequency: { v: 0.2 } })).find((x) => x.using === 'brin');
    assert.equal(ok?.notTried, undefined);
  });
});

describe('advise: statements of a DDL (hostile 7)', () => {
  it('splits at ; and newline outside quotes only', () => {
    assert.deepEqual(ddlStatements('CREATE INDEX "a;\nb" ON public.t (c);'), ['CREATE INDEX "a;\nb" ON public.t (c);']);
    assert.deepEqual(ddlStatements('CREATE INDEX a ON ONLY public.t (c);\nALTER INDEX public.a ATTACH PARTITION public."x\ny";'), [
      'CREATE INDEX a ON ONLY public.t (c);',
      'ALTER INDEX public.a ATTACH PARTITION public."x\ny";',
    ]);
  });
});

describe('advise: timeouts in advise\'s words (hostile 15)', () => {
  it('a statement timeout carries advise\'s hint, not explain\'s', async () => {
    const fail = async (): Promise<never> => {
      throw new PglensError('timeout', 'the statement ran longer than the statement timeout (1 s) and was cancelled', TIMEOUT_HINT);
    };
    const conn = { kind: 'server' as const, label: 'fake', query: fail, queryOne: fail, explain: fail, cancel: async () => {}, close: async () => {}, serverVersion: async () => '16' };
    await assert.rejects(adviseIndexes(conn, 'SELECT id FROM t WHERE c = 1'), (e: PglensError) => {
      assert.equal(e.code, 'timeout');
      assert.equal(e.hint, ADVISE_TIMEOUT_HINT);
      assert.equal(e.message, `the statement ran longer than the statement timeout (1 s) and was cancelled — ${ADVISE_TIMEOUT_HINT}`);
      assert.doesNotMatch(e.message, /explain without ANALYZE/);
      return true;
    });
  });
});

describe('advise: the migration of an index on a table named with a newline (hostile 7, 10)', () => {
  it('its header comments spell the newline out, so no part of the name becomes SQL', () => {
    const s = {
      ddl: 'CREATE INDEX CONCURRENTLY evil_c_idx ON public."ev\u202e\nil" (c);',
      schema: 'public',
      table: 'ev\u202e\nil',
      columns: ['c'],
      include: [],
      method: 'hypopg' as const,
      reason: 'equality on c',
      after: { totalCost: 1 },
      improvement: 2,
    };
    const spec = indexMigrationSpec({ before: { totalCost: 2 }, query: 'SELECT 1' }, s);
    const sqlStart = spec.content.indexOf('CREATE INDEX');
    assert.ok(spec.content.slice(0, sqlStart).split('\n').every((l) => l === '' || l.startsWith('--')), spec.content);
    assert.ok(spec.downContent.split('\n')[0].startsWith('-- pglens: undo the index suggested for public.ev\\u202e\\nil'), spec.downContent);
    assert.match(spec.downContent, /^DROP INDEX CONCURRENTLY IF EXISTS public\.evil_c_idx;$/m);
  });
});
