import * as assert from 'node:assert/strict';
import { describeSession, formatDuration, queryExcerpt, toSession } from '../../../../src/core/health/database/checks/sessions';

describe('session helpers of the activity checks', () => {
  it('formats durations in the two largest units', () => {
    const table: [number, string][] = [
      [0, '0 s'],
      [0.4, '0 s'],
      [42, '42 s'],
      [59.6, '1 min'],
      [60, '1 min'],
      [312, '5 min 12 s'],
      [3600, '1 h'],
      [7380, '2 h 3 min'],
      [180_000, '2 d 2 h'],
      [-5, '0 s'],
    ];
    assert.deepEqual(
      table.map(([s]) => formatDuration(s)),
      table.map(([, text]) => text),
    );
  });

  it('describes a session by who to ask: role, application, address, database', () => {
    assert.equal(describeSession({ pid: 1, usename: 'alice', applicationName: 'api', clientAddr: '10.0.0.7', database: 'shop' }), 'pid 1 (alice via api from 10.0.0.7, database shop)');
    assert.equal(describeSession({ pid: 2, usename: null, applicationName: null, clientAddr: null, database: null }), 'pid 2 (unknown role)');
  });

  it('puts a query on one line and cuts it', () => {
    assert.equal(queryExcerpt('SELECT *\n  FROM t\n'), 'SELECT * FROM t');
    assert.equal(queryExcerpt('x'.repeat(100), 10), `${'x'.repeat(9)}…`);
  });

  it('reads a row as pg returns it: numeric text, empty application_name', () => {
    const s = toSession({ pid: 5, application_name: '', query_seconds: '12.5', xid_age: null, query: null, state: 'active' });
    assert.equal(s.applicationName, null);
    assert.equal(s.querySeconds, 12.5);
    assert.equal(s.xidAge, null);
    assert.equal(s.query, '');
  });
});
