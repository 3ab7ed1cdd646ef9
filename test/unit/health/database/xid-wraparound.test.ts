import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check as xidWraparound, type AgedRelation, type XidData } from '../../../../src/core/health/database/checks/xid-wraparound';
import { judgeCase, runCheckTests } from './session-fixtures';

const M = 1_000_000;

function table(name: string, xidAge: number, over: Partial<AgedRelation> = {}): AgedRelation {
  return { schema: 'shop', table: name, xidAge, mxidAge: 1000, ...over };
}

/** Connected to `shop`, autovacuum_freeze_max_age 200M, every database young unless `over` says otherwise. */
function data(over: Partial<XidData> = {}): XidData {
  const databases = over.databases ?? [
    { name: 'shop', xidAge: 150 * M, mxidAge: 1000 },
    { name: 'postgres', xidAge: 120 * M, mxidAge: 1000 },
  ];
  return {
    currentDatabase: 'shop',
    freezeMaxAge: 200 * M,
    multixactFreezeMaxAge: 400 * M,
    failsafeAge: 1600 * M,
    tables: [table('orders', 150 * M)],
    oldest: table('orders', 150 * M),
    horizon: [],
    seesAllSessions: true,
    role: 'postgres',
    ...over,
    databases,
  };
}

const OLD = { name: 'shop', xidAge: 812_345_678, mxidAge: 1000 };

