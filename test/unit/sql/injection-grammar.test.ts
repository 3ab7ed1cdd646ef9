import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { findEmbeddedSql } from '../../../src/core/sql/embedded';

// The highlighting grammar and the lens finder must agree on which template literals are SQL:
// a literal highlighted as SQL without lenses (or the reverse) reads as a bug. Oniguruma and
// JavaScript read this `begin` pattern the same way (lookbehind, classes, groups).
const grammar = JSON.parse(readFileSync(path.join(__dirname, '../../../syntaxes/sql-template.injection.json'), 'utf8')) as {
  repository: { 'tagged-sql': { begin: string } };
};
const begin = new RegExp(grammar.repository['tagged-sql'].begin);

const cases: Array<[source: string, isSql: boolean]> = [
  ['const q = sql`SELECT 1`', true],
  ['const q = Prisma.sql`SELECT 1`', true],
  ['await prisma.$queryRaw`SELECT 1`', true],
  ['await prisma.$queryRaw<User[]>`SELECT 1`', true],
  ['await tx.$executeRaw`DELETE FROM t`', true],
  ['const q = db.sql`SELECT 1`', true],
  ['const q = mysql`SELECT 1`', false],
  ['const q = nosql`SELECT 1`', false],
  ['const q = html`<p>`', false],
  ['const q = `SELECT 1`', false],
];

describe('SQL template injection grammar', () => {
  for (const [source, isSql] of cases) {
    it(`${isSql ? 'highlights' : 'leaves'} ${source}`, () => {
      assert.equal(begin.test(source), isSql, 'grammar');
      assert.equal(findEmbeddedSql(source).length > 0, isSql, 'findEmbeddedSql (code lenses)');
    });
  }
});
