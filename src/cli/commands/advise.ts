import { flagChoice, flagList, flagString, UsageError } from '../args';
import { COMMON_VALUE_FLAGS, type Command } from '../context';
import { CONNECTION_SWITCHES, CONNECTION_VALUE_FLAGS, DATA_FLAGS_HELP, openCliConnection } from '../connection';
import { allowedFunctions, statementFromArgs } from './explain';
import { cancelOnInterrupt } from '../interrupt';
import { escapeControl } from '../../core/escape-control';
import { adviseIndexes, type VerifyMethod } from '../../core/advise/advise';
import { loadSqlParser } from '../../core/sql/parse';

export const command: Command = {
  name: 'advise',
  summary: 'propose indexes for a statement and verify each one (HypoPG on a server, real indexes on the sandbox)',
  usage: [
    'Usage: pglens advise [SQL | -] [--file F [--line N]] [options]',
    '',
    'Proposes candidate indexes (equality columns, then range, then sort; partial and INCLUDE variants),',
    'verifies each inside a transaction that is rolled back — with HypoPG on a server, by building it on the',
    'embedded sandbox otherwise — and keeps those that cut the plan cost by --min-gain (default 20%).',
    '',
    'Options:',
    '  --param VALUE         value for $1, $2, … (repeat in order; bound as parameters, never spliced into the text)',
    '  --allow-functions F,G let these user functions run although pglens could not prove them harmless (see explain)',
    '  --method hypopg|sandbox  force the verification method (sandbox only with the embedded database: a server is never given real test indexes)',
    '  --min-gain PERCENT    minimum cost reduction to keep a candidate (default 20)',
    '  --db URL / --embedded / --migrations DIR   connection (see `pglens --help`)',
    ...DATA_FLAGS_HELP,
    '  --format text|json',
    '  --timeout SECONDS     statement timeout of each EXPLAIN on a server (default 30)',
  ].join('\n'),
  flags: {
    values: [...COMMON_VALUE_FLAGS, ...CONNECTION_VALUE_FLAGS, 'file', 'line', 'param', 'method', 'min-gain', 'allow-functions'],
    switches: [...CONNECTION_SWITCHES],
  },
  async run(args, ctx) {
    const format = flagChoice(args, 'format', ['text', 'json'] as const, 'text');
    const methodFlag = flagString(args, 'method');
    if (methodFlag !== undefined && methodFlag !== 'hypopg' && methodFlag !== 'sandbox') throw new UsageError('--method must be hypopg or sandbox');
    const minGain = Number(flagString(args, 'min-gain') ?? '20');
    if (!Number.isFinite(minGain) || minGain <= 0 || minGain >= 100) throw new UsageError('--min-gain must be a percentage between 0 and 100');
    await loadSqlParser();
    const sql = statementFromArgs(args, ctx);
    const conn = await openCliConnection(args, ctx);
    try {
      const params = flagList(args, 'param').map((v) => (v === 'NULL' ? null : v));
      const advice = await cancelOnInterrupt(conn, ctx.stderr, () =>
        adviseIndexes(conn, sql, {
          params: params.length > 0 ? params : undefined,
          method: methodFlag as VerifyMethod | undefined,
          minImprovement: minGain / 100,
          allowFunctions: allowedFunctions(args),
        }),
      );
      if (format === 'json') {
        const out = {
          query: advice.query,
          connection: { kind: conn.kind, serverVersion: await conn.serverVersion() },
          method: advice.method,
          hypopg: advice.hypopg ?? null,
          before: advice.before,
          suggestions: advice.suggestions.map((s) => ({
            ddl: s.ddl,
            table: s.table,
            schema: s.schema,
            columns: s.columns,
            include: s.include,
            where: s.where ?? null,
            method: s.method,
            reason: s.reason,
            after: s.after,
          })),
          rejected: advice.rejected,
          together: advice.together ?? null,
          summary: advice.summary,
        };
        ctx.stdout(JSON.stringify(out, null, 2) + '\n');
      } else {
        const how =
          advice.method === 'sandbox'
            ? 'real indexes on the embedded sandbox'
            : `HypoPG hypothetical indexes${advice.hypopg === 'rolled-back' ? ' (the extension was created for this run only)' : ''}`;
        ctx.stdout(`Verified with ${how} (rolled back)\n`);
        ctx.stdout(`Cost before: ${advice.before.totalCost.toFixed(2)}${advice.before.executionTimeMs !== undefined ? `, ${advice.before.executionTimeMs.toFixed(2)} ms` : ''}\n\n`);
        if (advice.together) {
          const t = advice.together;
          const time = t.after.executionTimeMs !== undefined ? `, ${t.after.executionTimeMs.toFixed(2)} ms` : '';
          ctx.stdout(`Together (one index per table; each alone helps far less):\n${t.ddls.map((d) => `   ${escapeControl(d)}\n`).join('')}`);
          ctx.stdout(`   cost ${advice.before.totalCost.toFixed(2)} → ${t.after.totalCost.toFixed(2)} (${t.improvement.toFixed(1)}× cheaper${time})\n\nEach alone:\n`);
        }
        for (const [i, s] of advice.suggestions.entries()) {
          const time = s.after.executionTimeMs !== undefined ? `, ${s.after.executionTimeMs.toFixed(2)} ms` : '';
          ctx.stdout(`${i + 1}. ${escapeControl(s.ddl)}\n   cost ${advice.before.totalCost.toFixed(2)} → ${s.after.totalCost.toFixed(2)} (${s.improvement.toFixed(1)}× cheaper${time}) — ${escapeControl(s.reason)}\n`);
        }
        if (advice.rejected.length > 0) {
          ctx.stdout(`${advice.suggestions.length > 0 ? '\n' : ''}Not kept:\n`);
          for (const r of advice.rejected) ctx.stdout(`- ${escapeControl(r.ddl)} — ${escapeControl(r.reason)}\n`);
        }
        ctx.stdout(`\n${escapeControl(advice.summary)}\n`);
      }
      return 0;
    } finally {
      await conn.close();
    }
  },
};
