import { loadSqlParser, SqlStatement } from '../src/core/sql/parse';
import { lintSqlFile, defaultConfig } from '../src/core/lint';
(async () => {
  await loadSqlParser();
  const base: string[] = [];
  for (let i = 0; base.length < 1000; i++) base.push(
      `CREATE TABLE t${i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, owner_id bigint REFERENCES t${Math.max(0, i - 1)} (id), name text NOT NULL, price numeric(12,2), created_at timestamptz NOT NULL DEFAULT now())`,
      `CREATE INDEX CONCURRENTLY t${i}_owner_idx ON t${i} (owner_id)`,
      `ALTER TABLE t${i} ADD COLUMN note text`,
      `SELECT id, name FROM t${i} WHERE owner_id = $1 AND name LIKE 'a%' ORDER BY created_at DESC LIMIT 50`,
      `UPDATE t${i} SET name = 'x' WHERE id = 1`);
  const text = base.join(';\n') + ';\n';
  lintSqlFile('a.sql', text, defaultConfig('/'));
  const orig = SqlStatement.prototype.tokens;
  const callers = new Map<string, number>();
  SqlStatement.prototype.tokens = function (this: any) {
    if (!this.tokenCache) {
      const st = (new Error().stack ?? '').split('\n').slice(2, 5).map((l) => l.trim().replace(/\(.*\/(src\/[^:]+):(\d+).*\)/, '$1:$2')).join(' < ');
      callers.set(st, (callers.get(st) ?? 0) + 1);
    }
    return orig.call(this);
  };
  const list = [...base]; list[5] = list[5].replace('t1', 't1_x');
  lintSqlFile('a.sql', list.join(';\n') + ';\n', defaultConfig('/'));
  console.log([...callers.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => v + ' ' + k).join('\n'));
})();
