import { readdirSync, readFileSync } from 'node:fs';
import { loadSqlParser } from '../src/core/sql/parse';
import { lintMigrationSet, defaultConfig, rules } from '../src/core/lint';
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
(async () => {
  await loadSqlParser();
  const dir = '/work/shared/corpus/migrations/' + process.argv[2];
  const files = readdirSync(dir).sort().map((f) => ({ file: f, text: readFileSync(dir + '/' + f, 'utf8') }));
  for (let i = 0; i < 3; i++) lintMigrationSet(files, defaultConfig('/'));
  let t = cpu();
  for (let i = 0; i < 2; i++) lintMigrationSet(files, defaultConfig('/'), { rules: [] });
  const base = (cpu() - t) / 2;
  console.log('replay only (warm, cached parse)', base.toFixed(1));
  const times: [string, number][] = [];
  for (const r of rules) { t = cpu(); for (let i = 0; i < 2; i++) lintMigrationSet(files, defaultConfig('/'), { rules: [r] }); times.push([r.id, (cpu() - t) / 2 - base]); }
  console.log(times.sort((a, b) => b[1] - a[1]).slice(0, 12).map(([id, ms]) => `${ms.toFixed(1)} ${id}`).join('\n'));
})();