runCheckTests(xidWraparound, {
  valid: [
    { name: 'young databases and tables', data: data() },
    { name: 'past autovacuum_freeze_max_age but under 500M: autovacuum\'s job', data: data({ databases: [{ name: 'shop', xidAge: 450 * M, mxidAge: 0 }], tables: [table('orders', 450 * M)] }) },
    {
      name: 'autovacuum_freeze_max_age set to 1 billion moves the line up',
      data: data({ freezeMaxAge: 1000 * M, databases: [{ name: 'shop', xidAge: 900 * M, mxidAge: 0 }], tables: [table('orders', 900 * M)] }),
    },
    { name: 'under a raised warnAge', data: data({ databases: [OLD], tables: [table('orders', OLD.xidAge)] }), thresholds: { warnAge: 900 * M } },
  ],
  invalid: [
    {
      name: 'this database and its oldest table past 500M: warnings',
      data: data({ databases: [OLD, { name: 'postgres', xidAge: 100 * M, mxidAge: 0 }], tables: [table('orders', OLD.xidAge), table('lines', 300 * M)], oldest: table('orders', OLD.xidAge) }),
      findings: [
        {
          severity: 'warning',
          message:
            'database shop has transaction ID age 812,345,678 (37.8% of the way to wraparound; autovacuum_freeze_max_age is 200,000,000): ' +
            'autovacuum is not freezing old rows fast enough, and near ~2.1 billion PostgreSQL stops assigning transaction IDs — the database refuses writes until a VACUUM completes',
          metrics: { database: 'shop', xidAge: OLD.xidAge, wraparoundRatio: 0.3783, autovacuumFreezeMaxAge: 200 * M, vacuumFailsafeAge: 1600 * M },
        },
        {
          severity: 'warning',
          schema: 'shop',
          table: 'orders',
          message: /^table shop\.orders has transaction ID age 812,345,678 \(37\.8% of the way to wraparound; autovacuum_freeze_max_age is 200,000,000\): autovacuum is not freezing/,
          metrics: { xidAge: OLD.xidAge },
        },
      ],
    },
    {
      name: 'past 1.2 billion: errors',
      data: data({ databases: [{ name: 'shop', xidAge: 1300 * M, mxidAge: 0 }], tables: [table('orders', 1300 * M)] }),
      findings: [{ severity: 'error', message: /^database shop has transaction ID age 1,300,000,000 \(60\.5% of the way/ }, { severity: 'error', table: 'orders' }],
    },
    {
      name: 'another database: named, with the command to run there',
      data: data({ databases: [{ name: 'analytics', xidAge: 700 * M, mxidAge: 0 }, { name: 'shop', xidAge: 100 * M, mxidAge: 0 }] }),
      findings: [{ message: /^database analytics has transaction ID age 700,000,000 / }],
    },
    {
      name: 'multixact age, against autovacuum_multixact_freeze_max_age',
      data: data({ databases: [{ name: 'shop', xidAge: 100 * M, mxidAge: 600 * M }], tables: [table('orders', 100 * M, { mxidAge: 600 * M })] }),
      findings: [
        { message: /^database shop has multixact ID age 600,000,000 \(27\.9% of the way; autovacuum_multixact_freeze_max_age is 400,000,000\): / },
        { table: 'orders', message: /^table shop\.orders has multixact ID age 600,000,000/ },
      ],
    },
    {
      name: 'a lowered warnAge still waits for autovacuum_freeze_max_age',
      data: data({ databases: [{ name: 'shop', xidAge: 250 * M, mxidAge: 0 }], tables: [table('orders', 150 * M)] }),
      thresholds: { warnAge: 100 * M },
      findings: [{ message: /^database shop has transaction ID age 250,000,000/ }],
    },
  ],
});

describe('xid-wraparound fix SQL and next steps', () => {
  it('freezes each old table of this database', () => {
    const f = judgeCase(xidWraparound, { name: '', data: data({ databases: [OLD], tables: [table('orders', OLD.xidAge)] }) }).findings;
    assert.equal(f[1].fixSql, 'VACUUM (FREEZE, VERBOSE) shop.orders;');
    assert.match(f[1].nextStep ?? '', /^VACUUM \(FREEZE\) reads the whole table but takes only a SHARE UPDATE EXCLUSIVE lock/);
    assert.equal(f[0].fixSql, undefined);
    assert.equal(f[0].nextStep, 'Freeze the oldest tables (the table findings give the VACUUM (FREEZE, VERBOSE) for each).');
  });

  it('when the oldest table is outside the schemas looked at (a system catalog), freezes that one', () => {
    const f = judgeCase(xidWraparound, { name: '', data: data({ databases: [OLD], tables: [], oldest: table('pg_class', OLD.xidAge, { schema: 'pg_catalog' }) }) }).findings;
    assert.equal(f.length, 1);
    assert.equal(f[0].fixSql, 'VACUUM (FREEZE, VERBOSE) pg_catalog.pg_class;');
    assert.match(f[0].nextStep ?? '', /^Its oldest table is pg_catalog\.pg_class \(age 812,345,678\): freeze it, then the next oldest \(vacuumdb --freeze --jobs=4 shop does all\)\./);
  });

  it('a temporary table only its session can vacuum', () => {
    const f = judgeCase(xidWraparound, { name: '', data: data({ databases: [OLD], tables: [], oldest: table('scratch', OLD.xidAge, { schema: 'pg_temp_7' }) }) }).findings;
    assert.equal(f[0].fixSql, undefined);
    assert.match(f[0].nextStep ?? '', /^Its oldest table is the temporary table pg_temp_7\.scratch: autovacuum cannot vacuum temporary tables/);
  });

  it('another database: connect there', () => {
    const [f] = judgeCase(xidWraparound, { name: '', data: data({ databases: [{ name: 'analytics', xidAge: 700 * M, mxidAge: 0 }] }) }).findings;
    assert.equal(f.nextStep, 'Connect to analytics and freeze its oldest tables (VACUUM (FREEZE, VERBOSE) on each, or vacuumdb --freeze --jobs=4 analytics); pglens health there lists them.');
  });

  it('names what holds the transaction horizon back, when it is old enough to matter', () => {
    const horizon: XidData['horizon'] = [
      { kind: 'replication slot', name: 'standby_1', age: 300 * M },
      { kind: 'prepared transaction', name: 'tx-42', age: 120 * M },
      { kind: 'session', name: '4711', age: 60 * M },
      { kind: 'session', name: '4712', age: 10 * M },
    ];
    const [f] = judgeCase(xidWraparound, { name: '', data: data({ databases: [OLD], tables: [table('orders', OLD.xidAge)], horizon }) }).findings;
    assert.match(
      f.nextStep ?? '',
      / VACUUM cannot freeze rows newer than the oldest open transaction; the oldest: replication slot "standby_1" \(age 300,000,000\), prepared transaction "tx-42" \(age 120,000,000\), session 4711 \(age 60,000,000\) — end or drop what should not be there \(docs\/rules\/xid-wraparound\.md has the queries\)\.$/,
    );
  });
});

describe('xid-wraparound summary and notes', () => {
  it('always states the age of this database, and an older one elsewhere', () => {
    assert.equal(
      judgeCase(xidWraparound, { name: '', data: data() }).summary,
      'transaction ID age 150,000,000 in shop (6.9% of the ~2.1 billion limit), multixact age 1,000; autovacuum_freeze_max_age 200,000,000',
    );
    const older = judgeCase(xidWraparound, { name: '', data: data({ databases: [{ name: 'legacy', xidAge: 300 * M, mxidAge: 0 }, { name: 'shop', xidAge: 150 * M, mxidAge: 0 }] }) });
    assert.match(older.summary ?? '', /; oldest database legacy at 300,000,000$/);
  });

  it('says when other roles\' sessions are hidden', () => {
    const j = judgeCase(xidWraparound, { name: '', data: data({ seesAllSessions: false, role: 'app' }) });
    assert.deepEqual(j.notes, ['sessions of other roles hide their transaction horizon from app (it needs pg_read_all_stats), so a session holding back freezing may go unnamed']);
  });

  it('defaults: warning from 500 million (or autovacuum_freeze_max_age, if higher), error from 1.2 billion', () => {
    assert.deepEqual(xidWraparound.defaults, { warnAge: 500 * M, errorAge: 1200 * M });
  });
});

describe('xid-wraparound docs page', () => {
  it('quotes the message and fix of its example', () => {
    const flat = (text: string): string => text.replace(/\s+/g, ' ');
    const page = flat(readFileSync(join(__dirname, '../../../../docs/rules/xid-wraparound.md'), 'utf8'));
    const { findings } = judgeCase(xidWraparound, { name: '', data: data({ databases: [OLD], tables: [table('orders', OLD.xidAge)] }) });
    for (const f of findings) {
      assert.ok(page.includes(flat(f.message)), `xid-wraparound.md does not quote: ${f.message}`);
      if (f.fixSql) assert.ok(page.includes(flat(f.fixSql)), `xid-wraparound.md does not show: ${f.fixSql}`);
    }
  });
});
