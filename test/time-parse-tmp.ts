import { readdirSync, readFileSync } from 'node:fs';
import { parseSync, scanSync } from 'libpg-query';
import { loadSqlParser, parseSql } from '../src/core/sql/parse';
(async () => {
  await loadSqlParser();
  const dir = '/work/shared/corpus/migrations/langfuse';
  const files = readdirSync(dir).sort().map((f) => readFileSync(dir + '/' + f, 'utf8'));
  console.log('bytes', files.reduce((a, f) => a + f.length, 0));
  for (let rep = 0; rep < 2; rep++) {
    let t = performance.now();
    for (const f of files) parseSync(f);
    console.log('raw parseSync', (performance.now() - t).toFixed(0));
    t = performance.now();
    for (const f of files) scanSync(f);
    console.log('raw scanSync', (performance.now() - t).toFixed(0));
    t = performance.now();
    for (const f of files) parseSql(f);
    console.log('parseSql', (performance.now() - t).toFixed(0));
  }
})();
