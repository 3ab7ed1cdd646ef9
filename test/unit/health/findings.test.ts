import * as assert from 'node:assert/strict';
import type { CatalogIndex, CatalogSnapshot, CatalogTable } from '../../../src/core/health/catalog';
import { healthFindings } from '../../../src/core/health/findings';

function table(name: string, over: Partial<CatalogTable> = {}): CatalogTable {
  return {
    schema: 'app', name, kind: 'table', estimatedRows: 100, totalBytes: 8192, seqScan: 0, seqTupRead: 0, idxScan: 0, idxTupFetch: 0,
    liveTuples: 100, deadTuples: 0, lastAnalyze: null, lastAutoanalyze: null, isPartition: false, ...over,
  };
}

function index(name: string, tableName: string, columns: string[], over: Partial<CatalogIndex> = {}): CatalogIndex {
  return {
    schema: 'app', table: tableName, name, definition: `CREATE INDEX ${name} ON app.${tableName} USING btree (${columns.join(', ')})`,
    scans: 5, tupRead: 0, tupFetch: 0, sizeBytes: 16384, unique: false, primary: false, valid: true, constraintName: null,
    constraintType: null, columns, include: [], predicate: null, method: 'btree', ...over,
  };
}

function catalog(tables: CatalogTable[], indexes: CatalogIndex[], server: Partial<CatalogSnapshot['server']> = {}): CatalogSnapshot {
  const pkeys = tables.map((t) => index(`${t.name}_pkey`, t.name, ['id'], { unique: true, primary: true, constraintName: `${t.name}_pkey`, constraintType: 'p' }));
  return {
    server: { database: 'db', serverVersion: '15.2', serverVersionNum: 150002, blockSize: 8192, isReplica: false, statsReset: '2024-01-02T03:04:00.000Z', serverStarted: null, ...server },
    schemas: ['app'], tables, columns: [], indexes: [...pkeys, ...indexes], foreignKeys: [], sizesExact: true, readAt: '2024-02-01T00:00:00.000Z',
  };
}

const rules = (c: CatalogSnapshot, kind: 'server' | 'embedded' = 'server') => healthFindings(c, kind).findings.map((f) => `${f.ruleId} ${f.table} ${f.index ?? ''}`.trim());

