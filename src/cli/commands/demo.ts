import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../args';
import type { Command } from '../context';
import { cacheRoot } from '../cache-root';
import { sandboxWorker } from '../connection';
import { createEmbeddedConnection } from '../../core/db/embedded-connection';
import { sandboxDataLines, sandboxDataNote, sandboxSummary } from '../../core/db/sandbox-report';
import { escapeControl } from '../../core/escape-control';
import { explainStatement } from '../../core/explain';
import { loadSqlParser } from '../../core/sql/parse';
import { findExplainTargets } from '../../core/sql/explain-targets';
import { renderPlanText } from '../../core/plan/render-text';
import { command as lint } from './lint';

/**
 * `pglens demo [DIR]`: the main job on the bundled example with no server — lint the
 * migrations and schema.prisma, build the embedded sandbox from the migrations, filled with
 * data the generator shapes from the example's stats file, and explain every query with its
 * findings.
 */
export const command: Command = {
  name: 'demo',
  summary: 'lint, build the embedded sandbox and explain the queries of an example project (default examples/shop)',
  usage: [
    'Usage: pglens demo [DIR]',
    '',
    'DIR holds migrations/*.sql, queries.sql and optionally schema.prisma and a .pglens.json whose',
    'sandbox.data names a stats file (pglens stats export) the generated data follows.',
    'Everything runs on the embedded sandbox (PGlite); no server is needed.',
  ].join('\n'),
  flags: { values: [], switches: [] },
  async run(args, ctx) {
    if (args.positionals.length > 1) throw new UsageError(`demo takes one folder, got ${args.positionals.length} arguments (the extra one: "${args.positionals[1]}")`);
    const dir = path.resolve(ctx.cwd, args.positionals[0] ?? path.join('examples', 'shop'));
    const migrations = path.join(dir, 'migrations');
    const queriesFile = path.join(dir, 'queries.sql');
    if (!existsSync(migrations) || !existsSync(queriesFile)) {
      throw new UsageError(`${dir} needs a migrations/ folder and a queries.sql (see examples/shop)`);
    }
    const rule = (title: string) => ctx.stdout(`\n${'═'.repeat(78)}\n${title}\n${'═'.repeat(78)}\n`);

    rule('1. Lint: what these migrations would do to production');
    const lintTargets = [migrations, path.join(dir, 'schema.prisma')].filter((p) => existsSync(p));
    await lint.run({ positionals: lintTargets.map((p) => path.relative(ctx.cwd, p)), flags: new Map([['fail-on', 'error']]), lists: new Map() }, ctx);

    rule('2. Embedded sandbox: the migrations replayed into PGlite (PostgreSQL 18, no server), filled with generated data');
    await loadSqlParser();
    // The build, data included, is cached: the next demo starts warm.
    const conn = createEmbeddedConnection({
      workspaceRoot: dir,
      migrationGlobs: ['migrations/**/*.sql'],
      cacheDir: path.join(cacheRoot(ctx.env), 'sandbox'),
      ...sandboxWorker(),
      onProgress: (msg) => ctx.stdout(`  ${msg}\n`),
    });
    try {
      const version = await conn.serverVersion();
      const report = await conn.sandboxReport();
      ctx.stdout(`  PostgreSQL ${version}; ${escapeControl(sandboxSummary(report))}\n`);
      for (const f of report.failed) ctx.stdout(`  ! ${escapeControl(f.file)}:${f.line}: ${escapeControl(f.message)}\n`);
      ctx.stdout(`  ${escapeControl(sandboxDataNote(report.data))}\n`);
      for (const line of sandboxDataLines(report)) ctx.stdout(`  ! ${escapeControl(line)}\n`);
      if (report.data) {
        const counts = await conn.query<{ name: string; rows: string }>(
          "SELECT relname AS name, reltuples::bigint::text AS rows FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY relname",
        );
        ctx.stdout(`  ${counts.rows.map((r) => `${r.name} ${Number(r.rows).toLocaleString('en-US')}`).join(', ')} rows${report.fromCache ? ' (from the cache)' : `, generated in ${(report.data.ms / 1000).toFixed(1)} s`}\n`);
      }

      const queries = findExplainTargets(readFileSync(queriesFile, 'utf8'), 'sql');
      for (const [i, q] of queries.entries()) {
        const analyze = q.paramCount === 0;
        rule(`3.${i + 1} ${analyze ? 'Explain Analyze' : 'Explain (generic plan: the query has parameters)'} — queries.sql line ${q.range.start.line + 1}`);
        ctx.stdout(q.sql.trim() + '\n\n');
        const before = q.kind === 'SelectStmt' ? undefined : await fingerprint(conn);
        const outcome = await explainStatement(conn, q.sql, { analyze, timeoutMs: 60_000, paramCount: q.paramCount });
        ctx.stdout(renderPlanText(outcome.report) + '\n');
        if (before !== undefined) {
          const after = await fingerprint(conn);
          ctx.stdout(
            after === before
              ? '  ✓ data unchanged: the statement ran inside a transaction that was rolled back\n'
              : '  ✗ data changed after Explain — please report this\n',
          );
        }
      }
    } finally {
      await conn.close();
    }
    ctx.stdout('\nOpen examples/shop in VS Code with the pglens extension to see the same in the editor.\n');
    return 0;
  },
};

/** A digest of every row of every table, to prove an Explain Analyze changed nothing. */
async function fingerprint(conn: { query<R>(sql: string): Promise<{ rows: R[] }> }): Promise<string> {
  const tables = await conn.query<{ t: string }>(
    "SELECT format('%I.%I', schemaname, relname) AS t FROM pg_stat_user_tables ORDER BY 1",
  );
  const parts: string[] = [];
  for (const { t } of tables.rows) {
    const r = await conn.query<{ d: string }>(`SELECT count(*)::text || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') AS d FROM ${t} x`);
    parts.push(`${t}=${r.rows[0].d}`);
  }
  return parts.join(';');
}
