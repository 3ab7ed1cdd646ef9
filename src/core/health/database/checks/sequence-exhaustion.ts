import { qualifiedName } from '../../fix-sql';
import { formatCount } from '../../format';
import { LOCKED_BY_OTHERS, USER_SCHEMAS, type CheckJudgement, type CheckReadContext, type DatabaseCheck, type DatabaseFinding, type Thresholds } from '../check';

export interface SequenceRow {
  schema: string;
  name: string;
  /** `smallint`, `integer` or `bigint`. */
  dataType: string;
  /** bigint values as decimal text: they do not fit a JavaScript number exactly. */
  minValue: string;
  maxValue: string;
  increment: string;
  cycle: boolean;
  /** The role has SELECT or USAGE on it: without, pg_sequences shows no last_value. */
  readable: boolean;
  /** Another session holds it ACCESS EXCLUSIVE (an ALTER SEQUENCE in progress): not read, so as not to wait. */
  locked: boolean;
  /** Null when never used (no nextval yet), not readable or locked. */
  lastValue: string | null;
  /**
   * The smallest type maximum among the smallint/integer columns it feeds (as their identity,
   * OWNED BY or `DEFAULT nextval(…)`); null when it feeds none. When that limit is at or below
   * the sequence's maximum the column runs out first, and int-key-overflow judges it.
   */
  narrowColumnLimit: number | null;
}

export interface SequenceData {
  role: string;
  sequences: SequenceRow[];
}

/*
 * pg_sequence and pg_sequence_last_value() rather than the pg_sequences view: the same data, plus
 * whether the role may read it (pg_sequences shows NULL for both "never used" and "not allowed").
 * The CASE keeps pg_sequence_last_value from raising "permission denied", and skips the sequences
 * int-key-overflow judges: it opens each sequence, ~40 µs apiece, 0.4 s on 10,000 of them.
 */
const SEQUENCES_SQL = `
WITH locked AS MATERIALIZED (${LOCKED_BY_OTHERS}), fed AS (
  SELECT dep.objid AS seq, a.atttypid
  FROM pg_depend dep
  JOIN pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
  WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i') AND dep.refobjsubid > 0
  UNION ALL
  SELECT dep.refobjid, a.atttypid
  FROM pg_attrdef d
  JOIN pg_depend dep ON dep.classid = 'pg_attrdef'::regclass AND dep.objid = d.oid AND dep.refclassid = 'pg_class'::regclass
  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
), narrow AS (
  SELECT seq, min(CASE atttypid WHEN 'int2'::regtype THEN 32767 ELSE 2147483647 END) AS column_limit
  FROM fed WHERE atttypid IN ('int2'::regtype, 'int4'::regtype)
  GROUP BY seq
)
SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS data_type,
       s.seqmin::text AS min_value, s.seqmax::text AS max_value, s.seqincrement::text AS increment, s.seqcycle AS cycle,
       has_sequence_privilege(c.oid, 'SELECT,USAGE') AS readable,
       locked.relation IS NOT NULL AS locked,
       CASE WHEN has_sequence_privilege(c.oid, 'SELECT,USAGE') AND (narrow.column_limit IS NULL OR narrow.column_limit > s.seqmax) AND locked.relation IS NULL
            THEN pg_sequence_last_value(c.oid)::text END AS last_value,
       narrow.column_limit AS narrow_column_limit
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN narrow ON narrow.seq = c.oid
LEFT JOIN locked ON locked.relation = c.oid
WHERE ${USER_SCHEMAS}
ORDER BY 1, 2`;

async function read(ctx: CheckReadContext): Promise<SequenceData> {
  const filter = ctx.schemas.length > 0 ? ctx.schemas : null;
  const rows = (await ctx.conn.query<Record<string, unknown>>(SEQUENCES_SQL, [filter])).rows;
  const role = ctx.role;
  return {
    role,
    sequences: rows.map((r) => ({
      schema: String(r.schema),
      name: String(r.name),
      dataType: String(r.data_type),
      minValue: String(r.min_value),
      maxValue: String(r.max_value),
      increment: String(r.increment),
      cycle: r.cycle === true,
      readable: r.readable === true,
      locked: r.locked === true,
      lastValue: r.last_value == null ? null : String(r.last_value),
      narrowColumnLimit: r.narrow_column_limit == null ? null : Number(r.narrow_column_limit),
    })),
  };
}

