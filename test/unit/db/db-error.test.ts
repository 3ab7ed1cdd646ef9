import * as assert from 'node:assert/strict';
import { toPglensError } from '../../../src/core/db/db-error';

describe('toPglensError', () => {
  const target = '127.0.0.1:5433/app';

  it('names a refused connection and what to check', () => {
    const e = toPglensError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' }), { target });
    assert.equal(e.code, 'connection-refused');
    assert.equal(e.message, 'could not connect to 127.0.0.1:5433/app: connection refused — is the server running? check host/port');
  });

  it('maps a bad password without echoing anything secret', () => {
    const e = toPglensError({ code: '28P01', message: 'password authentication failed for user "app"' }, { target, user: 'app' });
    assert.equal(e.code, 'auth-failed');
    assert.match(e.message, /authentication failed for user "app" on 127\.0\.0\.1:5433\/app — check the user and password/);
  });

  it('maps pg\'s own "no password" SCRAM error to an authentication failure naming the user', () => {
    for (const text of ['client password must be a string', 'client password must be a non-empty string']) {
      const e = toPglensError(new Error(`SASL: SCRAM-SERVER-FIRST-MESSAGE: ${text}`), { target, user: 'app' });
      assert.equal(e.code, 'auth-failed');
      assert.match(e.message, /^the server 127\.0\.0\.1:5433\/app asks a password for user "app" and none was given — give it in the URL, PGPASSWORD/);
    }
  });

  it('maps a rejected role (28000) and an unknown database (3D000)', () => {
    assert.equal(toPglensError({ code: '28000', message: 'no pg_hba.conf entry' }, { target }).code, 'auth-failed');
    const e = toPglensError({ code: '3D000', message: 'database "nope" does not exist' }, { target, database: 'nope' });
    assert.equal(e.code, 'unknown-database');
    assert.match(e.message, /database "nope" does not exist on 127\.0\.0\.1:5433\/app — check the database name/);
  });

  it('maps host-not-found and connect timeouts', () => {
    assert.match(toPglensError({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND db' }, { target }).message, /host not found/);
    const t = toPglensError(new Error('timeout expired'), { target });
    assert.equal(t.code, 'connection-failed');
    assert.match(t.message, /timed out/);
  });

  it('maps 57014 to a timeout naming the setting, or to a cancellation when asked', () => {
    const timeout = toPglensError({ code: '57014', message: 'canceling statement due to statement timeout' }, { timeoutMs: 30_000 });
    assert.equal(timeout.code, 'timeout');
    assert.match(timeout.message, /\(30 s\).*pglens\.explain\.statementTimeout.*--timeout/);
    assert.equal(toPglensError({ code: '57014', message: 'canceling statement due to user request' }, { cancelRequested: true }).code, 'cancelled');
  });

  it('turns a server position (1-based, in what was sent) into an offset in the user\'s text', () => {
    const prefix = 'EXPLAIN (FORMAT JSON) ';
    const e = toPglensError({ code: '42601', message: 'syntax error at or near "FROMM"', position: String(prefix.length + 10 + 1) }, { prefixLength: prefix.length, statementOffset: 4 });
    assert.equal(e.code, 'syntax-error');
    assert.equal(e.position, 14);
  });

  it('keeps the SQLSTATE and the server hint for other SQL errors', () => {
    const e = toPglensError({ code: '42P01', message: 'relation "x" does not exist', position: '15', hint: undefined });
    assert.equal(e.code, 'sql-error');
    assert.match(e.message, /relation "x" does not exist \(SQLSTATE 42P01\)/);
    assert.equal(e.position, 14);
    const h = toPglensError({ code: '42883', message: 'function f() does not exist', hint: 'No function matches.' });
    assert.equal(h.hint, 'No function matches.');
  });
});
