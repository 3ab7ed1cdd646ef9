import { readdirSync, readFileSync } from 'node:fs';
import { loadSqlParser, parseSql } from '../src/core/sql/parse';
import { lintMigrationSet, defaultConfig, rules } from '../src/core/lint';
(async () => {
  await loadSqlParser();
  const dir = '/work/shared/corpus/migrations/langfuse';
  const files = readdirSync(dir).sort().map((f) => ({ file: f, text: readFileSync(dir + '/' + f, 'utf8') }));
  let t = performance.now();
  let n = 0;
  for (const f of files) n += parseSql(f.text).statements.length;
  console.log('parse', (performance.now() - t).toFixed(0), 'ms', n, 'statements');
  t = performance.now();
  lintMigrationSet(files, defaultConfig('/'), { rules: [] });
  console.log('replay only (cached parse)', (performance.now() - t).toFixed(0));
  const times: [string, number][] = [];
  for (const r of rules) {
    t = performance.now();
    lintMigrationSet(files, defaultConfig('/'), { rules: [r] });
    times.push([r.id, performance.now() - t]);
  }
  console.log(times.sort((a, b) => b[1] - a[1]).map(([id, ms]) => `${ms.toFixed(0)} ${id}`).join('\n'));
  t = performance.now();
  lintMigrationSet(files, defaultConfig('/'));
  console.log('all', (performance.now() - t).toFixed(0));
})();
