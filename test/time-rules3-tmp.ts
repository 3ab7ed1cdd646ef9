import { readdirSync, readFileSync } from 'node:fs';
import { loadSqlParser, parseSql } from '../src/core/sql/parse';
import { lintMigrationSet, defaultConfig } from '../src/core/lint';
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
(async () => {
  await loadSqlParser();
  const dir = '/work/shared/corpus/migrations/' + process.argv[2];
  const all = readdirSync(dir).sort().map((f) => ({ file: f, text: readFileSync(dir + '/' + f, 'utf8') }));
  for (const n of [100, 200, 300, 434]) {
    const files = all.slice(0, n);
    let t = cpu();
    for (const f of files) parseSql(f.text);
    const p = cpu() - t;
    t = cpu();
    lintMigrationSet(files, defaultConfig('/'), { rules: [] });
    const r = cpu() - t;
    t = cpu();
    lintMigrationSet(files, defaultConfig('/'));
    console.log(n, 'parse', p.toFixed(0), 'parse+replay', r.toFixed(0), 'all', (cpu() - t).toFixed(0));
  }
})();
