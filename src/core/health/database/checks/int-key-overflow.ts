import { qualifiedName } from '../../fix-sql';
import { quoteIdent } from '../../../sql/quote-ident';
import { LOCKED_BY_OTHERS, USER_SCHEMAS, type CheckJudgement, type CheckReadContext, type DatabaseCheck, type DatabaseFinding, type Thresholds } from '../check';

export interface ColumnRef {
  schema: string;
  table: string;
  column: string;
  /** `smallint` / `integer`. */
  type: string;
}

export interface IntKeyRow extends ColumnRef {
  identity: boolean;
  /** `DEFAULT nextval(…)`: serial, or a sequence wired by hand. */
  nextvalDefault: boolean;
  primaryKey: boolean;
  /** The sequence that feeds it (identity, OWNED BY or named in its default). */
  sequence: {
    schema: string;
    name: string;
    dataType: string;
    readable: boolean;
    /** Another session holds it ACCESS EXCLUSIVE: not read, so as not to wait. */
    locked: boolean;
    lastValue: number | null;
    /** Direction and start of the range it walks: a sequence started at the type's minimum has the whole range ahead. */
    increment: number;
    minValue: number;
    maxValue: number;
  } | null;
  /**
   * A key without a sequence: the largest absolute value in the column's ANALYZE sample
   * (histogram bounds and most common values) — a lower bound of the real maximum, never a
   * `max()` over the table. Null without visible statistics.
   */
  sampledMax: number | null;
  /**
   * The role may SELECT the column (pg_stats shows only such columns): false marks a key without a
   * sequence whose sample is hidden, not missing. Absent: taken as readable.
   */
  columnReadable?: boolean;
  /** smallint/integer foreign-key columns that reference it: they must grow with it. */
  references: ColumnRef[];
  /**
   * Views and materialized views that use the key or a referencing column (`schema.name`,
   * quoted as needed): ALTER COLUMN … TYPE fails while they exist ("cannot alter type of a
   * column used by a view or rule").
   */
  views: string[];
}

export interface IntKeyData {
  role: string;
  keys: IntKeyRow[];
}

/*
 * smallint/integer columns that are identity, take a sequence's values, or are (part of) a
 * primary key, of tables and partitioned parents (a partition shares its parent's column and
 * sequence). The feeding sequence is found through pg_depend: OWNED BY / identity ('a', 'i')
 * first, else the sequence a nextval() default references. Referencing foreign-key columns are
 * gathered in one pass over pg_constraint (a subquery per key costs seconds on 10,000 tables).
 */
