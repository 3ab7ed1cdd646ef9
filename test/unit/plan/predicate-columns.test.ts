import * as assert from 'node:assert/strict';
import { predicateColumns } from '../../../src/core/plan/condition-columns';

describe('predicate columns (for extended statistics)', () => {
  const cases: [string | undefined, (string | undefined)[], string[]][] = [
    ["((status = 'pending'::text) AND (shipped_at IS NOT NULL))", ['orders'], ['status', 'shipped_at']],
    ["((o.status = 'paid'::text) AND (o.created_at > $1) AND (c.region = 'x'::text))", ['o', 'orders'], ['status', 'created_at']],
    ["((zip = '00042'::text) AND (city = 'city-42'::text))", ['addresses'], ['zip', 'city']],
    ["((email ~~ 'a%'::text) AND (deleted_at IS NULL))", ['users'], ['email', 'deleted_at']],
    ["((kind = ANY ('{1,2}'::integer[])) AND active)", ['t'], ['kind', 'active']],
    ['((NOT archived) AND ((status)::text = \'x\'::text))', ['t'], ['archived', 'status']],
    ['((flag = true) AND (n > 3))', ['t'], ['flag', 'n']],
    ['((a = 1) OR (b = 2))', ['t'], []],
    ['((a = b) AND (c = 1))', ['t'], ['c']],
    ["(note = 'x AND y = 2')", ['t'], ['note']],
    ['(("Weird Col" = 3) AND (a = 1) AND (a < 5))', ['t'], ['"Weird Col"', 'a']],
    [undefined, ['t'], []],
  ];
  for (const [cond, names, expected] of cases) {
    it(String(cond), () => assert.deepEqual(predicateColumns(cond, names), expected));
  }
});
