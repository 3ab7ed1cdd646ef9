import { flagChoice, flagList, flagString, UsageError } from '../args';
import { COMMON_VALUE_FLAGS, type Command } from '../context';
import { CONNECTION_SWITCHES, CONNECTION_VALUE_FLAGS, DATA_FLAGS_HELP, openCliConnection } from '../connection';
import { allowedFunctions, statementFromArgs } from './explain';
import { cancelOnInterrupt } from '../interrupt';
import { escapeControl } from '../../core/escape-control';
import { adviseIndexes, type VerifyMethod } from '../../core/advise/advise';
import { costLine } from '../../core/advise/index-migration';
import type { Connection } from '../../core/db/connection';
import { loadSqlParser } from '../../core/sql/parse';

export const command: Command = {
  name: 'advise',
  summary: 'propose indexes for a statement and verify each one (HypoPG on a server, real indexes on the sandbox)',
  usage: [
    'Usage: pglens advise [SQL | -] [--file F [--line N]] [options]',
    '',
    'Proposes candidate indexes of every type the predicates call for — B-tree (multi-column, partial, INCLUDE,',
    'expression, text_pattern_ops), GIN (pg_trgm, jsonb, arrays, full text), GiST/SP-GiST (ranges, geometry,',
    'k-NN), BRIN (large append-only tables), HNSW (pgvector) — verifies each inside a transaction that is rolled',
    'back — with HypoPG on a server, by building it on the embedded sandbox otherwise — and keeps those that cut',
    'the plan cost by --min-gain (default 20%). HypoPG simulates B-tree, BRIN and hash only: with --sandbox, the',
    'other candidates are built on the embedded sandbox (your migrations replayed), else reported unverified.',
    '',
    'Options:',
    '  --param VALUE         value for $1, $2, … (repeat in order; bound as parameters, never spliced into the text)',
    '  --allow-functions F,G let these user functions run although pglens could not prove them harmless (see explain)',
    '  --method hypopg|sandbox  force the verification method (sandbox only with the embedded database: a server is never given real test indexes)',
    '  --min-gain PERCENT    minimum cost reduction to keep a candidate (default 20)',
    '  --sandbox             on a server, verify the candidates HypoPG cannot simulate (GIN, GiST…) on the embedded sandbox',
    '  --db URL / --embedded / --migrations DIR   connection (see `pglens --help`)',
    ...DATA_FLAGS_HELP,
    '  --format text|json',
    '  --timeout SECONDS     statement timeout of each EXPLAIN on a server (default 30)',
  ].join('\n'),
  flags: {
    values: [...COMMON_VALUE_FLAGS, ...CONNECTION_VALUE_FLAGS, 'file', 'line', 'param', 'method', 'min-gain', 'allow-functions'],
    switches: [...CONNECTION_SWITCHES, 'sandbox'],
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
    let sandbox: Connection | undefined;
    try {
      if (args.flags.get('sandbox') === true && conn.kind === 'server') {
        // The same migrations and data flags, forced onto the embedded database.
        const flags = new Map(args.flags);
        flags.delete('db');
        flags.set('embedded', true);
        sandbox = await openCliConnection({ ...args, flags }, ctx);
      }
      const params = flagList(args, 'param').map((v) => (v === 'NULL' ? null : v));
      const advice = await cancelOnInterrupt(conn, ctx.stderr, () =>
        adviseIndexes(conn, sql, {
          params: params.length > 0 ? params : undefined,
          method: methodFlag as VerifyMethod | undefined,
          minImprovement: minGain / 100,
          allowFunctions: allowedFunctions(args),
          sandbox,
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
            using: s.using ?? 'btree',
            opclasses: s.opclasses ?? null,
            expressions: s.expressions ?? null,
            extension: s.extension ?? null,
            method: s.method,
            reason: s.reason,
            before: s.before ?? advice.before,
            after: s.after,
            improvement: s.improvement,
            sizeBytes: s.sizeBytes ?? null,
            writeOverhead: s.writeOverhead ?? null,
          })),
          rejected: advice.rejected,
          unverified: advice.unverified ?? [],
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
          const before = s.before ?? advice.before;
          const time = s.after.executionTimeMs !== undefined ? `, ${before.executionTimeMs !== undefined ? `${before.executionTimeMs.toFixed(2)} → ` : ''}${s.after.executionTimeMs.toFixed(2)} ms` : '';
          const buffers = before.buffers !== undefined && s.after.buffers !== undefined ? `, ${before.buffers} → ${s.after.buffers} buffers` : '';
          const where = s.before ? ' on the embedded sandbox' : '';
          ctx.stdout(`${i + 1}. ${escapeControl(s.ddl)}\n   cost ${before.totalCost.toFixed(2)} → ${s.after.totalCost.toFixed(2)} (${s.improvement.toFixed(1)}× cheaper${time}${buffers}${where}) — ${escapeControl(s.reason)}\n`);
          if (s.extension) ctx.stdout(`   needs extension ${s.extension.name}: ${s.extension.installed ? 'installed' : s.extension.available ? 'available, not installed (the migration creates it)' : 'not available'}\n`);
          const costs = costLine(s);
          if (costs) ctx.stdout(`   ${escapeControl(costs)}\n`);
        }
        if (advice.rejected.length > 0) {
          ctx.stdout(`${advice.suggestions.length > 0 ? '\n' : ''}Not kept:\n`);
          for (const r of advice.rejected) ctx.stdout(`- ${escapeControl(r.ddl)} — ${escapeControl(r.reason)}\n`);
        }
        if (advice.unverified && advice.unverified.length > 0) {
          ctx.stdout('\nNot verified (proposed by the predicate, but no database at hand could try it):\n');
          for (const u of advice.unverified) ctx.stdout(`- ${escapeControl(u.ddl)} — ${escapeControl(u.reason)}\n`);
        }
        ctx.stdout(`\n${escapeControl(advice.summary)}\n`);
      }
      return 0;
    } finally {
      await sandbox?.close();
      await conn.close();
    }
  },
};
