import * as assert from 'node:assert/strict';
import { sqlOneLine } from '../../../src/cli/output';

describe('sqlOneLine (a statement on one line of text output)', () => {
  const cases: Array<[string, string, string]> = [
    ['collapses whitespace between tokens', 'SELECT *\n\tFROM  t\r\n WHERE id = $1  ', 'SELECT * FROM t WHERE id = $1'],
    ['keeps a quoted identifier as written', 'SELECT * FROM "a\nb"  WHERE "x  y" = $1', 'SELECT * FROM "a\nb" WHERE "x  y" = $1'],
    ['keeps a doubled quote inside a name', 'SELECT "a""\n  b" ,  1', 'SELECT "a""\n  b" , 1'],
    ['keeps a string and a dollar-quoted body', "SELECT 'a\n  b',   $f$x\n  y$f$,  $$ z $$", "SELECT 'a\n  b', $f$x\n  y$f$, $$ z $$"],
    ['does not take $1 for a dollar quote', 'SELECT $1,\n $2', 'SELECT $1, $2'],
    ['an unclosed quote runs to the end', 'SELECT "a\n  b', 'SELECT "a\n  b'],
  ];
  for (const [title, input, expected] of cases) it(title, () => assert.equal(sqlOneLine(input, 1000), expected));

  it('cuts at max with an ellipsis', () => {
    assert.equal(sqlOneLine('SELECT   1234567890', 10), 'SELECT 12…');
  });
});
