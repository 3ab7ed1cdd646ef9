import * as assert from 'node:assert/strict';
import { walkNodes } from '../../../src/core/sql/ast';
import { loadSqlParser } from '../../../src/core/sql/parse';
import { parseStatements } from '../../../src/core/sql/parse-statements';
import { buildStatsExport, exportSql, exportStats, gapNotes, statsExportText } from '../../../src/core/sandbox-data/stats-export';
import type { FillStats } from '../../../src/core/sandbox-data';
import { PglensError } from '../../../src/core/errors';

const header = { pglensVersion: '9.9.9', serverVersion: '15.8', timeoutMs: 30_000, now: new Date('2025-01-02T03:04:05.000Z') };

/** One row of the export's SELECT, as pg returns it. */
function row(table: string, column: string | null, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const [schema, name] = table.split('.');
  return {
    schema,
    table: name,
    kind: 'r',
    reltuples: 1000,
    relpages: '12',
    leaves: null,
    attnum: column === null ? null : 1,
    column,
    readable: true,
    has_stats: false,
    null_frac: null,
    n_distinct: null,
    mcv_values: null,
    mcv_freqs: null,
    histogram: null,
    correlation: null,
    ...extra,
  };
}

const analyzed = (table: string, column: string, extra: Record<string, unknown> = {}) =>
  row(table, column, { has_stats: true, null_frac: 0.25, n_distinct: 3, mcv_values: ['a', 'b'], mcv_freqs: [0.5, 0.2], histogram: null, correlation: 0.9, ...extra });

