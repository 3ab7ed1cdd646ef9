import * as assert from 'node:assert/strict';
import { passwordSecretKey, type PasswordTarget } from '../../../src/core/db/password-key';

describe('passwordSecretKey (SecretStorage)', () => {
  const prod: PasswordTarget = { host: 'db.prod.example.com', port: 5432, database: 'app', user: 'app' };

  it('is the same for the same server whatever the connection is called', () => {
    assert.equal(passwordSecretKey(prod), passwordSecretKey({ ...prod }));
    assert.equal(passwordSecretKey(prod), passwordSecretKey({ ...prod, host: 'DB.Prod.Example.com' }));
  });

  it('differs when any of host, port, database or user differs: a workspace redefining "prod" elsewhere gets no password', () => {
    const keys = new Set([
      passwordSecretKey(prod),
      passwordSecretKey({ ...prod, host: 'attacker.example.com' }),
      passwordSecretKey({ ...prod, port: 5433 }),
      passwordSecretKey({ ...prod, database: 'other' }),
      passwordSecretKey({ ...prod, user: 'admin' }),
    ]);
    assert.equal(keys.size, 5);
  });

  it('cannot be forged by a name with separators in it', () => {
    assert.notEqual(
      passwordSecretKey({ host: 'a', port: 5432, database: 'b","c', user: 'd' }),
      passwordSecretKey({ host: 'a', port: 5432, database: 'b', user: 'c","d' }),
    );
  });

  it('never reads the keys of older versions, which were the connection name', () => {
    assert.ok(!passwordSecretKey(prod).startsWith('pglens.password.'));
  });
});