describe('healthFindings on a catalog snapshot', () => {
  it('flags a large table read mostly by sequential scans, not a small or index-served one', () => {
    const c = catalog(
      [
        table('events', { estimatedRows: 50_000, seqScan: 40, seqTupRead: 2_000_000, idxTupFetch: 1_000 }),
        table('small', { estimatedRows: 9_000, seqScan: 400, seqTupRead: 3_600_000 }),
        table('served', { estimatedRows: 50_000, seqScan: 2, seqTupRead: 100_000, idxTupFetch: 9_000_000 }),
      ],
      [],
    );
    const found = healthFindings(c, 'server').findings.filter((f) => f.ruleId === 'seq-scan-heavy-table');
    assert.deepEqual(found.map((f) => f.table), ['events']);
    assert.equal(found[0].severity, 'info');
    assert.match(found[0].message, /40 times by sequential scans \(2\.0M rows\) against 1000 rows fetched through indexes since 2024-01-02 03:04 UTC/);
  });

  it('says on a replica that only its own scans count, and when no reset is recorded', () => {
    const c = catalog([table('t')], [index('t_a_idx', 't', ['a'], { scans: 0 })], { isReplica: true, statsReset: null, serverStarted: '2024-03-01T10:00:00.000Z' });
    const [f] = healthFindings(c, 'server').findings.filter((x) => x.ruleId === 'unused-index');
    assert.match(f.message, /This server is a replica: only scans served here are counted/);
    assert.match(f.message, /no reset is recorded for this database.*up since 2024-03-01 10:00 UTC/);
  });

  it('never calls unique, constraint, invalid or uncounted indexes unused', () => {
    const c = catalog(
      [table('t')],
      [
        index('t_u', 't', ['a'], { scans: 0, unique: true }),
        index('t_x', 't', ['b'], { scans: 0, constraintType: 'x', constraintName: 't_x' }),
        index('t_parent', 't', ['c'], { scans: null }),
        index('t_used', 't', ['d'], { scans: 3 }),
      ],
    );
    assert.deepEqual(rules(c), []);
  });

  it('skips usage rules on the embedded sandbox and says why', () => {
    const c = catalog([table('t', { estimatedRows: 1e6, seqScan: 100, seqTupRead: 1e9 })], [index('t_a', 't', ['a'], { scans: 0 })]);
    const { findings, notes } = healthFindings(c, 'embedded');
    assert.deepEqual(findings, []);
    assert.match(notes[0], /embedded sandbox has none/);
  });

  it('rebuilds an invalid index with REINDEX CONCURRENTLY from PG 12, drop and create before', () => {
    const bad = index('t_a', 't', ['a'], { valid: false });
    assert.equal(healthFindings(catalog([table('t')], [bad]), 'server').findings[0].fixSql, 'REINDEX INDEX CONCURRENTLY app.t_a;');
    const old = healthFindings(catalog([table('t')], [bad], { serverVersionNum: 110000 }), 'server').findings[0];
    assert.equal(old.fixSql, 'DROP INDEX CONCURRENTLY IF EXISTS app.t_a;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_a ON app.t USING btree (a);');
  });

  it('names the index of an unindexed foreign key with a name free in its schema, and creates it without IF NOT EXISTS', () => {
    const fk = { schema: 'app', table: 't', name: 't_a_fkey', columns: ['a'], refSchema: 'app', refTable: 'p', refColumns: ['id'] };
    const fixOf = (c: CatalogSnapshot) => healthFindings(c, 'server').findings.find((f) => f.ruleId === 'fk-without-index')?.fixSql;
    const base = catalog([table('t'), table('p')], []);
    assert.equal(fixOf({ ...base, foreignKeys: [fk] }), 'CREATE INDEX CONCURRENTLY t_a_idx ON app.t (a);');
    // A partial index on the key being NOT NULL serves it: no finding.
    const notNull = index('t_a_idx', 't', ['a'], { predicate: '(a IS NOT NULL)' });
    assert.equal(fixOf({ ...base, indexes: [...base.indexes, notNull], foreignKeys: [fk] }), undefined);
    // One on other rows does not, and its name is taken.
    const partial = index('t_a_idx', 't', ['a'], { predicate: '(b > 0)' });
    assert.match(fixOf({ ...base, indexes: [...base.indexes, partial], foreignKeys: [fk] }) ?? '', /^CREATE INDEX CONCURRENTLY t_a_[0-9a-f]{8}_idx ON app\.t \(a\);$/);
    // So is a view's, a sequence's, another table's; in another schema it is free.
    for (const relkind of ['v', 'S', 'f', 'c']) {
      const other = { ...base, foreignKeys: [fk], otherRelations: [{ schema: 'app', name: 't_a_idx', relkind }] };
      assert.match(fixOf(other) ?? '', /^CREATE INDEX CONCURRENTLY t_a_[0-9a-f]{8}_idx ON/, relkind);
    }
    assert.match(fixOf({ ...base, tables: [...base.tables, table('t_a_idx')], foreignKeys: [fk] }) ?? '', /t_a_[0-9a-f]{8}_idx/);
    assert.equal(fixOf({ ...base, foreignKeys: [fk], otherRelations: [{ schema: 'elsewhere', name: 't_a_idx', relkind: 'v' }] }), 'CREATE INDEX CONCURRENTLY t_a_idx ON app.t (a);');
    const finding = healthFindings({ ...base, indexes: [...base.indexes, partial], foreignKeys: [fk] }, 'server').findings.find((f) => f.ruleId === 'fk-without-index');
    assert.equal(finding?.revertSql, `DROP INDEX CONCURRENTLY IF EXISTS app.${/(t_a_[0-9a-f]{8}_idx)/.exec(finding?.fixSql ?? '')?.[1]};`);
  });

  it('orders findings by severity first', () => {
    const c = catalog([table('a'), table('b')], [index('a_x', 'a', ['x'], { scans: 0 }), index('b_y', 'b', ['y'], { valid: false })]);
    assert.deepEqual(rules(c), ['invalid-index b b_y', 'unused-index a a_x']);
  });
});
