import { performance } from 'node:perf_hooks';
import { fkLayout, planTable, seedOf, unitSql, type KeyTable, type PlanContext, type TablePlan } from './build';
import { quoteIdent, quoteLiteral, readCatalog, type Catalog, type ForeignKeyInfo, type TableInfo } from './catalog';
import { ensureCheckParser } from './checks';
import { fillOrder, targets } from './graph';
import type { ExecFn, FillAttempt, FillOptions, FillReport, FillStats, QueryFn, TableFillReport } from './types';

/**
 * Fills every table of the user schemas with generated rows shaped by the schema: types,
 * NOT NULL, CHECKs, unique keys, foreign keys (skewed fan-out), partitions, and per-column
 * distributions when stats are given. One INSERT … SELECT … FROM generate_series per table,
 * computed inside Postgres; tables in FK order; then VACUUM ANALYZE. Works on any session
 * (PGlite, pg); run it outside a transaction block.
 */
/**
 * With existingRows 'top-up': a table holding fewer rows than this share of its target, and
 * fewer than TOP_UP_MAX_SEED (a service account, a default organisation), gets the rest
 * generated. Five rows or more are reference data (statuses, priorities, a scale) a migration
 * seeded on purpose: kept as they are, as production has them (seen on thunderdome's
 * item_status, item_priority, estimation_scale).
 */
const TOP_UP_BELOW = 0.1;
const TOP_UP_MAX_SEED = 5;