describe('stats export (no server)', () => {
  it('sends BEGIN READ ONLY, SET LOCALs and one SELECT of the catalogs, nothing else', async () => {
    await loadSqlParser();
    const sql = exportSql({ schemas: ["it's", 'back\\slash'], timeoutMs: 1500.2 });
    const statements = parseStatements(sql);
    assert.deepEqual(
      statements.map((s) => s.kind),
      ['TransactionStmt', 'VariableSetStmt', 'VariableSetStmt', 'VariableSetStmt', 'VariableSetStmt', 'VariableSetStmt', 'VariableSetStmt', 'VariableSetStmt', 'SelectStmt'],
    );
    assert.equal(statements[0].text, 'BEGIN TRANSACTION READ ONLY');
    for (const s of statements.slice(1, -1)) assert.match(s.text, /^SET LOCAL /);
    assert.equal(statements[1].text, 'SET LOCAL statement_timeout = 1501');
    const relations = new Set<string>();
    walkNodes(statements[8].node, (type, body) => {
      if (type === 'RangeVar') relations.add(String(body.relname));
    });
    assert.deepEqual([...relations].sort(), ['pg_attribute', 'pg_class', 'pg_namespace', 'pg_stats']);
    // Schema names are literals whatever standard_conforming_strings says.
    assert.match(sql, /n\.nspname IN \('it''s', E'back\\\\slash'\)/);
  });

  it('maps pg_stats to FillStats: MCVs, histogram, correlation; keys in the order rows come', () => {
    const out = buildStatsExport(
      [
        analyzed('app.t', 'status'),
        analyzed('app.t', 'id', { null_frac: 0, n_distinct: -1, mcv_values: null, mcv_freqs: null, histogram: ['1', '50', '100'], correlation: 1 }),
        row('app.t', 'added'),
      ],
      header,
    );
    const stats: FillStats = out;
    assert.deepEqual(stats.tables['app.t'], {
      rows: 1000,
      pages: 12,
      columns: {
        status: { nullFrac: 0.25, nDistinct: 3, mcv: { values: ['a', 'b'], freqs: [0.5, 0.2] }, correlation: 0.9 },
        id: { nullFrac: 0, nDistinct: -1, histogram: ['1', '50', '100'], correlation: 1 },
      },
    });
    assert.deepEqual(
      { format: out.format, pglensVersion: out.pglensVersion, serverVersion: out.serverVersion, exportedAt: out.exportedAt, values: out.values },
      { format: 1, pglensVersion: '9.9.9', serverVersion: '15.8', exportedAt: '2025-01-02T03:04:05.000Z', values: true },
    );
    assert.deepEqual(out.missing.columnsNotAnalyzed, { 'app.t': ['added'] });
  });

  it('without values: frequencies and bound counts only', () => {
    const out = buildStatsExport([analyzed('app.t', 'status', { histogram: ['x', 'y', 'z'] })], { ...header, values: false });
    assert.equal(out.values, false);
    assert.deepEqual(out.tables['app.t'].columns.status, { nullFrac: 0.25, nDistinct: 3, mcvFreqs: [0.5, 0.2], histogramBounds: 3, correlation: 0.9 });
    assert.doesNotMatch(statsExportText(out), /"a"|"x"|"mcv"|"histogram"/);
  });

  it('names the gaps: rows unknown, no column statistics, hidden columns; partitioned rows from the partitions', () => {
    const out = buildStatsExport(
      [
        row('app.never', 'x', { reltuples: -1 }),
        row('app.empty', 'x', { reltuples: 0, relpages: '0' }),
        row('app.nocols', null),
        row('app.parts', 'id', { kind: 'p', reltuples: -1, relpages: '-1', leaves: JSON.stringify({ tuples: 300, pages: '4', unknown: 1, leaves: 3 }) }),
        row('app.parts2', 'id', { kind: 'p', reltuples: -1, leaves: JSON.stringify({ tuples: 0, pages: '0', unknown: 2, leaves: 2 }) }),
        analyzed('app.secret', 'id'),
        row('app.secret', 'ssn', { readable: false }),
        row('app.rls', 'a', { readable: false }),
      ],
      header,
    );
    assert.deepEqual(Object.keys(out.tables), ['app.empty', 'app.nocols', 'app.parts', 'app.secret', 'app.rls']);
    assert.deepEqual(out.tables['app.parts'], { rows: 300, pages: 4, columns: {} });
    assert.deepEqual(out.tables['app.empty'], { rows: 0, pages: 0, columns: {} });
    assert.deepEqual(out.missing, {
      notAnalyzed: ['app.never', 'app.parts2'],
      noColumnStats: ['app.empty', 'app.parts'],
      hiddenColumns: { 'app.secret': ['ssn'], 'app.rls': ['a'] },
      columnsNotAnalyzed: {},
    });
  });

  it('leaves out the tables two names share once dotted ("public.a".b and public."a.b"), and says so', () => {
    const out = buildStatsExport(
      [
        { ...analyzed('x.y', 'z'), schema: 'public.a', table: 'b' },
        { ...analyzed('x.y', 'x'), schema: 'public', table: 'a.b', reltuples: 50_000 },
        analyzed('public.c', 'id'),
      ],
      header,
    );
    assert.deepEqual(Object.keys(out.tables), ['public.c']);
    assert.deepEqual(out.missing.ambiguous, ['public.a.b']);
    assert.match(gapNotes(out).join('\n'), /1 name\(s\) shared by two tables \(a dot inside a quoted name\), left out: public\.a\.b/);
  });

  it('leaves out values it cannot read as text (multidimensional) and MCV lists whose lengths disagree', () => {
    const out = buildStatsExport([analyzed('app.t', 'c', { mcv_values: [['1', '2']], mcv_freqs: [0.5], histogram: ['a', 'b'] }), analyzed('app.t', 'd', { mcv_values: ['a'], mcv_freqs: [0.5, 0.1] })], header);
    assert.deepEqual(out.tables['app.t'].columns.c, { nullFrac: 0.25, nDistinct: 3, histogram: ['a', 'b'], correlation: 0.9 });
    assert.equal(out.tables['app.t'].columns.d.mcv, undefined);
  });

  it('writes valid JSON with every control character escaped, lists on one line', () => {
    const weird = 'a\nb\u001b[31m\u007f\u0085\u2028\u2029';
    const out = buildStatsExport([analyzed(`app.${weird}`, weird, { mcv_values: [weird, '##[x'], mcv_freqs: [0.5, 0.5] })], header);
    const text = statsExportText(out);
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    assert.ok(text.endsWith('}\n'));
    assert.match(text, /^ {12}"values": \["a\\nb\\u001b\[31m\\u007f\\u0085\\u2028\\u2029", "##\[x"\],$/m);
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(out)));
    assert.equal(JSON.parse(text).tables[`app.${weird}`].columns[weird].mcv.values[0], weird);
  });

  it('rolls back after the SELECT, also when it fails, and refuses an export with no table', async () => {
    const sent: string[] = [];
    const session = (fail?: Error) => ({
      query: async (sql: string) => {
        sent.push(sql.split(';')[0]);
        if (fail && sql.startsWith('BEGIN')) throw fail;
        return { rows: [] };
      },
    });
    await assert.rejects(exportStats(session(), { ...header, schemas: ['a', 'b'] }), (e: unknown) => e instanceof PglensError && e.message === 'no tables in schemas a, b — check the --schema names (they are case-sensitive)');
    assert.deepEqual(sent, ['BEGIN TRANSACTION READ ONLY', 'ROLLBACK']);
    sent.length = 0;
    await assert.rejects(exportStats(session(new PglensError('timeout', 'x')), { ...header, timeoutMs: 2500 }), /ran longer than the 2\.5 s timeout and was cancelled — raise --timeout SECONDS/);
    assert.deepEqual(sent, ['BEGIN TRANSACTION READ ONLY', 'ROLLBACK']);
  });
});