const BIGINT_MAX = 9223372036854775807n;
const BIGINT_MIN = -9223372036854775808n;

/** Share of the sequence's range already handed out, in the direction it counts (0 … 1). */
export function sequenceUsed(s: Pick<SequenceRow, 'minValue' | 'maxValue' | 'increment' | 'lastValue'>): number | null {
  if (s.lastValue === null) return null;
  const [min, max, last] = [BigInt(s.minValue), BigInt(s.maxValue), BigInt(s.lastValue)];
  const range = Number(max - min);
  if (range <= 0) return 1;
  return BigInt(s.increment) > 0n ? Number(last - min) / range : Number(max - last) / range;
}

function judge(data: SequenceData, t: Thresholds): CheckJudgement {
  const findings: DatabaseFinding[] = [];
  let fullest: { s: SequenceRow; used: number } | undefined;
  let judged = 0;
  let byColumn = 0;
  const unreadable: SequenceRow[] = [];
  const locked: SequenceRow[] = [];
  for (const s of data.sequences) {
    if (s.narrowColumnLimit !== null && BigInt(s.narrowColumnLimit) <= BigInt(s.maxValue)) {
      byColumn++;
      continue;
    }
    if (!s.readable) {
      unreadable.push(s);
      continue;
    }
    if (s.locked) {
      locked.push(s);
      continue;
    }
    judged++;
    const used = sequenceUsed(s) ?? 0;
    if (!fullest || used > fullest.used) fullest = { s, used };
    if (used < t.share) continue;
    findings.push(finding(s, used, t));
  }
  const notes: string[] = [];
  if (unreadable.length > 0) {
    notes.push(
      `${unreadable.length} sequence${unreadable.length === 1 ? '' : 's'} could not be read: ${data.role} lacks SELECT or USAGE on ` +
        `${list(unreadable.map((s) => `${s.schema}.${s.name}`))} (pg_sequences shows no last_value without it)`,
    );
  }
  if (locked.length > 0) {
    notes.push(
      `${locked.length} sequence${locked.length === 1 ? ' was' : 's were'} not read: another session holds ${locked.length === 1 ? 'it' : 'them'} locked ` +
        `(ALTER SEQUENCE or TRUNCATE … RESTART IDENTITY in progress?): ${list(locked.map((s) => `${s.schema}.${s.name}`))} — run the check again when it is done`,
    );
  }
  if (byColumn > 0) {
    notes.push(`${byColumn} sequence${byColumn === 1 ? ' feeds' : 's feed'} a smallint or integer column that runs out first: int-key-overflow judges ${byColumn === 1 ? 'it' : 'them'}`);
  }
  const summary = fullest
    ? `${judged} sequence${judged === 1 ? '' : 's'}; the fullest, ${fullest.s.schema}.${fullest.s.name}, has used ${percent(fullest.used)} of its range`
    : 'no sequence to judge here';
  const unread = unreadable.length + locked.length;
  if (judged === 0 && unread > 0) {
    // Nothing judged: "ok, no sequence to judge" would hide that it looked at nothing.
    const parts: string[] = [];
    if (unreadable.length > 0) parts.push(`${data.role} lacks SELECT or USAGE on ${unreadable.length === unread ? (unread === 1 ? 'it' : 'all of them') : `${unreadable.length}`}`);
    if (locked.length > 0) parts.push(`${locked.length === unread ? (unread === 1 ? 'it is' : 'all are') : `${locked.length} ${locked.length === 1 ? 'is' : 'are'}`} locked by another session`);
    return {
      findings,
      summary,
      notes,
      unjudged: { reason: `none of the ${unread === 1 ? 'one sequence' : `${unread} sequences`} it judges could be read (${parts.join('; ')})`, privilege: unreadable.length > 0 },
    };
  }
  return { findings, summary, notes, ...(unread > 0 ? { partial: true } : {}) };
}