export async function fillDatabase(query: QueryFn, exec: ExecFn, options: FillOptions = {}): Promise<FillReport> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => undefined);
  const seed = options.seed ?? 0;
  // Before any row: a seed past 2^53 is not one number (see seedOf).
  seedOf('', seed);
  await ensureCheckParser();
  const catalog = await readCatalog(query, options);
  const report: FillReport = { tables: [], rows: 0, ms: 0, triggersDisabled: false, unsupported: [], deferredForeignKeys: [], notes: [] };
  if (options.stats) report.notes.push(...statsMismatch(catalog, options.stats));
  // Values the column's type cannot read (a stats file of another schema version, edited by
  // hand): that column loses its values, not the whole table its plan.
  if (options.stats) options = { ...options, stats: await readableStats(query, catalog, options.stats, report.notes) };
  // Values are quoted as standard strings ('a\\b' is a backslash and a b): make sure they are read so.
  await exec('SET standard_conforming_strings = on');
  const capabilities = { xml: await succeeds(query, `SELECT xmlparse(content '<v/>')::text AS x`) };
  if (options.disableTriggers !== false) {
    report.triggersDisabled = await succeeds(query, 'SET session_replication_role = replica');
    if (!report.triggersDisabled) report.notes.push('triggers stay on (session_replication_role needs a superuser): FK checks and user triggers run');
  }
  const keys = new KeyTables(query, exec, catalog);
  try {
    const { order, deferred, forced } = fillOrder(catalog.tables);
    for (const fk of forced) report.notes.push(`FK ${fk.name} is NOT NULL inside a cycle: filled with temporary keys, then by UPDATE`);
    const sizes = targets(catalog.tables, options);
    const later: Array<{ table: TableInfo; tr: TableFillReport; fk: ForeignKeyInfo; notNull: boolean }> = [];
    const touched: TableInfo[] = [];
    // Tables kept as the migrations left them: analyzed too, so the planner knows their size.
    const kept: TableInfo[] = [];
    for (const table of order) {
      const t0 = performance.now();
      const sized = sizes.get(table)!;
      const tier = sized.tier;
      let target = sized.rows;
      const tr: TableFillReport = { table: table.key, status: 'filled', tier, target, rows: 0, ms: 0, attempts: [], notes: [] };
      report.tables.push(tr);
      if (sized.full) tr.notes.push(`kept at its production size (${target} rows, the stats' count): a table this small is a set of values, not a volume`);
      const existing = await countRows(query, table.sql);
      const mode = options.existingRows ?? 'skip';
      if (existing > 0) tr.existing = existing;
      if (existing > 0 && (mode === 'skip' || (mode === 'top-up' && (existing >= TOP_UP_BELOW * target || existing >= TOP_UP_MAX_SEED)))) {
        tr.status = 'kept';
        tr.notes.push(`${existing} row(s) already there, kept as they are`);
        kept.push(table);
        continue;
      }
      if (existing > 0 && mode === 'top-up') {
        // A few seed rows (a service account, the default organisation): everything else would hang off them.
        target = Math.max(0, target - existing);
        tr.notes.push(`${existing} row(s) already there (from the migrations); ${target} generated next to them`);
      }
      if (target === 0) {
        tr.status = 'skipped';
        tr.cause = '0 rows asked for';
        continue;
      }
      progress(`filling ${table.key} (${target} rows)`);
      const fkKeys = new Map<ForeignKeyInfo, KeyTable | undefined>();
      for (const [fk, layout] of fkLayout(table, deferred)) {
        if (layout.role === 'primary') fkKeys.set(fk, await keys.get(fk.refOid, fk.refColumns));
        else if (layout.role === 'dependent') fkKeys.set(fk, await keys.get(fk.refOid, fk.refColumns, layout.shared));
      }
      const ctx = (mode: PlanContext['mode'], rows: number, offset: number): PlanContext => ({
        table,
        catalog,
        rows,
        offset,
        seed,
        nullFrac: options.nullFrac ?? 0.1,
        skew: options.skew ?? 2,
        stats: options.stats?.tables[table.key],
        keys: (fk) => fkKeys.get(fk),
        refStats: (fk) => {
          const ref = fk.refColumns.length === 1 ? catalog.tables.find((t) => t.oid === fk.refOid) : undefined;
          return ref ? options.stats?.tables[ref.key]?.columns?.[fk.refColumns[0]] : undefined;
        },
        refRows: (fk) => {
          const ref = catalog.tables.find((t) => t.oid === fk.refOid);
          return ref ? options.stats?.tables[ref.key]?.rows : undefined;
        },
        deferred,
        triggersDisabled: report.triggersDisabled,
        mode,
        capabilities,
      });
      const first = planTable(ctx('full', target, existing));
      report.unsupported.push(...first.unsupported);
      tr.notes.push(...first.notes);
      if (!first.sql) {
        tr.status = 'skipped';
        tr.cause = first.fatal ?? 'nothing to insert';
        tr.ms = Math.round(performance.now() - t0);
        continue;
      }
      const rebuild = options.rebuildIndexes !== false && table.kind === 'r' && target >= 1000 ? await plainIndexes(query, table.oid) : [];
      if (rebuild.length) tr.notes.push(`${rebuild.length} secondary index(es) built after the insert`);
      const steps: Array<{ mode: PlanContext['mode']; rows: number; conflict: boolean }> = [
        { mode: 'full', rows: target, conflict: table.exclusions.length > 0 || first.conflicts === true },
        { mode: 'full', rows: target, conflict: true },
        { mode: 'simple', rows: Math.min(target, 1000), conflict: true },
        { mode: 'minimal', rows: Math.min(target, 10), conflict: true },
      ];
      let inserted = 0;
      let used: TablePlan | undefined;
      let usedMode: FillAttempt['mode'] | undefined;
      for (let s = 0; s < steps.length; s++) {
        const step = steps[s];
        // A second full attempt only helps a unique or exclusion conflict.
        if (s === 1 && (steps[0].conflict || !/^(23505|23P01)$/.test(tr.attempts[0]?.code ?? ''))) continue;
        const plan = s === 0 ? first : planTable(ctx(step.mode, step.rows, existing));
        if (!plan.sql) continue;
        const mode: FillAttempt['mode'] = step.mode === 'full' ? (step.conflict ? 'on-conflict' : 'full') : step.mode;
        const attempt: FillAttempt = { rows: plan.rows, mode };
        tr.attempts.push(attempt);
        try {
          const insert = plan.sql + (step.conflict ? ' ON CONFLICT DO NOTHING' : '');
          if (s === 0 && rebuild.length) await inTransaction(exec, [...rebuild.map((i) => `DROP INDEX ${i.name}`), insert, ...rebuild.map((i) => i.def)]);
          else await exec(insert);
          inserted = (await countRows(query, table.sql)) - existing;
          used = plan;
          usedMode = mode;
          break;
        } catch (e) {
          Object.assign(attempt, describe(e));
          tr.constraint = attempt.constraint ?? tr.constraint;
        }
      }
      // Filters dropped rows: one more batch past the first, sized by the yield seen.
      const full = usedMode === 'full' || usedMode === 'on-conflict';
      if (used && full && used.filtered && inserted < 0.9 * used.rows && inserted > 0.02 * used.rows) {
        const more = Math.min(Math.ceil((((used.rows - inserted) * used.rows) / inserted) * 1.1), used.rows * 20);
        const plan = planTable(ctx('full', more, existing + used.rows));
        if (plan.sql) {
          const attempt: FillAttempt = { rows: plan.rows, mode: 'on-conflict' };
          tr.attempts.push(attempt);
          try {
            await exec(`${plan.sql} LIMIT ${Math.max(1, used.rows - inserted)} ON CONFLICT DO NOTHING`);
            inserted = (await countRows(query, table.sql)) - existing;
          } catch (e) {
            Object.assign(attempt, describe(e));
          }
        }
      }
      tr.rows = inserted;
      report.rows += inserted;
      if (inserted > 0) touched.push(table);
      if (inserted > 0) keys.changed(table.oid);
      const lastError = [...tr.attempts].reverse().find((a) => a.error);
      if (inserted === 0) {
        tr.status = 'failed';
        tr.cause = lastError ? `${lastError.error}${lastError.constraint ? ` (constraint ${lastError.constraint})` : ''}` : used?.filtered ? await diagnose(query, used) : 'no row inserted';
      } else if (!full || (used && inserted < 0.9 * used.rows)) {
        tr.status = 'partial';
        const why: string[] = [];
        if (!full) why.push(`the full plan failed: ${lastError?.error ?? '?'}${lastError?.constraint ? ` (constraint ${lastError.constraint})` : ''}; filled ${usedMode}`);
        if (used?.filtered && inserted < used.rows) why.push(await diagnose(query, used));
        else if (used && inserted < used.rows) why.push(`${used.rows - inserted} row(s) dropped as duplicates`);
        tr.cause = why.join('; ') || `${inserted} of ${target} rows`;
      }
      if (used && used.rows < target && full) tr.notes.push(`unique keys allow ${used.rows} rows (target ${target})`);
      if (inserted > 0 && used) for (const l of used.later) later.push({ table, tr, fk: l.fk, notNull: l.notNull });
      tr.ms = Math.round(performance.now() - t0);
    }

    // FKs filled afterwards: self-references as trees, cycle edges with the usual fan-out.
    for (const l of later) {
      const t0 = performance.now();
      const self = l.fk.refOid === l.table.oid;
      const ref = catalog.tables.find((t) => t.oid === l.fk.refOid)?.key ?? String(l.fk.refOid);
      report.deferredForeignKeys.push(`${l.table.key}(${l.fk.columns.join(', ')}) → ${ref}`);
      const k = await keys.get(l.fk.refOid, l.fk.refColumns);
      if (!k || k.count === 0) {
        l.tr.notes.push(`FK ${l.fk.name}: ${ref} has no rows; ${l.notNull ? 'the temporary keys remain (FK violated)' : 'left NULL'}`);
        continue;
      }
      progress(`linking ${l.table.key}.${l.fk.columns.join(',')} → ${ref}`);
      try {
        const unique = l.table.uniques.some((u) => u.columns.every((c) => l.fk.columns.includes(c)));
        await exec(laterUpdate(l.table, l.fk, k, { self, unique, notNull: l.notNull, seed: seedOf(`${l.table.key}:later.${l.fk.name}`, seed), nullFrac: options.nullFrac ?? 0.1, skew: options.skew ?? 2 }));
        l.tr.notes.push(`FK ${l.fk.name} filled by UPDATE${self ? ' (a tree: each row points at an earlier one)' : ''}`);
        keys.changed(l.table.oid);
      } catch (e) {
        const d = describe(e);
        l.tr.notes.push(`FK ${l.fk.name}: the UPDATE failed: ${d.error}${l.notNull ? '; the temporary keys remain (FK violated)' : '; left NULL'}`);
        if (l.tr.status === 'filled') l.tr.status = 'partial';
        l.tr.cause ??= `FK ${l.fk.name} not linked: ${d.error}`;
        l.tr.constraint ??= d.constraint;
      }
      l.tr.ms += Math.round(performance.now() - t0);
    }

    // Statistics for the planner (and the visibility map, with VACUUM). A table left empty too:
    // VACUUM drops what failed attempts wrote (dead rows that keep its file from looking empty)
    // and its statistics say 0 rows, where a never-analyzed table is planned as ten pages of rows
    // and every Explain Analyze on it would show a misestimate instead of the empty table.
    const empty = report.tables
      .filter((r) => r.rows === 0 && !r.existing && (r.status === 'failed' || r.status === 'skipped'))
      .map((r) => catalog.tables.find((t) => t.key === r.table)!);
    for (const t of [...touched, ...kept, ...empty]) {
      progress(`analyzing ${t.key}`);
      const t0 = performance.now();
      const vacuumed = options.vacuum !== false && (await succeeds(query, `VACUUM ANALYZE ${t.sql}`));
      if (!vacuumed) await exec(`ANALYZE ${t.sql}`).catch((e) => report.notes.push(`ANALYZE ${t.key} failed: ${describe(e).error}`));
      report.tables.find((r) => r.table === t.key)!.ms += Math.round(performance.now() - t0);
    }
  } finally {
    await keys.dropAll();
    if (report.triggersDisabled) await exec('RESET session_replication_role').catch(() => undefined);
  }
  report.ms = Math.round(performance.now() - started);
  return report;
}

