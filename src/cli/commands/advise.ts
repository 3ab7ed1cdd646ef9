import { flagChoice, flagList, flagString, UsageError } from '../args';
import type { Command } from '../context';
import { CONNECTION_SWITCHES, CONNECTION_VALUE_FLAGS, DATA_FLAGS_HELP, openCliConnection, timeoutSeconds } from '../connection';
import { allowedFunctions, statementFromArgs } from './explain';
import { cancelOnInterrupt } from '../interrupt';
import { connectionJsonOf } from '../connection-json';
import { escapeControl } from '../../core/escape-control';
import { adviseIndexes, type VerifyMethod } from '../../core/advise/advise';
import { costLine } from '../../core/advise/index-migration';
import type { Connection } from '../../core/db/connection';
import { loadSqlParser } from '../../core/sql/parse';
import { countParams } from '../../core/sql/explain-targets';
import { ddlStatements } from '../../core/advise/candidates';

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
    'the plan cost by --min-gain (default 20%) and by 50 cost units, where the plan was slow (and, on the sandbox,',
    'that the run confirms; with HypoPG, an expression that pg_stats shows selective). HypoPG simulates B-tree,',
    'BRIN and hash only: with --sandbox, the other candidates are built on the embedded sandbox (your migrations',
    'replayed), else reported unverified. On a partitioned table the DDL is ON ONLY + CONCURRENTLY per partition',
    '+ ATTACH PARTITION (CREATE INDEX CONCURRENTLY fails on a partitioned table).',
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
    '  --timeout SECONDS     longest any one statement may run (default 30): statement_timeout on a server; on the',
    '                        sandbox (which has none) an index build or EXPLAIN ANALYZE past it ends and restarts it',
  ].join('\n'),
  flags: {
    values: ['format', 'timeout', ...CONNECTION_VALUE_FLAGS, 'file', 'line', 'param', 'method', 'min-gain', 'allow-functions'],
    switches: [...CONNECTION_SWITCHES, 'sandbox'],
    refused: {
      'fail-on': 'advise judges no findings: it exits 0 whenever it ran (1 is never used) — leave --fail-on out',
      config: 'advise reads no .pglens.json (its options are its flags: --min-gain, --method, --sandbox) — leave --config out',
    },
  },
  async run(args, ctx) {
    const format = flagChoice(args, 'format', ['text', 'json'] as const, 'text');
    const methodFlag = flagString(args, 'method');
    if (methodFlag !== undefined && methodFlag !== 'hypopg' && methodFlag !== 'sandbox') throw new UsageError('--method must be hypopg or sandbox');
    const minGain = Number(flagString(args, 'min-gain') ?? '20');
    if (!Number.isFinite(minGain) || minGain <= 0 || minGain >= 100) throw new UsageError('--min-gain must be a percentage between 0 and 100');
    await loadSqlParser();
    const sql = statementFromArgs(args, ctx);
    // As explain refuses it: a --param value with no $n to bind it to is a mistake (a missing $n, a stray --param).
    const paramValues = flagList(args, 'param');
    const paramCount = countParams(sql);
    if (paramValues.length > 0 && paramValues.length !== paramCount) {
      throw new UsageError(`the statement uses ${paramCount} parameter(s) but ${paramValues.length} --param value(s) were given`);
    }
    // Every connection opened so far, in order: Ctrl-C while connecting, while the sandbox starts
    // (a replay can take minutes) or while advising cancels and closes them all — closing the
    // sandbox ends its process and removes its working copy of the database (hundreds of MB).
    const opened: Connection[] = [];
    try {
      const { conn, advice } = await cancelOnInterrupt(every(opened), ctx.stderr, async () => {
        const conn = await openCliConnection(args, ctx, (c) => void opened.push(c));
        let sandbox: Connection | undefined;
        if (args.flags.get('sandbox') === true && conn.kind === 'server') {
          // The same migrations and data flags, forced onto the embedded database.
          const flags = new Map(args.flags);
          flags.delete('db');
          flags.set('embedded', true);
          // Its "using the embedded sandbox (…)" line names --sandbox, the flag the user gave, not --embedded.
          const sandboxCtx = { ...ctx, stderr: (text: string) => ctx.stderr(text.replace('(--embedded was given', '(--sandbox was given: for the candidates HypoPG cannot simulate')) };
          sandbox = await openCliConnection({ ...args, flags }, sandboxCtx, (c) => void opened.push(c));
        }
        const params = paramValues.map((v) => (v === 'NULL' ? null : v));
        const advice = await adviseIndexes(conn, sql, {
          params: params.length > 0 ? params : undefined,
          method: methodFlag as VerifyMethod | undefined,
          minImprovement: minGain / 100,
          allowFunctions: allowedFunctions(args),
          sandbox,
          // PGlite has no statement_timeout: the advisor ends a sandbox statement that runs longer.
          timeoutMs: Math.ceil(timeoutSeconds(args) * 1000),
        });
        return { conn, advice };
      });
      if (format === 'json') {
        const out = {
          query: advice.query,
          connection: await connectionJsonOf(conn),
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
            opclassSchemas: s.opclassSchemas ?? null,
            rewrite: s.rewrite ?? null,
            transactionalDdl: s.transactionalDdl ?? null,
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
          ctx.stdout(`Together (one index per table; each alone helps far less):\n${t.ddls.map((d) => `   ${ddlLines(d, '   ')}\n`).join('')}`);
          ctx.stdout(`   cost ${advice.before.totalCost.toFixed(2)} → ${t.after.totalCost.toFixed(2)} (${t.improvement.toFixed(1)}× cheaper${time})\n\nEach alone:\n`);
        }
        for (const [i, s] of advice.suggestions.entries()) {
          const before = s.before ?? advice.before;
          const time = s.after.executionTimeMs !== undefined ? `, ${before.executionTimeMs !== undefined ? `${before.executionTimeMs.toFixed(2)} → ` : ''}${s.after.executionTimeMs.toFixed(2)} ms` : '';
          const buffers = before.buffers !== undefined && s.after.buffers !== undefined ? `, ${before.buffers} → ${s.after.buffers} buffers` : '';
          const where = s.before ? ' on the embedded sandbox' : '';
          ctx.stdout(`${i + 1}. ${ddlLines(s.ddl, '   ')}\n   cost ${before.totalCost.toFixed(2)} → ${s.after.totalCost.toFixed(2)} (${s.improvement.toFixed(1)}× cheaper${time}${buffers}${where}) — ${escapeControl(s.reason)}\n`);
          if (s.extension) ctx.stdout(`   needs extension ${s.extension.name}: ${s.extension.installed ? 'installed' : s.extension.available ? 'available, not installed (the migration creates it)' : 'not available'}\n`);
          if (s.rewrite) ctx.stdout(`   the query must be rewritten for it: ${escapeControl(s.rewrite)}\n`);
          const costs = costLine(s);
          if (costs) ctx.stdout(`   ${escapeControl(costs)}\n`);
        }
        if (advice.rejected.length > 0) {
          ctx.stdout(`${advice.suggestions.length > 0 ? '\n' : ''}Not kept:\n`);
          for (const r of advice.rejected) ctx.stdout(`- ${ddlLines(r.ddl, '  ')} — ${escapeControl(r.reason)}\n`);
        }
        if (advice.unverified && advice.unverified.length > 0) {
          ctx.stdout('\nNot verified (proposed by the predicate, but no database at hand could try it):\n');
          for (const u of advice.unverified) ctx.stdout(`- ${ddlLines(u.ddl, '  ')} — ${escapeControl(u.reason)}\n`);
        }
        ctx.stdout(`\n${escapeControl(advice.summary)}\n`);
        const all = [...advice.suggestions.map((s) => s.ddl), ...advice.rejected.map((r) => r.ddl), ...(advice.unverified ?? []).map((u) => u.ddl), ...(advice.together?.ddls ?? [])];
        if (all.some(needsEscaping)) ctx.stdout('Note: an identifier above holds control or bidirectional characters, spelled out in text output: take the DDL from --format json.\n');
      }
      return 0;
    } finally {
      // The sandbox first, then the server (as opened in reverse).
      for (const c of [...opened].reverse()) await c.close();
    }
  },
};