const KEYS_SQL = `
WITH locked AS MATERIALIZED (${LOCKED_BY_OTHERS}), cols AS (
  SELECT c.oid AS relid, a.attnum, n.nspname AS schema_name, c.relname AS table_name, a.attname AS column_name,
         format_type(a.atttypid, NULL) AS type_name, a.attidentity <> '' AS is_identity,
         COALESCE(pg_get_expr(d.adbin, d.adrelid) ~ '^nextval\\(', false) AS nextval_default,
         EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p' AND a.attnum = ANY (k.conkey)) AS primary_key
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
    AND a.atttypid IN ('int2'::regtype, 'int4'::regtype) AND ${USER_SCHEMAS}
), feeds AS (
  SELECT dep.refobjid AS relid, dep.refobjsubid AS attnum, dep.objid AS seq, 0 AS pref
  FROM pg_depend dep
  WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i') AND dep.refobjsubid > 0
  UNION ALL
  SELECT d.adrelid, d.adnum, dep.refobjid, 1
  FROM pg_attrdef d
  JOIN pg_depend dep ON dep.classid = 'pg_attrdef'::regclass AND dep.objid = d.oid AND dep.refclassid = 'pg_class'::regclass
), feed AS (
  SELECT DISTINCT ON (f.relid, f.attnum) f.relid, f.attnum, f.seq
  FROM feeds f
  JOIN pg_class s ON s.oid = f.seq AND s.relkind = 'S'
  ORDER BY f.relid, f.attnum, f.pref
), used_by AS (
  SELECT dep.refobjid AS relid, dep.refobjsubid AS attnum,
         array_agg(DISTINCT quote_ident(vn.nspname) || '.' || quote_ident(vc.relname)) AS views
  FROM pg_depend dep
  JOIN pg_rewrite rw ON rw.oid = dep.objid
  JOIN pg_class vc ON vc.oid = rw.ev_class AND vc.oid <> dep.refobjid
  JOIN pg_namespace vn ON vn.oid = vc.relnamespace
  WHERE dep.classid = 'pg_rewrite'::regclass AND dep.refclassid = 'pg_class'::regclass AND dep.refobjsubid > 0
  GROUP BY 1, 2
), refs AS (
  SELECT fk.confrelid AS relid, u.refnum AS attnum,
         json_agg(json_build_object('schema', rn.nspname, 'table', rc.relname, 'column', ra.attname, 'type', format_type(ra.atttypid, NULL), 'views', ub.views)
                  ORDER BY rn.nspname, rc.relname, ra.attname) AS refs
  FROM pg_constraint fk
  CROSS JOIN LATERAL unnest(fk.conkey, fk.confkey) AS u(attnum, refnum)
  JOIN pg_class rc ON rc.oid = fk.conrelid
  JOIN pg_namespace rn ON rn.oid = rc.relnamespace
  JOIN pg_attribute ra ON ra.attrelid = fk.conrelid AND ra.attnum = u.attnum
  LEFT JOIN used_by ub ON ub.relid = fk.conrelid AND ub.attnum = u.attnum
  WHERE fk.contype = 'f' AND fk.conparentid = 0 AND ra.atttypid IN ('int2'::regtype, 'int4'::regtype)
  GROUP BY 1, 2
), keyed AS MATERIALIZED (
  SELECT cols.*, feed.seq
  FROM cols
  LEFT JOIN feed ON feed.relid = cols.relid AND feed.attnum = cols.attnum
  WHERE cols.is_identity OR feed.seq IS NOT NULL OR cols.primary_key
), sample AS (
  SELECT k.relid, k.attnum, max(abs(v))::float8 AS sampled_max
  FROM keyed k
  JOIN pg_stats st ON st.schemaname = k.schema_name AND st.tablename = k.table_name AND st.attname = k.column_name AND NOT st.inherited
  CROSS JOIN LATERAL unnest(st.histogram_bounds::text::bigint[] || st.most_common_vals::text::bigint[]) AS v
  WHERE k.seq IS NULL
  GROUP BY 1, 2
)
SELECT k.schema_name, k.table_name, k.column_name, k.type_name, k.is_identity, k.nextval_default, k.primary_key,
       sn.nspname AS seq_schema, sc.relname AS seq_name, format_type(ps.seqtypid, NULL) AS seq_type,
       has_sequence_privilege(sc.oid, 'SELECT,USAGE') AS seq_readable,
       ps.seqincrement::float8 AS seq_increment, ps.seqmin::float8 AS seq_min, ps.seqmax::float8 AS seq_max,
       locked.relation IS NOT NULL AS seq_locked,
       CASE WHEN has_sequence_privilege(sc.oid, 'SELECT,USAGE') AND locked.relation IS NULL THEN pg_sequence_last_value(sc.oid)::float8 END AS last_value,
       sample.sampled_max, has_column_privilege(k.relid, k.attnum, 'SELECT') AS column_readable, refs.refs, used_by.views
FROM keyed k
LEFT JOIN pg_class sc ON sc.oid = k.seq
LEFT JOIN pg_namespace sn ON sn.oid = sc.relnamespace
LEFT JOIN pg_sequence ps ON ps.seqrelid = sc.oid
LEFT JOIN locked ON locked.relation = sc.oid
LEFT JOIN refs ON refs.relid = k.relid AND refs.attnum = k.attnum
LEFT JOIN sample ON sample.relid = k.relid AND sample.attnum = k.attnum
LEFT JOIN used_by ON used_by.relid = k.relid AND used_by.attnum = k.attnum`;