/**
 * The stats with the most common values and histogram bounds of each column checked against the
 * column's type (one cast per column, inside Postgres); a column whose values do not all read
 * keeps its other figures (NULLs, distinct count, frequencies, correlation) and loses the values,
 * with a note naming it.
 */
export async function readableStats(query: QueryFn, catalog: Catalog, stats: FillStats, notes: string[]): Promise<FillStats> {
  const out: FillStats = { tables: { ...stats.tables } };
  const dropped: string[] = [];
  for (const t of catalog.tables) {
    const ts = stats.tables[t.key];
    if (!ts?.columns) continue;
    const columns = { ...ts.columns };
    for (const c of t.columns) {
      const cs = columns[c.name];
      const values = [...(cs?.mcv?.values ?? []), ...(cs?.histogram ?? [])];
      if (!cs || values.length === 0) continue;
      // Row by row (an array column's values are arrays of their own lengths).
      const ok = await query(`SELECT 1 FROM (VALUES ${values.map((v) => `(${quoteLiteral(v)}::${c.type})`).join(', ')}) AS v(x) LIMIT 1`).then(
        () => true,
        () => false,
      );
      if (ok) continue;
      const { mcv, histogram: _h, ...rest } = cs;
      columns[c.name] = { ...rest, ...(mcv && { mcvFreqs: mcv.freqs }) };
      dropped.push(`${t.key}.${c.name} (${c.type})`);
    }
    out.tables[t.key] = { ...ts, columns };
  }
  if (dropped.length) {
    notes.push(`stats file: values the column's type cannot read, left out (their frequencies kept): ${dropped.length > 8 ? `${dropped.slice(0, 8).join(', ')} and ${dropped.length - 8} more` : dropped.join(', ')}`);
  }
  return out;
}