/**
 * A DDL of one or more statements (a partitioned table's recipe), one per line. When an
 * identifier in it holds a control or bidirectional character, text output would have to spell
 * it out (`\u202e`), and the statement printed would name another object — so it is not printed:
 * a note says to take it from --format json, which carries it exactly.
 */
function ddlLines(ddl: string, indent: string): string {
  const statements = ddlStatements(ddl);
  if (needsEscaping(ddl)) {
    return `(DDL not shown: an identifier in it holds control or bidirectional characters, which text output spells out, so the statement printed here would not run as is — take it from --format json; it begins: ${escapeControl(statements[0]).slice(0, 120)}…)`;
  }
  return statements.join(`\n${indent}`);
}

/** Whether a DDL holds a character text output must spell out (a newline between its statements does not count). */
function needsEscaping(ddl: string): boolean {
  return ddlStatements(ddl).some((s) => escapeControl(s) !== s);
}

/** The connections opened so far as one, for Ctrl-C: each cancelled, each closed. */
function every(opened: Connection[]): Connection {
  const first = (): Connection => {
    if (opened.length === 0) throw new Error('no connection is open yet');
    return opened[0];
  };
  return {
    kind: 'server',
    get label() {
      return opened.map((c) => c.label).join(' and ') || 'the database';
    },
    query: (sql, params) => first().query(sql, params),
    queryOne: (sql, params) => first().queryOne(sql, params),
    explain: (sql, options) => first().explain(sql, options),
    cancel: async () => {
      await Promise.all(opened.map((c) => c.cancel().catch(() => undefined)));
    },
    close: async () => {
      await Promise.all(opened.map((c) => c.close().catch(() => undefined)));
    },
    serverVersion: () => first().serverVersion(),
  };
}