function finding(s: SequenceRow, used: number, t: Thresholds): DatabaseFinding {
  const ascending = BigInt(s.increment) > 0n;
  const limit = ascending ? s.maxValue : s.minValue;
  const last = BigInt(s.lastValue ?? '0');
  const left = Number((ascending ? BigInt(s.maxValue) - last : last - BigInt(s.minValue)) / absBig(BigInt(s.increment)));
  const name = qualifiedName(s.schema, s.name);
  const outcome = s.cycle
    ? `at the ${ascending ? 'maximum' : 'minimum'} it starts again at ${exact(ascending ? s.minValue : s.maxValue)} (CYCLE) and hands out values existing rows may already hold, so inserts fail on duplicate keys`
    : `after that every nextval() fails ("reached ${ascending ? 'maximum' : 'minimum'} value of sequence") and so does every insert that needs it`;
  const message =
    `sequence ${s.schema}.${s.name} (${s.dataType}) is at ${exact(s.lastValue ?? '0')} of its ${ascending ? 'maximum' : 'minimum'} ${exact(limit)} ` +
    `(${percent(used)} used, ~${formatCount(left)} values left): ${outcome}`;

  const typeLimit = ascending ? BIGINT_MAX : BIGINT_MIN;
  const bound = ascending ? 'NO MAXVALUE' : 'NO MINVALUE';
  let fixSql: string | undefined;
  if (s.dataType !== 'bigint') fixSql = `ALTER SEQUENCE ${name} AS bigint ${bound};`;
  else if (BigInt(limit) !== typeLimit) fixSql = `ALTER SEQUENCE ${name} ${bound};`;
  const steps: string[] = [];
  if (fixSql) {
    steps.push('ALTER SEQUENCE is instant and locks only the sequence.');
    if (s.narrowColumnLimit !== null) {
      steps.push('It feeds a smallint or integer column, which then becomes the limit: widen that column to bigint as well (see prefer-bigint-over-int).');
    } else {
      steps.push('Every column that stores its values must hold them too: make those bigint (see prefer-bigint-over-int).');
    }
  } else {
    steps.push(
      `It already spans the whole bigint range: find what consumes values this fast (its INCREMENT is ${s.increment}; ` +
        'CACHE and rolled-back inserts also skip values) before it runs out.',
    );
  }
  return {
    ruleId: 'sequence-exhaustion',
    severity: used >= t.errorShare ? 'error' : 'warning',
    message,
    schema: s.schema,
    sequence: s.name,
    metrics: {
      lastValue: s.lastValue,
      maxValue: s.maxValue,
      minValue: s.minValue,
      increment: s.increment,
      dataType: s.dataType,
      cycle: s.cycle,
      usedRatio: Math.round(used * 10_000) / 10_000,
      valuesLeft: left,
    },
    ...(fixSql ? { fixSql } : {}),
    nextStep: steps.join(' '),
  };
}

function absBig(n: bigint): bigint {
  return n < 0n ? -n : n;
}

/** A bigint as text with thousands separators, exactly. */
function exact(value: string): string {
  return BigInt(value).toLocaleString('en-US');
}

/** Rounded down, so a sequence at 99.96% never shows as 100%. */
function percent(ratio: number): string {
  return `${(Math.floor(ratio * 1000) / 10).toFixed(1)}%`;
}

function list(names: string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

export const check: DatabaseCheck<SequenceData> = {
  id: 'sequence-exhaustion',
  group: 'storage',
  title: 'Sequences running out',
  defaultSeverity: 'warning',
  defaults: { share: 0.5, errorShare: 0.9 },
  sandbox: true,
  privilege: 'SELECT or USAGE on each sequence (pg_read_all_data on PostgreSQL 14+ grants it on all)',
  read,
  judge,
};
