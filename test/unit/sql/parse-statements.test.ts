/** core/sql's statement splitter for code that runs SQL (sandbox replay, explain safety) on comments Postgres's scanner is slow on. */
import { strict as assert } from 'node:assert';
import { loadSqlParser } from '../../../src/core/sql/parse';
import { parseStatements } from '../../../src/core/sql/parse-statements';
import { SqlSyntaxError } from '../../../src/core/sql/syntax-error';

describe('parseStatements', () => {
  before(() => loadSqlParser());

  it('splits around 100,000 nested comments in linear time, keeping the text as written', () => {
    const comment = '/*'.repeat(100_000) + '*/'.repeat(100_000);
    const started = Date.now();
    const statements = parseStatements(`SELECT 1 ${comment};\nSELECT 2`);
    assert.deepEqual(statements.map((s) => [s.kind, s.text.length, s.offset]), [['SelectStmt', 9 + comment.length, 0], ['SelectStmt', 8, comment.length + 11]]);
    assert.ok(statements[0].text.endsWith('*/*/'));
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });

  it('throws a syntax error at the start of an unterminated comment, without quoting the rest of the input', () => {
    const sql = `SELECT 1; ${'/*'.repeat(100_000)}`;
    assert.throws(
      () => parseStatements(sql),
      (e: unknown) => e instanceof SqlSyntaxError && e.position === 10 && e.message === 'unterminated /* comment (comments nest: each /* needs its own */)',
    );
  });
});
