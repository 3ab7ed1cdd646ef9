import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { targets } from '../../../src/core/sandbox-data/graph';
import {
  DEFAULT_MAX_TOTAL_ROWS,
  dataKey,
  fillOptionsFor,
  mergeDataSettings,
  parseDataSetting,
  readStatsFile,
  configWithStats,
} from '../../../src/core/sandbox-data/settings';
import { parseConfig } from '../../../src/core/config';
import { col, fk, table } from './catalog-fixture';

describe('sandbox data settings', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pglens-data-settings-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads sandbox.data: false, true, and an object with the stats path resolved against the config folder', () => {
    assert.deepEqual(parseDataSetting(false, 'c.json', '/ws'), { enabled: false });
    assert.deepEqual(parseDataSetting(true, 'c.json', '/ws'), { enabled: true });
    assert.deepEqual(parseDataSetting({ stats: 'db/stats.json', scale: 0.1, rowsPerTable: 500, rows: { orders: 10 }, seed: 3 }, 'c.json', '/ws'), {
      enabled: true,
      stats: path.resolve('/ws', 'db/stats.json'),
      scale: 0.1,
      rowsPerTable: 500,
      rows: { orders: 10 },
      seed: 3,
    });
  });

  it('rejects every bad value naming the key and what it must be', () => {
    const bad: Array<[unknown, RegExp]> = [
      ['yes', /"sandbox\.data" must be false \(empty tables\) or an object/],
      [{ scael: 1 }, /"sandbox\.data\.scael" is not a known setting \(stats, scale, rowsPerTable, rows, seed\)/],
      [{ scale: 0 }, /"sandbox\.data\.scale" must be a number above 0 and at most 100/],
      [{ scale: Number.NaN }, /"sandbox\.data\.scale"/],
      [{ scale: 1000 }, /"sandbox\.data\.scale"/],
      [{ rowsPerTable: 1.5 }, /"sandbox\.data\.rowsPerTable" must be a whole number from 1 to 5000000/],
      [{ rowsPerTable: 0 }, /"sandbox\.data\.rowsPerTable"/],
      [{ rows: [1] }, /"sandbox\.data\.rows" must be an object of table name → row count/],
      [{ rows: { t: -1 } }, /"sandbox\.data\.rows\.t" must be a whole number from 0 to 5000000/],
      [{ stats: '' }, /"sandbox\.data\.stats" must be the path of a stats file/],
      [{ seed: -2 }, /"sandbox\.data\.seed" must be a whole number/],
      // Not exact as a JSON number: 2^53 + 1 reads as 2^53, the same data as another seed.
      [{ seed: 2 ** 53 }, /"sandbox\.data\.seed" must be a whole number from 0 to 9007199254740991/],
      [{ seed: 1e20 }, /"sandbox\.data\.seed" must be a whole number from 0 to 9007199254740991/],
    ];
    for (const [value, message] of bad) assert.throws(() => parseDataSetting(value, 'c.json', '/ws'), message, JSON.stringify(value));
  });

  it('is read from .pglens.json next to sandbox.setup, and an unknown sandbox key names both settings', () => {
    const config = parseConfig({ sandbox: { setup: 'setup.sql', data: { stats: 's.json' } } }, path.join(dir, '.pglens.json'));
    assert.equal(config.sandbox?.setup, path.join(dir, 'setup.sql'));
    assert.deepEqual(config.sandbox?.data, { enabled: true, stats: path.join(dir, 's.json') });
    assert.throws(() => parseConfig({ sandbox: { dta: false } }, path.join(dir, '.pglens.json')), /"sandbox\.dta" is not a known setting \(setup, data\)/);
  });

  it('lets the CLI flags win over the config', () => {
    const config = { enabled: true, stats: '/a.json', scale: 0.5, rows: { t: 5 } };
    assert.deepEqual(mergeDataSettings(config, undefined), config);
    assert.deepEqual(mergeDataSettings(config, { scale: 2 }), { ...config, scale: 2 });
    assert.deepEqual(mergeDataSettings(config, { enabled: false }), { ...config, enabled: false });
    assert.deepEqual(mergeDataSettings({ enabled: false }, { stats: '/b.json', enabled: true }), { enabled: true, stats: '/b.json' });
    assert.deepEqual(mergeDataSettings(undefined, undefined), { enabled: true });
  });

  it('reads a stats file, dropping entries of the wrong shape one by one and naming them', () => {
    const file = path.join(dir, 'stats.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: 1,
        tables: {
          'public.a': { rows: 10, columns: { x: { nullFrac: 0.2, nDistinct: -1, mcv: { values: ['1'], freqs: [0.5] }, correlation: 0.9 }, y: { nullFrac: 7, histogram: [1, 2] } } },
          'public.b': { rows: 'many' },
          'public.c': { rows: 3, columns: { z: { mcv: { values: ['a', 'b'], freqs: [0.1] }, mcvFreqs: [0.3, 0.2] } } },
        },
      }),
    );
    const read = readStatsFile(file, 'stats.json');
    assert.deepEqual(read.stats.tables['public.a'], {
      rows: 10,
      columns: { x: { nullFrac: 0.2, nDistinct: -1, mcv: { values: ['1'], freqs: [0.5] }, correlation: 0.9 }, y: {} },
    });
    assert.equal(read.stats.tables['public.b'], undefined);
    assert.deepEqual(read.stats.tables['public.c'].columns, { z: { mcvFreqs: [0.3, 0.2] } });
    assert.deepEqual(read.dropped, ['public.a.y: nullFrac, histogram', 'public.b (no row count)', 'public.c.z: mcv']);
    assert.match(read.sha, /^[0-9a-f]{64}$/);
  });

  it('refuses what is not a stats file with the cause and the next step', () => {
    const write = (name: string, text: string) => {
      writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    assert.throws(() => readStatsFile(path.join(dir, 'none.json'), 'none.json'), /cannot read the stats file none\.json: no such file — write one with `pglens stats export --db URL -o FILE`/);
    assert.throws(() => readStatsFile(dir, 'dir'), /cannot read the stats file dir: it is a folder/);
    assert.throws(() => readStatsFile(write('bad.json', '{'), 'bad.json'), /the stats file bad\.json is not JSON/);
    assert.throws(() => readStatsFile(write('arr.json', '[]'), 'arr.json'), /arr\.json is not a pglens stats file \(no "tables" object\)/);
    assert.throws(() => readStatsFile(write('null.json', 'null'), 'null.json'), /not a pglens stats file/);
    assert.throws(() => readStatsFile(write('f2.json', '{"format":2,"tables":{}}'), 'f2.json'), /has format 2, which this pglens does not know — export it again/);
    // A FIFO or a device would block the read, or never end.
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    assert.throws(() => readStatsFile(path.join(dir, 'fifo'), 'fifo'), /cannot read the stats file fifo: it is not a regular file/);
    assert.throws(() => readStatsFile('/dev/zero', '/dev/zero'), /it is not a regular file/);
  });

  it('names a stats file in .pglens.json, keeping every other setting', () => {
    assert.equal(configWithStats(undefined, 'stats.json', '.pglens.json'), '{\n  "sandbox": {\n    "data": {\n      "stats": "stats.json"\n    }\n  }\n}\n');
    const kept = JSON.parse(configWithStats(JSON.stringify({ rules: { 'ban-drop-table': 'off' }, sandbox: { setup: 'setup.sql', data: { scale: 0.1, stats: 'old.json' } } }), 'db/s.json', '.pglens.json'));
    assert.deepEqual(kept, { rules: { 'ban-drop-table': 'off' }, sandbox: { setup: 'setup.sql', data: { scale: 0.1, stats: 'db/s.json' } } });
    assert.deepEqual(JSON.parse(configWithStats('{"sandbox":{"data":false}}', 's.json', '.pglens.json')).sandbox, { data: { stats: 's.json' } });
    assert.throws(() => configWithStats('{ "rules": ', 's.json', '.pglens.json'), /\.pglens\.json is not valid JSON .* — fix it, then set "sandbox": \{ "data": \{ "stats": "s\.json" \} \}/);
    assert.throws(() => configWithStats('[]', 's.json', '.pglens.json'), /\.pglens\.json is not a JSON object/);
  });

  it('keys the cached data by everything that changes it, and nothing else', () => {
    const base = { enabled: true, scale: 0.1, rows: { a: 1, b: 2 } };
    const k = dataKey(base, 'sha1', '1.0.0');
    assert.equal(dataKey({ ...base, rows: { b: 2, a: 1 } }, 'sha1', '1.0.0'), k, 'the order of rows does not matter');
    assert.equal(dataKey({ ...base, stats: '/elsewhere/same-file.json' }, 'sha1', '1.0.0'), k, 'the path does not matter, the bytes do');
    // A stats file that could not be read: its own entry, never the defaults'.
    assert.notEqual(dataKey({ enabled: true, stats: '/missing.json' }, undefined, '1.0.0'), dataKey({ enabled: true }, undefined, '1.0.0'));
    for (const other of [dataKey({ ...base, scale: 0.2 }, 'sha1', '1.0.0'), dataKey(base, 'sha2', '1.0.0'), dataKey(base, 'sha1', '1.0.1'), dataKey({ ...base, seed: 1 }, 'sha1', '1.0.0')]) {
      assert.notEqual(other, k);
    }
  });

  it('keeps a schema of many tables within the total budget by default, but not stats or explicit counts', () => {
    const hub = table('hub', [col('id', 'int4')]);
    const many = Array.from({ length: 120 }, (_, i) => {
      const t = table(`t${i}`, [col('id', 'int4'), col('hub_id', 'int4', { notNull: true }), col('v', 'text')]);
      t.foreignKeys.push(fk(`t${i}_hub`, ['hub_id'], hub, ['id']));
      return t;
    });
    const all = [hub, ...many];
    const sized = targets(all, fillOptionsFor({ enabled: true }, undefined));
    const total = [...sized.values()].reduce((n, v) => n + v.rows, 0);
    assert.ok(total <= DEFAULT_MAX_TOTAL_ROWS * 1.001 && total > DEFAULT_MAX_TOTAL_ROWS * 0.9, `total ${total}`);
    const withRows = targets(all, fillOptionsFor({ enabled: true, rows: { t0: 900_000 } }, undefined));
    assert.equal(withRows.get(many[0])!.rows, 900_000);
    assert.ok([...withRows.values()].every((v) => v.rows >= 10));
    // rowsPerTable set by the user: their sizes, no budget.
    const asked = targets(all, fillOptionsFor({ enabled: true, rowsPerTable: 20_000 }, undefined));
    assert.equal(asked.get(many[5])!.rows, 20_000);
  });
});