/**
 * A stats file from another version of the schema: what it names that is not here (ignored)
 * and the tables it does not cover (sized and shaped by the defaults), one note each kind.
 */
export function statsMismatch(catalog: Catalog, stats: FillStats): string[] {
  const notes: string[] = [];
  const byKey = new Map(catalog.tables.map((t) => [t.key, t]));
  const gone = Object.keys(stats.tables).filter((k) => !byKey.has(k));
  const list = (xs: string[]) => (xs.length > 8 ? `${xs.slice(0, 8).join(', ')} and ${xs.length - 8} more` : xs.join(', '));
  if (gone.length) notes.push(`stats file: ${gone.length} table(s) not in this schema, ignored: ${list(gone)}`);
  const goneColumns: string[] = [];
  for (const [key, ts] of Object.entries(stats.tables)) {
    const t = byKey.get(key);
    if (!t || !ts.columns) continue;
    const names = new Set(t.columns.map((c) => c.name));
    for (const c of Object.keys(ts.columns)) if (!names.has(c)) goneColumns.push(`${key}.${c}`);
  }
  if (goneColumns.length) notes.push(`stats file: ${goneColumns.length} column(s) not in this schema, ignored: ${list(goneColumns)}`);
  const uncovered = catalog.tables.filter((t) => !stats.tables[t.key]).map((t) => t.key);
  if (uncovered.length) notes.push(`stats file: no statistics for ${uncovered.length} table(s), generated with the defaults: ${list(uncovered)}`);
  return notes;
}