async function read(ctx: CheckReadContext): Promise<IntKeyData> {
  const filter = ctx.schemas.length > 0 ? ctx.schemas : null;
  // Right after a migration the catalog's own statistics are stale (a few rows for pg_class's
  // sequences): the planner then nests loops over pg_depend for each sequence, 20-30 s on 2,000
  // tables. Hash joins cost well under a second whatever the statistics say. Local to the check's
  // read-only transaction.
  await ctx.conn.query(`SELECT set_config('enable_nestloop', 'off', true)`);
  // Sorted here: a server sort of these wide rows spills to disk on large catalogs.
  const rows = (await ctx.conn.query<Record<string, unknown>>(KEYS_SQL, [filter])).rows.sort(
    (a, b) => cmp(a.schema_name, b.schema_name) || cmp(a.table_name, b.table_name) || cmp(a.column_name, b.column_name),
  );
  const role = ctx.role;
  return {
    role,
    keys: rows.map((r) => ({
      schema: String(r.schema_name),
      table: String(r.table_name),
      column: String(r.column_name),
      type: String(r.type_name),
      identity: r.is_identity === true,
      nextvalDefault: r.nextval_default === true,
      primaryKey: r.primary_key === true,
      sequence:
        r.seq_name == null
          ? null
          : {
              schema: String(r.seq_schema),
              name: String(r.seq_name),
              dataType: String(r.seq_type),
              readable: r.seq_readable === true,
              locked: r.seq_locked === true,
              lastValue: r.last_value == null ? null : Number(r.last_value),
              increment: Number(r.seq_increment ?? 1),
              minValue: Number(r.seq_min ?? 1),
              maxValue: Number(r.seq_max ?? typeMax(String(r.type_name))),
            },
      sampledMax: r.sampled_max == null ? null : Number(r.sampled_max),
      columnReadable: r.column_readable !== false,
      references: parseRefs(r.refs).map((ref) => ref.column),
      views: [...new Set([...(Array.isArray(r.views) ? r.views.map(String) : parseTextArray(r.views)), ...parseRefs(r.refs).flatMap((ref) => ref.views)])].sort(),
    })),
  };
}

function cmp(a: unknown, b: unknown): number {
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `json` arrives parsed from `pg`, as text from drivers that do not parse it. */
function parseRefs(value: unknown): Array<{ column: ColumnRef; views: string[] }> {
  const list: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (!Array.isArray(list)) return [];
  return list.map((o: Record<string, unknown>) => ({
    column: { schema: String(o.schema), table: String(o.table), column: String(o.column), type: String(o.type) },
    views: Array.isArray(o.views) ? o.views.map(String) : [],
  }));
}

/** A `text[]` that arrived as its literal (`{a,"b c"}`) from a driver that does not parse arrays. */
function parseTextArray(value: unknown): string[] {
  if (typeof value !== 'string' || !value.startsWith('{') || value === '{}') return [];
  return [...value.slice(1, -1).matchAll(/"((?:[^"\\]|\\.)*)"|([^,]+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]));
}

/** The largest value a key of this type can hold. */
export function typeMax(type: string): number {
  return type === 'smallint' ? 32_767 : 2_147_483_647;
}

/**
 * How much of the column's range the key has used. A sequence walks from its start towards one
 * end: an ascending one started at the type's minimum (a known way to double the key space) has
 * used almost nothing at -2,147,483,000. A key without a sequence: its largest absolute value.
 */
export function usedShare(key: Pick<IntKeyRow, 'type' | 'sequence'>, value: number): number {
  const max = typeMax(key.type);
  const min = -max - 1;
  const seq = key.sequence;
  if (!seq) return Math.abs(value) / max;
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  if (seq.increment >= 0) {
    // From 0 for the usual sequence (MINVALUE 1), from its MINVALUE when that is negative.
    const start = Math.min(0, Math.max(seq.minValue, min));
    return clamp((value - start) / (max - start));
  }
  const start = Math.max(0, Math.min(seq.maxValue, max));
  return clamp((start - value) / (start - min));
}

