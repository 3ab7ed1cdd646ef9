import { readdirSync, readFileSync } from 'node:fs';
import { loadSqlParser, SqlStatement } from '../src/core/sql/parse';
import { lintMigrationSet, defaultConfig } from '../src/core/lint';
(async () => {
  await loadSqlParser();
  const orig = SqlStatement.prototype.tokens;
  const callers = new Map<string, number>();
  SqlStatement.prototype.tokens = function (this: any) {
    if (!this.tokenCache) {
      const st = (new Error().stack ?? '').split('\n').slice(2, 6).map((l) => l.trim().replace(/\(.*\/(src\/[^:]+):(\d+).*\)/, '$1:$2')).join(' < ');
      callers.set(st, (callers.get(st) ?? 0) + 1);
    }
    return orig.call(this);
  };
  const dir = '/work/shared/corpus/migrations/' + process.argv[2];
  const files = readdirSync(dir).sort().map((f) => ({ file: f, text: readFileSync(dir + '/' + f, 'utf8') }));
  lintMigrationSet(files, defaultConfig('/'));
  console.log([...callers.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => v + ' ' + k).join('\n'));
})();
