const t0 = performance.now();
import { setFlagsFromString } from 'node:v8';
import { readdirSync, readFileSync } from 'node:fs';
import { loadSqlParser, parseSql } from '../src/core/sql/parse';
import { lintMigrationSet, defaultConfig } from '../src/core/lint';
(async () => {
  const t1 = performance.now();
  setFlagsFromString('--liftoff-only');
  await loadSqlParser();
  const t2 = performance.now();
  const dir = process.argv[2];
  const files = readdirSync(dir).sort().map((f) => ({ file: dir + '/' + f, text: readFileSync(dir + '/' + f, 'utf8') }));
  const t3 = performance.now();
  for (const f of files) parseSql(f.text);
  const t4 = performance.now();
  const findings = lintMigrationSet(files, defaultConfig(dir));
  const t5 = performance.now();
  console.log(`modules ${(t1 - t0).toFixed(0)} (since process start ${performance.timeOrigin ? (t0).toFixed(0) : ''}) wasm ${(t2 - t1).toFixed(0)} read ${(t3 - t2).toFixed(0)} parse ${(t4 - t3).toFixed(0)} lint(incl. cached parse) ${(t5 - t4).toFixed(0)} findings ${findings.length}`);
})();