function judge(data: IntKeyData, t: Thresholds): CheckJudgement {
  const findings: DatabaseFinding[] = [];
  const unreadable: string[] = [];
  const unsampled: string[] = [];
  /** Keys without a sequence whose column the role may not read: pg_stats hides their sample. */
  const hidden: string[] = [];
  const locked: string[] = [];
  let fullest: { key: IntKeyRow; share: number } | undefined;
  for (const key of data.keys) {
    const where = `${key.schema}.${key.table}.${key.column}`;
    let value: number;
    if (key.sequence) {
      if (!key.sequence.readable) {
        unreadable.push(`${key.sequence.schema}.${key.sequence.name}`);
        continue;
      }
      if (key.sequence.locked) {
        locked.push(`${key.sequence.schema}.${key.sequence.name}`);
        continue;
      }
      value = key.sequence.lastValue ?? 0;
    } else if (key.sampledMax !== null) {
      value = key.sampledMax;
    } else if (key.columnReadable === false) {
      hidden.push(where);
      continue;
    } else {
      unsampled.push(where);
      continue;
    }
    const share = usedShare(key, value);
    if (!fullest || share > fullest.share) fullest = { key, share };
    if (share >= t.share) findings.push(finding(key, value, share, t));
  }
  const notes: string[] = [];
  if (unreadable.length > 0) {
    notes.push(`${unreadable.length} key sequence${unreadable.length === 1 ? '' : 's'} could not be read: ${data.role} lacks SELECT or USAGE on ${list(unreadable)}`);
  }
  if (locked.length > 0) {
    notes.push(
      `${locked.length} key sequence${locked.length === 1 ? ' was' : 's were'} not read: another session holds ${locked.length === 1 ? 'it' : 'them'} locked ` +
        `(ALTER SEQUENCE, an identity change or TRUNCATE … RESTART IDENTITY in progress?): ${list(locked)} — run the check again when it is done`,
    );
  }
  if (unsampled.length > 0) {
    notes.push(
      `${unsampled.length} integer primary key${unsampled.length === 1 ? '' : 's'} without a sequence ${unsampled.length === 1 ? 'has' : 'have'} no visible statistics ` +
        `(never analyzed, or ${data.role} may not read the column), so ${unsampled.length === 1 ? 'its' : 'their'} largest value is unknown: ${list(unsampled)}`,
    );
  }
  if (hidden.length > 0) {
    notes.push(
      `${hidden.length} integer primary key${hidden.length === 1 ? '' : 's'} without a sequence could not be judged: ${data.role} may not read ` +
        `${hidden.length === 1 ? 'its column, so its' : 'their columns, so their'} statistics are hidden (pg_stats shows only columns the role may SELECT): ${list(hidden)}`,
    );
  }
  const summary = fullest
    ? `${data.keys.length} smallint/integer key${data.keys.length === 1 ? '' : 's'}; the fullest, ${fullest.key.schema}.${fullest.key.table}.${fullest.key.column}, ` +
      `is at ${percent(fullest.share)} of its type's maximum`
    : data.keys.length === 0
      ? 'no smallint/integer identity, serial or primary-key column'
      : `${data.keys.length} smallint/integer key${data.keys.length === 1 ? '' : 's'}, none readable`;
  // Unread for privileges or locks (a key that was never analyzed is no one's privilege: noted only).
  const unread = unreadable.length + hidden.length + locked.length;
  if (!fullest && unread > 0) {
    const parts: string[] = [];
    if (unreadable.length > 0) parts.push(`${data.role} lacks SELECT or USAGE on ${unreadable.length === 1 ? '1 key sequence' : `${unreadable.length} key sequences`}`);
    if (hidden.length > 0) parts.push(`${data.role} may not read ${hidden.length === 1 ? 'the column of 1 key' : `the columns of ${hidden.length} keys`} without a sequence`);
    if (locked.length > 0) parts.push(`${locked.length === 1 ? '1 key sequence is' : `${locked.length} key sequences are`} locked by another session`);
    if (unsampled.length > 0) parts.push(`${unsampled.length === 1 ? '1 key has' : `${unsampled.length} keys have`} no statistics yet`);
    const n = data.keys.length;
    return {
      findings,
      summary,
      notes,
      unjudged: { reason: `none of the ${n === 1 ? 'one key' : `${n} keys`} it judges could be read (${parts.join('; ')})`, privilege: unreadable.length + hidden.length > 0 },
    };
  }
  return { findings, summary, notes, ...(unread > 0 ? { partial: true } : {}) };
}