/** UPDATE that points a deferred FK at existing keys: a tree for a self-reference, skewed picks otherwise. */
function laterUpdate(
  table: TableInfo,
  fk: ForeignKeyInfo,
  k: KeyTable,
  o: { self: boolean; unique: boolean; notNull: boolean; seed: number; nullFrac: number; skew: number },
): string {
  const set =
    fk.columns.length === 1
      ? `${quoteIdent(fk.columns[0])} = p.k1`
      : `(${fk.columns.map(quoteIdent).join(', ')}) = ROW(${fk.columns.map((_, i) => `p.k${i + 1}`).join(', ')})`;
  const u = unitSql(o.seed, 'w.n');
  const z = unitSql(o.seed + 1, 'w.n');
  const keep = o.notNull ? '' : ` AND ${z} >= ${o.nullFrac}`;
  if (k.denseMin !== undefined && fk.columns.length === 1) {
    // Dense integer keys: a key is its own number, no numbering, no join.
    const col = quoteIdent(fk.columns[0]);
    const min = k.denseMin;
    if (o.self) {
      const ref = quoteIdent(fk.refColumns[0]);
      const uk = unitSql(o.seed, ref);
      const zk = unitSql(o.seed + 1, ref);
      const parent = o.unique ? `${ref} - 1` : `${min} + floor((${ref} - ${min}) * ${uk})::int8`;
      const value = o.notNull ? `CASE WHEN ${ref} = ${min} THEN ${ref} ELSE ${parent} END` : parent;
      const where = o.notNull ? `${ref} IS NOT NULL` : `${ref} > ${min} AND ${zk} >= ${o.nullFrac}`;
      return `UPDATE ${table.sql} SET ${col} = ${value} WHERE ${where}`;
    }
    const pick = o.unique ? 'w.n' : `1 + floor(${k.count} * power(${u}, ${o.skew}))::int8`;
    return (
      `UPDATE ${table.sql} AS x SET ${col} = ${min - 1} + ${pick} FROM (SELECT tableoid AS toid, ctid AS tid, row_number() OVER (ORDER BY tableoid, ctid)::int8 AS n FROM ${table.sql}) AS w ` +
      `WHERE x.tableoid = w.toid AND x.ctid = w.tid${o.unique ? ` AND w.n <= ${k.count}` : ''}${keep}`
    );
  }
  if (o.self) {
    const order = fk.refColumns.map(quoteIdent).join(', ');
    const present = fk.refColumns.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(' AND ');
    // Unique (one child per parent): a chain, each row after the one before.
    const parent = o.unique ? 'w.n - 1' : `1 + floor((w.n - 1) * ${u})::int8`;
    const pick = o.notNull ? `CASE WHEN w.n = 1 THEN 1 ELSE ${parent} END` : parent;
    return (
      `UPDATE ${table.sql} AS x SET ${set} FROM (SELECT tableoid AS toid, ctid AS tid, row_number() OVER (ORDER BY ${order})::int8 AS n FROM ${table.sql} WHERE ${present}) AS w ` +
      `JOIN pg_temp.${quoteIdent(k.temp)} AS p ON p.i = ${pick} WHERE x.tableoid = w.toid AND x.ctid = w.tid${o.notNull ? '' : ' AND w.n > 1'}${keep}`
    );
  }
  // Unique: row n takes key n (rows past the last key stay as they are).
  const pick = o.unique ? 'w.n' : `1 + floor(${k.count} * power(${u}, ${o.skew}))::int8`;
  return (
    `UPDATE ${table.sql} AS x SET ${set} FROM (SELECT tableoid AS toid, ctid AS tid, row_number() OVER (ORDER BY tableoid, ctid)::int8 AS n FROM ${table.sql}) AS w ` +
    `JOIN pg_temp.${quoteIdent(k.temp)} AS p ON p.i = ${pick} WHERE x.tableoid = w.toid AND x.ctid = w.tid${keep}`
  );
}

