import { readdirSync, readFileSync } from 'node:fs';
import { loadSqlParser, parseSql } from '../src/core/sql/parse';
(async () => {
  await loadSqlParser();
  const dir = '/work/shared/corpus/migrations/langfuse';
  const files = readdirSync(dir).sort().map((f) => readFileSync(dir + '/' + f, 'utf8'));
  for (let rep = 0; rep < 5; rep++) for (const f of files) parseSql(f);
  const p = parseSql(files[3]);
  console.log(JSON.stringify(files[3].slice(0, 300)), p.statements.map((s) => s.text.slice(0, 40)));
})();
