import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadSqlParser, parseSql, statementAtOffset } from '../../../src/core/sql/parse';
import { createLineIndex } from '../../../src/core/sql/line-index';
import { alterCommandRanges } from '../../../src/core/sql/alter-table';
import type { AstNode } from '../../../src/core/sql/statement';

function slice(text: string, r: { startOffset: number; endOffset: number }): string {
  return text.slice(r.startOffset, r.endOffset);
}

describe('parseSql', () => {
  before(() => loadSqlParser());

  it('throws a clear error when used before loadSqlParser() resolved', () => {
    // A fresh process: in this one the parser is already loaded.
    const root = join(__dirname, '../../..');
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', "require('./src/core/sql/parse').parseSql('SELECT 1')"], { cwd: root, encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /The SQL parser is not loaded yet — await loadSqlParser\(\) once before calling parseSql\(\)/);
  });

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
    const cols = statements[0].ast!.CreateStmt.tableElts.map((e: AstNode) => e.ColumnDef);
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

  it('reports an unterminated comment at its start, as the end of the statement it interrupts', () => {
    const text = 'SELECT 1;\nSELECT 2 /* a /* nested */ still open\n';
    const { statements, errors } = parseSql(text);
    assert.deepEqual(statements.map((s) => [s.kind, s.text]), [['SelectStmt', 'SELECT 1'], ['Invalid', 'SELECT 2 /* a /* nested */ still open']]);
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /^unterminated \/\* comment/);
    assert.equal(slice(text, errors[0].range), '/*');
    assert.deepEqual(errors[0].range.start, { line: 1, character: 9 });
  });

  it('reports an unterminated comment after the last statement on its own', () => {
    const text = 'SELECT 1; -- done\n/* /* */';
    const { statements, errors } = parseSql(text);
    assert.deepEqual(statements.map((s) => s.kind), ['SelectStmt', 'Invalid']);
    assert.equal(errors.length, 1);
    assert.deepEqual(errors[0].range.start, { line: 1, character: 0 });
  });

  it('takes linear time on 100,000 nested comments, closed or not (Postgres’s own scanner takes minutes)', () => {
    const n = 100_000;
    const started = Date.now();
    const open = parseSql('/*'.repeat(n));
    assert.deepEqual(open.errors.map((e) => [e.range.startOffset, e.range.endOffset]), [[0, 2]]);
    const closed = parseSql(`SELECT 1 ${'/*'.repeat(n)}${'*/'.repeat(n)} + 2;\nSELEC 3`);
    assert.deepEqual(closed.statements.map((s) => s.kind), ['SelectStmt', 'Invalid']);
    assert.equal(closed.statements[0].ast!.SelectStmt.targetList[0].ResTarget.val.A_Expr.name[0].String.sval, '+');
    assert.deepEqual(closed.errors[0].range.start, { line: 1, character: 0 });
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });

  it('keeps offsets and error positions true after a nested comment with multibyte text', () => {
    const text = "SELECT 'é' /* ü /* 😀 */ */ FRM t";
    const { errors } = parseSql(text);
    assert.equal(slice(text, errors[0].range), 't');
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

describe('parseSql on large files (statement cache)', () => {
  before(() => loadSqlParser());

  const statement = (i: number, salt = '') =>
    `CREATE TABLE "tbl_é${i}" (id bigint PRIMARY KEY, note${salt} text DEFAULT 'a;b', price numeric(12, 2))`;
  const file = (n: number, edit = -1) =>
    Array.from({ length: n }, (_, i) => `-- ${i} 😀\n${statement(i, i === edit ? '_edited' : '')}`).join(';\n') + ';\n';

  it('gives the same statements, ranges and AST locations when re-parsed after an edit', () => {
    const original = file(400);
    assert.ok(original.length > 16 * 1024);
    parseSql(original);
    const edited = file(400, 7).replace('-- 3 😀', '-- three, longer 😀😀');
    const incremental = parseSql(edited);
    assert.equal(incremental.errors.length, 0);
    assert.equal(incremental.statements.length, 400);
    for (const s of [incremental.statements[2], incremental.statements[7], incremental.statements[399]]) {
      assert.equal(edited.slice(s.range.startOffset, s.range.endOffset), s.text);
      const col = s.ast!.CreateStmt.tableElts[1].ColumnDef;
      assert.equal(edited.slice(s.constructRange(col.location).startOffset, s.constructRange(col.location).endOffset).split(' ')[0], col.colname);
      assert.equal(edited.slice(s.locate(s.ast!.CreateStmt.relation.location).startOffset, s.locate(s.ast!.CreateStmt.relation.location).endOffset), `"tbl_é${s.index}"`);
    }
    assert.equal(incremental.statements[7].ast!.CreateStmt.tableElts[1].ColumnDef.colname, 'note_edited');
  });

  it('still reports a syntax error introduced by the edit at its position', () => {
    const original = file(300);
    parseSql(original);
    const broken = original.replace('CREATE TABLE "tbl_é5"', 'CREATE TABEL "tbl_é5"');
    const parsed = parseSql(broken);
    assert.equal(parsed.errors.length, 1);
    assert.equal(broken.slice(parsed.errors[0].range.startOffset, parsed.errors[0].range.endOffset), 'TABEL');
    assert.equal(parsed.statements.filter((s) => s.kind === 'CreateStmt').length, 299);
  });
});

describe('statement tokens', () => {
  before(() => loadSqlParser());

  it('lex strings, quoted names, dollar quotes, comments and operators like Postgres does', () => {
    const text = `SELECT E'a\\'b', 'it''s', "q""x", $tag$ ; $tag$, /* a /* nested */ b */ x::int, $1, 1.5e3, b'01' -- end`;
    const [s] = parseSql(text).statements;
    const kinds = s.tokens().map((t) => `${t.kind}:${t.text}`);
    assert.deepEqual(kinds, [
      'ident:SELECT', "string:E'a\\'b'", 'punct:,', "string:'it''s'", 'punct:,', 'ident:"q""x"', 'punct:,', 'string:$tag$ ; $tag$', 'punct:,',
      'comment:/* a /* nested */ b */', 'ident:x', 'operator:::', 'ident:int', 'punct:,', 'param:$1', 'punct:,', 'number:1.5e3', 'punct:,', "string:b'01'",
    ]);
  });
});