/** Referenced keys numbered 1..count in temp tables, made once per table state. */
class KeyTables {
  private readonly made = new Map<string, KeyTable & { oid: number }>();
  private seq = 0;
  constructor(
    private readonly query: QueryFn,
    private readonly exec: ExecFn,
    private readonly catalog: Catalog,
  ) {}

  async get(oid: number, columns: string[], groupBy: number[] = []): Promise<KeyTable | undefined> {
    const id = `${oid}:${columns.join(',')}:${groupBy.join(',')}`;
    const hit = this.made.get(id);
    if (hit) return hit;
    const sql = this.catalog.tables.find((t) => t.oid === oid)?.sql ?? this.catalog.outside.get(oid)?.sql;
    if (!sql || columns.some((c) => c.startsWith('?'))) return undefined;
    const cols = columns.map(quoteIdent);
    // One integer column whose values run min..max without a gap: no temp table needed.
    const table = this.catalog.tables.find((t) => t.oid === oid);
    const type = table?.columns.find((c) => c.name === columns[0])?.type;
    if (columns.length === 1 && groupBy.length === 0 && (type === 'integer' || type === 'bigint' || type === 'smallint')) {
      const r = await this.query(`SELECT min(${cols[0]})::float8 AS lo, max(${cols[0]})::float8 AS hi, count(${cols[0]})::float8 AS n FROM ${sql}`);
      const [lo, hi, n] = [Number(r[0]?.lo), Number(r[0]?.hi), Number(r[0]?.n)];
      if (n > 0 && Number.isSafeInteger(lo) && hi - lo + 1 === n) {
        const made = { temp: '', count: n, oid, denseMin: lo };
        this.made.set(id, made);
        return made;
      }
    }
    const temp = `pglens_fill_keys_${++this.seq}`;
    const group = groupBy.map((i) => cols[i]);
    const order = cols.filter((_, i) => !groupBy.includes(i));
    const over = `${group.length ? `PARTITION BY ${group.join(', ')} ` : ''}ORDER BY ${order.join(', ')}`;
    const counts = group.length ? `${temp}_counts` : undefined;
    try {
      await this.exec(
        `CREATE TEMP TABLE ${quoteIdent(temp)} AS SELECT row_number() OVER (${over})::int8 AS i, ` +
          `${cols.map((c, i) => `${c} AS k${i + 1}`).join(', ')} FROM ${sql} WHERE ${cols.map((c) => `${c} IS NOT NULL`).join(' AND ')}`,
      );
      await this.exec(`ANALYZE pg_temp.${quoteIdent(temp)}`);
      if (counts) {
        const ks = groupBy.map((i) => `k${i + 1}`).join(', ');
        await this.exec(`CREATE TEMP TABLE ${quoteIdent(counts)} AS SELECT ${ks}, count(*)::int8 AS c FROM pg_temp.${quoteIdent(temp)} GROUP BY ${ks}`);
        await this.exec(`ANALYZE pg_temp.${quoteIdent(counts)}`);
      }
    } catch {
      return undefined;
    }
    const count = await countRows(this.query, `pg_temp.${quoteIdent(temp)}`);
    const made = { temp, count, oid, ...(counts && { groupBy, counts }) };
    this.made.set(id, made);
    return made;
  }

