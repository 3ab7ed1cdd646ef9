import * as assert from 'node:assert/strict';
import { redactSecrets } from '../../../src/core/db/redact';
import { toPglensError } from '../../../src/core/db/db-error';

describe('redactSecrets', () => {
  it('hides the password of the userinfo, and nothing else', () => {
    assert.equal(redactSecrets('postgresql://app:s3cret@db.example.com:5432/prod'), 'postgresql://app:***@db.example.com:5432/prod');
    assert.equal(redactSecrets('postgres://app:s3cret@[::1]:5432/prod?sslmode=require'), 'postgres://app:***@[::1]:5432/prod?sslmode=require');
    assert.equal(redactSecrets('postgresql://app@db/prod'), 'postgresql://app@db/prod');
    assert.equal(redactSecrets('postgresql://db:5432/prod'), 'postgresql://db:5432/prod');
  });

  it('hides a percent-encoded password whole', () => {
    assert.equal(redactSecrets('postgresql://app:p%40ss%2Fw0rd@db/prod'), 'postgresql://app:***@db/prod');
  });

  it('hides a password with unencoded "/", "#", "?", "@" or spaces, where a URL parser would cut it', () => {
    for (const pw of ['pa/ss', 'pa#ss', 'pa?ss', 'p@ss', 'pa ss', '12#ab']) {
      const shown = redactSecrets(`postgresql://app:${pw}@db.example.com/prod?sslmode=require`);
      assert.equal(shown, 'postgresql://app:***@db.example.com/prod?sslmode=require', pw);
    }
  });

  it('hides secret query parameters: password, sslpassword, percent-encoded names', () => {
    assert.equal(redactSecrets('postgresql://db/prod?user=app&password=s3cret'), 'postgresql://db/prod?user=app&password=***');
    assert.equal(
      redactSecrets('postgresql://db/prod?sslkey=/k.pem&sslpassword=keypass&sslmode=verify-full'),
      'postgresql://db/prod?sslkey=/k.pem&sslpassword=***&sslmode=verify-full',
    );
    assert.equal(redactSecrets('postgresql://db/prod?pass%77ord=s3cret&x=1'), 'postgresql://db/prod?pass%77ord=***&x=1');
    assert.equal(redactSecrets('postgresql://db/prod?PASSWORD=a%26b'), 'postgresql://db/prod?PASSWORD=***');
  });

  it('hides passwords of keyword/value connection strings, quoted or not', () => {
    assert.equal(redactSecrets('host=db port=5432 password=s3cret dbname=prod'), 'host=db port=5432 password=*** dbname=prod');
    assert.equal(redactSecrets("host=db password = 'a b\\' c' user=app"), 'host=db password = *** user=app');
    assert.equal(redactSecrets('host=db sslpassword=kp'), 'host=db sslpassword=***');
  });

  it('hides the password of a URL quoted in a message, and of any scheme', () => {
    assert.equal(redactSecrets('could not use "postgresql://app:s3cret@db/prod": refused'), 'could not use "postgresql://app:***@db/prod": refused');
    assert.equal(redactSecrets('got "mysql://u:s3cret@h/db"'), 'got "mysql://u:***@h/db"');
  });

  it('never shows a password, even of a URL that does not parse', () => {
    for (const url of ['postgresql://app:s3cret@[bad/prod', 'postgresql://app:s3cret@', 'postgresql://app:s3cret@:5432/db', 'postgresql://app:s3cret@h1:5432,h2:5433/db']) {
      assert.doesNotMatch(redactSecrets(url), /s3cret/, url);
    }
  });

  it('is applied to driver errors that toPglensError passes on, not to the server\'s SQL errors', () => {
    const driver = toPglensError(new Error('bad connection string postgresql://app:s3cret@db/prod?sslpassword=kp'), { target: 'db:5432/prod' });
    assert.equal(driver.message, 'db:5432/prod: bad connection string postgresql://app:***@db/prod?sslpassword=*** — check the connection settings and the server');
    const sql = toPglensError({ code: '42703', message: 'column "password=x" does not exist' });
    assert.match(sql.message, /column "password=x" does not exist/);
  });
});
