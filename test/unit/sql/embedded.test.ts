import { strict as assert } from 'node:assert';
import { findEmbeddedSql } from '../../../src/core/sql/embedded';
import { countParams, findExplainTargets, targetAtOffset } from '../../../src/core/sql/explain-targets';
import { loadSqlParser } from '../../../src/core/sql/parse';

describe('findEmbeddedSql', () => {
  it('finds sql`…`, Prisma.sql`…`, $queryRaw and $executeRaw with generics', () => {
    const src = [
      'const a = sql`SELECT 1`;',
      'const b = Prisma.sql`SELECT 2`;',
      'await prisma.$queryRaw<User[]>`SELECT * FROM "User" WHERE id = ${id}`;',
      'await prisma.$executeRaw`DELETE FROM t WHERE x = ${x}`;',
      'const plain = `SELECT not sql`;',
    ].join('\n');
    const found = findEmbeddedSql(src);
    assert.deepEqual(found.map((f) => f.tag), ['sql', 'Prisma.sql', '$queryRaw', '$executeRaw']);
    assert.equal(found[0].sql, 'SELECT 1');
    assert.equal(src.slice(found[2].tagStart, found[2].tagStart + 9), '$queryRaw');
    assert.deepEqual(found[2].params, ['id']);
  });

  it('replaces placeholders with $N padded so offsets are preserved', () => {
    const src = 'sql`SELECT * FROM t WHERE a = ${userId} AND b = ${other.value}`';
    const [e] = findEmbeddedSql(src);
    assert.equal(e.sql, `SELECT * FROM t WHERE a = ${'$1'.padEnd('${userId}'.length)} AND b = ${'$2'.padEnd('${other.value}'.length)}`);
    const content = src.slice(e.contentStart, e.contentStart + e.sql.length);
    assert.equal(content.length, e.sql.length);
    assert.equal(content.indexOf('AND'), e.sql.indexOf('AND'));
    assert.deepEqual(e.params, ['userId', 'other.value']);
  });

  it('ignores backticks in comments and strings, and handles nested templates in placeholders', () => {
    const src = [
      '// sql`SELECT in comment`',
      "const s = 'sql`in string`';",
      'const q = sql`SELECT ${cond ? sql`a = 1` : `x`} FROM t`;',
    ].join('\n');
    const found = findEmbeddedSql(src);
    const placeholder = '${cond ? sql`a = 1` : `x`}';
    assert.deepEqual(found.map((f) => f.sql), ['a = 1', `SELECT ${'$1'.padEnd(placeholder.length)} FROM t`]);
  });

  it('returns nothing for an unterminated template instead of throwing', () => {
    assert.deepEqual(findEmbeddedSql('const q = sql`SELECT 1'), []);
  });
});

describe('findExplainTargets', () => {
  before(() => loadSqlParser());

  it('lists queries of a .sql file and skips DDL', () => {
    const text = 'CREATE TABLE t (id int);\n-- a comment; with a semicolon\nSELECT * FROM t WHERE id = $1;\nUPDATE t SET id = 2 WHERE id = $2 AND $1 = $1;';
    const targets = findExplainTargets(text, 'sql');
    assert.deepEqual(targets.map((t) => t.kind), ['SelectStmt', 'UpdateStmt']);
    assert.equal(targets[0].range.start.line, 2);
    assert.equal(targets[0].paramCount, 1);
    assert.equal(targets[1].paramCount, 2);
  });

  it('maps template-literal statements back to document lines', () => {
    const text = 'const x = 1;\nconst rows = await prisma.$queryRaw`\n  SELECT * FROM "User"\n  WHERE id = ${x}`;\n';
    const [t] = findExplainTargets(text, 'script');
    assert.equal(t.kind, 'SelectStmt');
    assert.equal(t.range.start.line, 2);
    assert.equal(text.slice(t.range.startOffset, t.range.startOffset + 6), 'SELECT');
    assert.equal(t.paramCount, 1);
    assert.deepEqual(t.paramSources, ['x']);
  });

  it('targetAtOffset: the statement containing the cursor, up to the character after it, else the first one starting on its line', () => {
    const text = 'SELECT 1;\n  SELECT 2 ;  SELECT 3;\nCREATE TABLE t (id int);\n';
    const targets = findExplainTargets(text, 'sql');
    const at = (offset: number, line: number) => targetAtOffset(targets, offset, line)?.sql;
    assert.equal(at(0, 0), 'SELECT 1');
    assert.equal(at(text.indexOf(';'), 0), 'SELECT 1', 'the cursor just past the text, on its semicolon');
    assert.equal(at(text.indexOf('SELECT 3') + 3, 1), 'SELECT 3');
    assert.equal(at(text.indexOf('  SELECT 2'), 1), 'SELECT 2', 'in the blanks before the statements of a line: the first one on the line');
    assert.equal(at(text.indexOf('CREATE') + 2, 2), undefined, 'DDL is not a target');
  });

  it('counts parameters outside strings and comments only', () => {
    assert.equal(countParams("SELECT '$5', $2 -- $9\n"), 2);
    assert.equal(countParams('SELECT $1 /* a /* nested */ $7 */'), 1);
    assert.equal(countParams("SELECT E'it\\'s $4', $$ $5 $$, $tag$ $6 $tag$, $2"), 2);
  });
});