  /** Rows of the table changed: its numbered keys are stale. */
  changed(oid: number): void {
    for (const [id, m] of this.made) {
      if (m.oid !== oid) continue;
      this.made.delete(id);
      if (m.temp) this.stale.push(m.temp);
      if (m.counts) this.stale.push(m.counts);
    }
  }

  private readonly stale: string[] = [];

  async dropAll(): Promise<void> {
    const all = [...this.stale, ...[...this.made.values()].flatMap((m) => [m.temp, m.counts ?? ''])].filter(Boolean);
    this.made.clear();
    this.stale.length = 0;
    for (const t of all) await this.exec(`DROP TABLE IF EXISTS pg_temp.${quoteIdent(t)}`).catch(() => undefined);
  }
}

/** Indexes a bulk load may drop and build again: not unique, not behind a constraint, valid. */
async function plainIndexes(query: QueryFn, oid: number): Promise<Array<{ name: string; def: string }>> {
  const rows = await query(
    `SELECT json_agg(json_build_object('name', i.indexrelid::regclass::text, 'def', pg_get_indexdef(i.indexrelid)) ORDER BY i.indexrelid)::text AS j
       FROM pg_index i
      WHERE i.indrelid = ${oid} AND NOT i.indisunique AND NOT i.indisprimary AND NOT i.indisexclusion AND i.indisvalid AND NOT i.indisclustered
        AND NOT i.indisreplident AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid AND d.deptype IN ('e', 'x'))
        AND NOT EXISTS (SELECT 1 FROM pg_description d WHERE d.objoid = i.indexrelid)`,
  );
  const text = rows[0]?.j;
  return text ? (JSON.parse(String(text)) as Array<{ name: string; def: string }>) : [];
}

/** Statements in one transaction; rolled back (and rethrown) on a failure. */
async function inTransaction(exec: ExecFn, statements: string[]): Promise<void> {
  await exec('BEGIN');
  try {
    for (const st of statements) await exec(st);
    await exec('COMMIT');
  } catch (e) {
    await exec('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

async function countRows(query: QueryFn, sql: string): Promise<number> {
  const rows = await query(`SELECT count(*)::float8 AS n FROM ${sql}`);
  return Number(rows[0]?.n ?? 0);
}

async function succeeds(query: QueryFn, sql: string): Promise<boolean> {
  try {
    await query(sql);
    return true;
  } catch {
    return false;
  }
}

/** Postgres's error as the report shows it (pg and PGlite errors carry the same fields). */
export function describe(e: unknown): { error: string; code?: string; constraint?: string } {
  const err = e as { message?: string; code?: string; constraint?: string; detail?: string };
  const message = err?.message ?? String(e);
  const constraint = err?.constraint || /constraint "([^"]+)"/.exec(message)?.[1];
  return {
    error: err?.detail ? `${message} (${err.detail})` : message,
    ...(err?.code && { code: err.code }),
    ...(constraint && { constraint }),
  };
}

/** Which filters dropped rows, on a sample: names the CHECK (or partition bounds) with its pass rate. */
async function diagnose(query: QueryFn, plan: TablePlan): Promise<string> {
  const probe = plan.probe;
  if (!probe || probe.filters.length === 0) return 'rows dropped by filters';
  try {
    const cols = probe.filters.map((f, i) => `count(*) FILTER (WHERE ${f.sql})::float8 AS f${i}`).join(', ');
    const rows = await query(`SELECT count(*)::float8 AS n, ${cols} FROM (${probe.sample}) AS v`);
    const n = Number(rows[0]?.n ?? 0);
    if (!n) return 'rows dropped by filters';
    const worst = probe.filters
      .map((f, i) => ({ name: f.name, pass: Number(rows[0]?.[`f${i}`] ?? 0) / n }))
      .filter((f) => f.pass < 0.999)
      .sort((a, b) => a.pass - b.pass);
    if (!worst.length) return 'rows dropped by filters';
    return `rows dropped by ${worst
      .slice(0, 3)
      .map((w) => `${w.name} (${Math.round(w.pass * 100)}% of generated rows pass)`)
      .join(', ')}`;
  } catch (e) {
    return `rows dropped by filters (${describe(e).error})`;
  }
}
