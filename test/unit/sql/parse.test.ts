import assert from 'node:assert/strict';
import { loadSqlParser, parseSql, statementAtOffset } from '../../../src/core/sql/parse';
import { createLineIndex } from '../../../src/core/sql/line-index';
import { alterCommandRanges } from '../../../src/core/sql/alter-table';

function slice(text: string, r: { startOffset: number; endOffset: number }): string {
  return text.slice(r.startOffset, r.endOffset);
}

describe('parseSql', () => {
  before(() => loadSqlParser());

  it('loads idempotently', async () => {
    await Promise.all([loadSqlParser(), loadSqlParser()]);
    assert.equal(parseSql('SELECT 1').statements.length, 1);
  });

  it('splits statements without the semicolon and reports ranges in lines and characters', () => {
    const text = 'SELECT 1;\n\n  CREATE TABLE t (a int);\nSELECT 2';
    const { statements, errors } = parseSql(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(statements.map((s) => s.kind), ['SelectStmt', 'CreateStmt', 'SelectStmt']);
    assert.deepEqual(statements.map((s) => s.text), ['SELECT 1', 'CREATE TABLE t (a int)', 'SELECT 2']);
    assert.deepEqual(statements[1].range.start, { line: 2, character: 2 });
    assert.deepEqual(statements[1].range.end, { line: 2, character: 24 });
    assert.deepEqual(statements.map((s) => s.index), [0, 1, 2]);
  });

  it('keeps semicolons inside strings, quoted identifiers, comments and dollar quotes', () => {
    const text = "SELECT 'a;b', \"x;y\" FROM t; -- c;d\n/* e; f */ CREATE FUNCTION f() RETURNS text AS $body$ SELECT 'x;'; $body$ LANGUAGE sql;\nSELECT $$;$$";
    const { statements, errors } = parseSql(text);
    assert.equal(errors.length, 0);
    assert.deepEqual(statements.map((s) => s.kind), ['SelectStmt', 'CreateFunctionStmt', 'SelectStmt']);
    assert.ok(statements[1].text.startsWith('CREATE FUNCTION'), 'leading comment is not part of the statement');
    assert.ok(statements[1].text.endsWith('LANGUAGE sql'));
    assert.equal(statements[2].text, 'SELECT $$;$$');
  });

  it('drops a trailing comment after the last statement', () => {
    const { statements } = parseSql('SELECT 1 -- done\n');
    assert.equal(statements[0].text, 'SELECT 1');
  });

  it('converts UTF-8 byte offsets to character offsets (é, emoji)', () => {
    const text = "-- café 😀\nSELECT 'ü😀' AS x, y FROM t;\nCREATE INDEX i ON t (y);";
    const { statements } = parseSql(text);
    assert.equal(slice(text, statements[0].range), "SELECT 'ü😀' AS x, y FROM t");
    assert.equal(slice(text, statements[1].range), 'CREATE INDEX i ON t (y)');
    const rel = statements[1].ast!.IndexStmt.relation;
    assert.equal(slice(text, statements[1].locate(rel.location)), 't');
    const target = statements[0].ast!.SelectStmt.targetList[1].ResTarget;
    assert.equal(slice(text, statements[0].locate(target.location)), 'y');
  });

  it('reports one error per bad statement at Postgres’s cursor and still parses the others', () => {
    const text = "SELECT 'é';\nSELEC 1;\nCREATE TABLE t (a int);\nSELECT 1 FROM WHERE;\nSELECT 2";
    const { statements, errors } = parseSql(text);
    assert.deepEqual(statements.map((s) => s.kind), ['SelectStmt', 'Invalid', 'CreateStmt', 'Invalid', 'SelectStmt']);
    assert.equal(errors.length, 2);
    assert.match(errors[0].message, /syntax error at or near "SELEC"/);
    assert.equal(slice(text, errors[0].range), 'SELEC');
    assert.deepEqual(errors[0].range.start, { line: 1, character: 0 });
    assert.equal(slice(text, errors[1].range), 'WHERE');
    assert.deepEqual(errors[1].range.start, { line: 3, character: 14 });
    assert.equal(statements[1].ast, undefined);
  });

  it('points an error after multibyte text at the right character', () => {
    const text = "SELECT 'é😀' FRM t;";
    const { errors } = parseSql(text);
    assert.equal(errors.length, 1);
    assert.equal(slice(text, errors[0].range), 't');
  });

  it('treats an unterminated string as one error to the end of the file', () => {
    const text = "SELECT 1;\nSELECT 'open;\nSELECT 2;";
    const { statements, errors } = parseSql(text);
    assert.equal(statements[0].kind, 'SelectStmt');
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /unterminated quoted string/);
    assert.equal(errors[0].range.start.line, 1);
  });

  it('keeps BEGIN ATOMIC … END bodies (with nested CASE … END) in one statement when splitting after an error', () => {
    const text =
      'SELEC 1;\nCREATE FUNCTION f(x int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND;\nSELECT 3;';
    const { statements, errors } = parseSql(text);
    assert.equal(errors.length, 1);
    assert.deepEqual(statements.map((s) => s.kind), ['Invalid', 'CreateFunctionStmt', 'SelectStmt']);
    assert.ok(statements[1].text.endsWith('END'));
  });

  it('constructRange stops at a top-level comma or the closing parenthesis', () => {
    const text = 'CREATE TABLE t (\n  id bigint PRIMARY KEY,\n  price numeric(12, 2) NOT NULL DEFAULT 0\n);';
    const { statements } = parseSql(text);
    const cols = statements[0].ast!.CreateStmt.tableElts.map((e: any) => e.ColumnDef);
    assert.equal(slice(text, statements[0].constructRange(cols[0].location)), 'id bigint PRIMARY KEY');
    assert.equal(slice(text, statements[0].constructRange(cols[1].location)), 'price numeric(12, 2) NOT NULL DEFAULT 0');
  });

  it('finds ALTER TABLE subcommand ranges', () => {
    const text = 'ALTER TABLE ONLY app.users ADD COLUMN a int DEFAULT f(1, 2), ALTER COLUMN b SET NOT NULL';
    const { statements } = parseSql(text);
    const ranges = alterCommandRanges(statements[0])!;
    assert.deepEqual(ranges.map((r) => slice(text, r)), ['ADD COLUMN a int DEFAULT f(1, 2)', 'ALTER COLUMN b SET NOT NULL']);
  });

  it('statementAtOffset finds the statement under a cursor', () => {
    const text = 'SELECT 1;\nSELECT 2;';
    const parsed = parseSql(text);
    assert.equal(statementAtOffset(parsed, 12)?.text, 'SELECT 2');
    assert.equal(statementAtOffset(parsed, 8)?.text, 'SELECT 1');
    assert.equal(statementAtOffset(parsed, 9), undefined);
  });

  it('returns no statements and no errors for comments only', () => {
    const parsed = parseSql('-- nothing here\n/* nor here */');
    assert.equal(parsed.statements.length, 0);
    assert.equal(parsed.errors.length, 0);
  });
});

describe('createLineIndex', () => {
  it('maps offsets to positions and back across \\n and \\r\\n', () => {
    const lines = createLineIndex('ab\r\ncd\nef');
    assert.deepEqual(lines.positionAt(0), { line: 0, character: 0 });
    assert.deepEqual(lines.positionAt(4), { line: 1, character: 0 });
    assert.deepEqual(lines.positionAt(8), { line: 2, character: 1 });
    assert.equal(lines.offsetAt({ line: 2, character: 1 }), 8);
    const r = lines.rangeOf(5, 99);
    assert.equal(r.endOffset, 9);
    assert.deepEqual(r.end, { line: 2, character: 2 });
  });
});