function finding(key: IntKeyRow, value: number, share: number, t: Thresholds): DatabaseFinding {
  const kinds = [key.identity ? 'identity' : key.nextvalDefault ? 'serial' : '', key.primaryKey ? 'primary key' : ''].filter(Boolean).join(', ');
  const max = typeMax(key.type);
  const source = key.sequence
    ? `its sequence ${key.sequence.schema}.${key.sequence.name} is at ${count(value)}`
    : `it holds at least ${count(value)} (the largest value ANALYZE sampled)`;
  const failure = key.sequence && key.sequence.dataType === key.type ? 'nextval: reached maximum value of sequence' : `${key.type} out of range`;
  const message =
    `${key.type} column ${key.schema}.${key.table}.${key.column} (${kinds}) is at ${percent(share)} of its maximum ${count(max)}: ${source}, ` +
    `and past the maximum every insert fails with "${failure}"`;

  const table = qualifiedName(key.schema, key.table);
  const fix = ["SET lock_timeout = '5s';", `ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(key.column)} TYPE bigint;`];
  // Views that use the columns make ALTER … TYPE fail: they must be dropped and created again
  // around it, with their grants and options — a person's job, so the fix says so first.
  const views = key.views;
  if (views.length > 0) {
    fix.unshift(
      `-- ${views.length === 1 ? 'view' : 'views'} ${views.join(', ')} ${views.length === 1 ? 'uses' : 'use'} these columns: the ALTER COLUMN … TYPE below fails ` +
        `("cannot alter type of a column used by a view or rule") until ${views.length === 1 ? 'it is' : 'they are'} dropped, ` +
        'and created again after it in the same transaction (definitions: pg_get_viewdef; keep their grants and options)',
    );
  }
  for (const r of key.references) fix.push(`ALTER TABLE ${qualifiedName(r.schema, r.table)} ALTER COLUMN ${quoteIdent(r.column)} TYPE bigint;`);
  // An identity sequence follows its column's type; a serial's sequence stays integer.
  if (key.sequence && !key.identity && key.sequence.dataType !== 'bigint') {
    fix.push(`ALTER SEQUENCE ${qualifiedName(key.sequence.schema, key.sequence.name)} AS bigint;`);
  }
  const references = key.references.length > 0 ? `, and so does each referencing column (${key.references.map((r) => `${r.schema}.${r.table}.${r.column}`).join(', ')})` : '';
  return {
    ruleId: 'int-key-overflow',
    severity: share >= t.errorShare ? 'error' : 'warning',
    message,
    schema: key.schema,
    table: key.table,
    column: key.column,
    ...(key.sequence ? { sequence: key.sequence.name } : {}),
    metrics: {
      type: key.type,
      value,
      valueFrom: key.sequence ? 'sequence' : 'statistics sample',
      maxValue: max,
      usedRatio: Math.round(share * 10_000) / 10_000,
      references: key.references.length,
      ...(views.length > 0 ? { views: views.length } : {}),
    },
    fixSql: fix.join('\n'),
    nextStep:
      `ALTER COLUMN … TYPE bigint rewrites the table and all its indexes under an ACCESS EXCLUSIVE lock (no reads or writes until it finishes)${references}. ` +
      (views.length > 0 ? `It fails while ${views.join(', ')} ${views.length === 1 ? 'uses' : 'use'} the column: drop ${views.length === 1 ? 'it' : 'them'} and create ${views.length === 1 ? 'it' : 'them'} again around the change. ` : '') +
      'On a big or busy table, widen it online instead: add a bigint column, keep it filled by a trigger, backfill in batches, build its unique index CONCURRENTLY, ' +
      'then swap the columns in one short transaction (docs/rules/int-key-overflow.md; see also prefer-bigint-over-int).',
  };
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Rounded down, so a key at 99.96% never shows as 100%. */
function percent(ratio: number): string {
  return `${(Math.floor(ratio * 1000) / 10).toFixed(1)}%`;
}

function list(names: string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

export const check: DatabaseCheck<IntKeyData> = {
  id: 'int-key-overflow',
  group: 'storage',
  title: 'Integer keys running out',
  defaultSeverity: 'warning',
  defaults: { share: 0.5, errorShare: 0.9 },
  sandbox: true,
  privilege: 'SELECT or USAGE on the key sequences, and SELECT on tables whose key has no sequence (pg_read_all_data on PostgreSQL 14+ grants both)',
  read,
  judge,
};
