import type { TypeInfo } from './catalog';
import { quoteLiteral } from './catalog';
import type { Restriction } from './checks';

/**
 * Column values as SQL expressions of a key K (a non-negative bigint SQL expression): each
 * type maps K to a value, one-to-one over [0, capacity), so a unique column gets distinct
 * values from distinct keys and a skewed key gives skewed values. Everything is computed
 * inside Postgres from the row number; nothing here runs per row in Node.
 */

/** Keys at or above this are treated as unbounded (JS numbers stay exact below 2^53). */
export const UNBOUNDED = 1e15;

export type TextStyle = 'email' | 'url' | 'code' | 'phone' | 'long' | 'title' | 'plain';

export type Spec =
  | { t: 'int'; min: number; max: number }
  | { t: 'numeric'; scale: number; minUnits: number; maxUnits: number }
  | { t: 'float'; min: number; max: number }
  | { t: 'text'; prefix: string; suffix: string; long: boolean; minLength: number; maxLength: number }
  | { t: 'bool'; invert: boolean }
  | { t: 'list'; values: string[] }
  | { t: 'date'; base: string; dir: 1 | -1 }
  | { t: 'timestamp'; base: string; dir: 1 | -1; tz: boolean }
  | { t: 'time'; tz: boolean }
  | { t: 'interval' }
  | { t: 'uuid'; salt: string }
  | { t: 'json'; binary: boolean }
  | { t: 'bytea' }
  | { t: 'inet'; cidr: boolean }
  | { t: 'macaddr'; bytes: 6 | 8 }
  | { t: 'money' }
  | { t: 'bit'; n: number; varying: boolean }
  | { t: 'simple'; sql: string; capacity: number }
  | { t: 'vector'; dims: number; type: string }
  | { t: 'array'; elem: Spec; elemType: string }
  | { t: 'range'; sub: Spec; subType: string; ctor: string }
  | { t: 'unknown'; type: string };

export interface SpecInput {
  type: TypeInfo;
  /** typmod that applies (column's, or the domain's for its base). */
  typmod: number;
  /** format_type of the type with that typmod (what values are cast to). */
  castType: string;
  column: string;
  restriction: Restriction;
  types: Map<number, TypeInfo>;
  /** Per-column salt for hashes. */
  salt: string;
  capabilities: { xml: boolean };
}

const INT_RANGE: Record<string, [number, number]> = {
  int2: [-32768, 32767],
  int4: [-2147483648, 2147483647],
  int8: [-UNBOUNDED, UNBOUNDED],
};

export const LOW_CARDINALITY =
  /(^|_)(status|state|type|kind|category|role|level|priority|tier|plan|source|channel|provider|currency|country|lang|language|locale|gender|visibility|mode|format|method|region|timezone|tz|stage|phase|severity|scope|platform|env|environment|unit)$/;
export const COUNT_LIKE =
  /(^|_)(count|qty|quantity|position|pos|sort|sort_order|order|ordinal|rank|attempts|retries|version|age|score|rating|stars|seq|index|idx|depth|weight|amount|percent|percentage)$/;
export const CREATED_LIKE =
  /(^|_)(created|inserted|added|registered|joined|published|occurred|logged|recorded|started|sent|updated|modified|changed)(_at|_on|_date|_time|_ts)?$|^(timestamp|ts|date|time)$/;
export const MOSTLY_NULL =
  /(^|_)(deleted|archived|canceled|cancelled|revoked|disabled|banned|blocked|suspended|removed|locked|failed|error|deactivated|expired|closed)(_at|_on|_by|_reason|_message)?$/;
const INVERTED_BOOL = /^(is_|has_)?(deleted|archived|disabled|blocked|banned|locked|hidden|spam|test|suspended|private|draft|failed|deactivated|internal|system)$/;

/** A short lower-case word from a column name, for text prefixes. */
function shortName(column: string): string {
  const w = column.toLowerCase().replace(/[^a-z0-9]+/g, '');
  return (w || 'v').slice(0, 10);
}

export function textStyle(column: string): TextStyle {
  const c = column.toLowerCase();
  if (/e_?mail/.test(c)) return 'email';
  if (/(url|uri|link|href|website|homepage|avatar|image|photo|picture|icon|logo)/.test(c)) return 'url';
  if (/(phone|mobile|tel|fax)/.test(c)) return 'phone';
  if (/(slug|handle|username|login|key|code|sku|token|hash|secret|ref|identifier|external_id|uid)/.test(c)) return 'code';
  if (/(description|body|content|comment|note|message|bio|summary|text|details|about|remarks|excerpt|markdown|html)/.test(c)) return 'long';
  if (/(name|title|label|caption|subject|headline)/.test(c)) return 'title';
  return 'plain';
}

function textSpec(column: string, r: Restriction, typeMax: number): Spec {
  const short = shortName(column);
  const style = textStyle(column);
  let [prefix, suffix] = [`${short}-`, ''];
  if (style === 'email') [prefix, suffix] = ['user', '@example.com'];
  else if (style === 'url') [prefix, suffix] = [`https://example.com/${short}/`, ''];
  else if (style === 'phone') [prefix, suffix] = ['+1555', ''];
  else if (style === 'title') [prefix, suffix] = [`${short[0].toUpperCase()}${short.slice(1)} `, ''];
  else if (style === 'code') [prefix, suffix] = [`${short.slice(0, 3)}_`, ''];
  const maxLength = Math.min(typeMax, r.maxLength ?? Infinity);
  const minLength = Math.max(r.minLength ?? 0, r.nonEmpty ? 1 : 0);
  // Keep room for at least 7 digits; drop the decoration when the column is too narrow.
  if (prefix.length + suffix.length + 7 > maxLength) [prefix, suffix] = [prefix.length + 7 <= maxLength ? prefix : '', ''];
  if (prefix.length + 3 > maxLength) prefix = '';
  return { t: 'text', prefix, suffix, long: style === 'long' && maxLength > 200, minLength, maxLength };
}

/** numeric typmod → precision and scale (-1: unconstrained). */
export function numericTypmod(typmod: number): { precision?: number; scale: number } {
  if (typmod < 4) return { scale: 2 };
  const t = typmod - 4;
  const precision = (t >> 16) & 0xffff;
  let scale = t & 0x7ff;
  if (scale > 1023) scale -= 2048;
  return { precision, scale: Math.max(0, scale) };
}

/** The value spec of a (base, enum, array, range) type, restricted by what its CHECKs say. */
export function specFor(input: SpecInput): Spec {
  const { type, typmod, column, restriction: r } = input;
  if (r.values?.length && type.category !== 'A') return { t: 'list', values: r.values };
  if (type.kind === 'e') {
    const labels = type.labels ?? [];
    return labels.length ? { t: 'list', values: labels } : { t: 'unknown', type: type.name };
  }
  if (type.category === 'A' && type.elem) {
    const elemType = input.types.get(type.elem);
    if (!elemType || elemType.kind === 'd' || elemType.category === 'A') return { t: 'unknown', type: type.name };
    const elemCast = input.castType.replace(/\[\]$/, '');
    const elem = specFor({ ...input, type: elemType, castType: elemCast, restriction: {} });
    if (elem.t === 'unknown') return { t: 'unknown', type: type.name };
    return { t: 'array', elem, elemType: elemCast };
  }
  if (type.kind === 'r' && type.rangeSubtype) {
    const sub = input.types.get(type.rangeSubtype);
    if (!sub) return { t: 'unknown', type: type.name };
    const subSpec = specFor({ ...input, type: sub, typmod: -1, castType: sub.name, restriction: {} });
    if (!['int', 'numeric', 'float', 'date', 'timestamp'].includes(subSpec.t)) return { t: 'unknown', type: type.name };
    return { t: 'range', sub: subSpec, subType: sub.name, ctor: type.name };
  }
  const lo = r.min?.num;
  const hi = r.max?.num;
  switch (type.typname) {
    case 'int2':
    case 'int4':
    case 'int8': {
      const [tmin, tmax] = INT_RANGE[type.typname];
      let min = lo !== undefined ? Math.ceil(lo) + (r.min!.inclusive || !Number.isInteger(lo) ? 0 : 1) : undefined;
      let max = hi !== undefined ? Math.floor(hi) - (r.max!.inclusive || !Number.isInteger(hi) ? 0 : 1) : tmax;
      min ??= max >= 1 ? 1 : max - 1_000_000;
      min = Math.max(min, tmin);
      max = Math.min(max, tmax);
      return { t: 'int', min, max };
    }
    case 'numeric': {
      const { precision, scale } = numericTypmod(typmod);
      const unit = 10 ** scale;
      const typeMax = precision !== undefined ? Math.min(10 ** precision - 1, UNBOUNDED) : UNBOUNDED;
      let minUnits = lo !== undefined ? Math.ceil(lo * unit) + (r.min!.inclusive ? 0 : 1) : undefined;
      let maxUnits = hi !== undefined ? Math.floor(hi * unit) - (r.max!.inclusive ? 0 : 1) : typeMax;
      minUnits ??= maxUnits >= 0 ? 0 : maxUnits - 1_000_000 * unit;
      minUnits = Math.max(minUnits, -typeMax);
      maxUnits = Math.min(maxUnits, typeMax);
      return { t: 'numeric', scale, minUnits, maxUnits };
    }
    case 'float4':
    case 'float8': {
      const min = lo !== undefined ? lo + (r.min!.inclusive ? 0 : 0.001) : hi !== undefined && hi < 0 ? hi - 1_000_000 : 0;
      const max = hi !== undefined ? hi - (r.max!.inclusive ? 0 : 0.001) : UNBOUNDED;
      return { t: 'float', min, max };
    }
    case 'money':
      return { t: 'money' };
    case 'text':
    case 'citext':
      return textSpec(column, r, Infinity);
    case 'varchar':
    case 'bpchar':
      return textSpec(column, r, typmod >= 4 ? typmod - 4 : type.typname === 'bpchar' ? 1 : Infinity);
    case 'name':
      return textSpec(column, r, 63);
    case 'bool':
      return { t: 'bool', invert: INVERTED_BOOL.test(column.toLowerCase()) };
    case 'date':
      return temporal('date', r, "date '2021-01-01'", 'date');
    case 'timestamp':
      return temporal('timestamp', r, "timestamp '2021-01-01 00:00:00'", 'timestamp');
    case 'timestamptz':
      return temporal('timestamp', r, "timestamptz '2021-01-01 00:00:00+00'", 'timestamptz');
    case 'time':
      return { t: 'time', tz: false };
    case 'timetz':
      return { t: 'time', tz: true };
    case 'interval':
      return { t: 'interval' };
    case 'uuid':
      return { t: 'uuid', salt: input.salt };
    case 'json':
      return { t: 'json', binary: false };
    case 'jsonb':
      return { t: 'json', binary: true };
    case 'bytea':
      return { t: 'bytea' };
    case 'inet':
      return { t: 'inet', cidr: false };
    case 'cidr':
      return { t: 'inet', cidr: true };
    case 'macaddr':
      return { t: 'macaddr', bytes: 6 };
    case 'macaddr8':
      return { t: 'macaddr', bytes: 8 };
    case 'bit':
      return { t: 'bit', n: typmod > 0 ? typmod : 1, varying: false };
    case 'varbit':
      return { t: 'bit', n: 32, varying: true };
    case 'char':
      return { t: 'simple', sql: 'chr(97 + (K % 26)::int4)', capacity: 26 };
    case 'oid':
      return { t: 'simple', sql: '(1 + K % 4294967294)', capacity: 4294967294 };
    case 'pg_lsn':
      return { t: 'simple', sql: "('0/' || to_hex(K))", capacity: UNBOUNDED };
    case 'xml':
      return input.capabilities.xml ? { t: 'simple', sql: "('<v>' || K || '</v>')", capacity: UNBOUNDED } : { t: 'unknown', type: type.name };
    case 'tsvector':
      return { t: 'simple', sql: "('w' || K || ' t' || (K % 37))", capacity: UNBOUNDED };
    case 'tsquery':
      return { t: 'simple', sql: "('w' || K)", capacity: UNBOUNDED };
    case 'jsonpath':
      return { t: 'simple', sql: "('$.k' || K)", capacity: UNBOUNDED };
    case 'point':
      return { t: 'simple', sql: 'point((K % 1000)::float8, (K / 1000)::float8)', capacity: UNBOUNDED };
    case 'box':
      return { t: 'simple', sql: 'box(point(K::float8, 0), point(K::float8 + 1, 1))', capacity: UNBOUNDED };
    case 'lseg':
      return { t: 'simple', sql: 'lseg(point(K::float8, 0), point(K::float8 + 1, 1))', capacity: UNBOUNDED };
    case 'line':
      return { t: 'simple', sql: 'line(point(K::float8, 0), point(K::float8 + 1, 1))', capacity: UNBOUNDED };
    case 'circle':
      return { t: 'simple', sql: 'circle(point(K::float8, 0), 1 + (K % 10)::float8)', capacity: UNBOUNDED };
    case 'polygon':
      return { t: 'simple', sql: 'polygon(box(point(K::float8, 0), point(K::float8 + 1, 1)))', capacity: UNBOUNDED };
    case 'path':
      return { t: 'simple', sql: 'path(polygon(box(point(K::float8, 0), point(K::float8 + 1, 1))))', capacity: UNBOUNDED };
    case 'ltree':
      return { t: 'simple', sql: "('n' || (K % 10) || '.n' || K)", capacity: UNBOUNDED };
    case 'lquery':
      return { t: 'simple', sql: "('n' || (K % 10) || '.*')", capacity: 10 };
    case 'hstore':
      return { t: 'simple', sql: "('k=>' || K || ', t=>' || (K % 7))", capacity: UNBOUNDED };
    case 'vector':
    case 'halfvec':
      return { t: 'vector', dims: typmod > 0 ? typmod : 3, type: type.typname };
    case 'xid8':
      return { t: 'simple', sql: '(K + 1)::text', capacity: UNBOUNDED };
    case 'xid':
      return { t: 'simple', sql: '(K % 4294967294 + 1)::text', capacity: 4294967294 };
    case 'pg_snapshot':
    case 'txid_snapshot':
      return { t: 'simple', sql: "((K + 1)::text || ':' || (K + 1)::text || ':')", capacity: UNBOUNDED };
    default:
      return { t: 'unknown', type: type.name };
  }
}

function temporal(t: 'date' | 'timestamp', r: Restriction, fallback: string, cast: string): Spec {
  const tz = cast === 'timestamptz';
  if (r.min && r.min.num === undefined) {
    const base = `(${r.min.sql}::${cast}${r.min.inclusive ? '' : t === 'date' ? ' + 1' : " + interval '1 second'"})`;
    return t === 'date' ? { t, base, dir: 1 } : { t, base, dir: 1, tz };
  }
  if (r.max && r.max.num === undefined) {
    const base = `(${r.max.sql}::${cast}${r.max.inclusive ? '' : t === 'date' ? ' - 1' : " - interval '1 second'"})`;
    return t === 'date' ? { t, base, dir: -1 } : { t, base, dir: -1, tz };
  }
  return t === 'date' ? { t, base: fallback, dir: 1 } : { t, base: fallback, dir: 1, tz };
}

/** How many distinct values the mapping gives before it repeats (≥ UNBOUNDED: as many as wanted). */
export function capacity(spec: Spec): number {
  switch (spec.t) {
    case 'int':
      return spec.max - spec.min + 1;
    case 'numeric': {
      const { whole, unit, width } = numericLayout(spec);
      return whole >= 1 ? Math.min(whole * unit, UNBOUNDED) : Math.max(0, width);
    }
    case 'float':
      return spec.max - spec.min >= 2 ? Math.floor(spec.max - spec.min) : 1000;
    case 'text': {
      const room = spec.maxLength - spec.prefix.length - spec.suffix.length;
      if (room <= 4 && !spec.prefix && !spec.suffix && spec.minLength <= room) return room <= 0 ? 0 : 26 ** room;
      return room >= 15 ? UNBOUNDED : room <= 0 ? 0 : 10 ** room;
    }
    case 'bool':
      return 2;
    case 'list':
      return spec.values.length;
    case 'time':
      return 86400;
    case 'inet':
      return 16777216;
    case 'macaddr':
      return spec.bytes === 6 ? 281474976710656 : UNBOUNDED;
    case 'bit':
      return spec.n >= 50 ? UNBOUNDED : 2 ** spec.n;
    case 'simple':
      return spec.capacity;
    case 'vector':
      return 1000;
    case 'array':
      return capacity(spec.elem);
    case 'range':
      return capacity(spec.sub);
    case 'unknown':
      return 0;
    default:
      return UNBOUNDED;
  }
}

/**
 * A numeric spec's value grid: `whole` distinct whole steps of `unit` (10^scale) units, and a
 * multiplier `m` for the fraction with 1 + m·whole prime to 10, so (q + k·m) mod unit is
 * one-to-one in q for each whole part.
 */
export function numericLayout(spec: Extract<Spec, { t: 'numeric' }>): { whole: number; unit: number; width: number; m: number } {
  const unit = 10 ** spec.scale;
  const width = spec.maxUnits - spec.minUnits + 1;
  const whole = Math.min(Math.floor(width / unit), UNBOUNDED);
  let m = 37;
  while (unit > 1 && ((1 + m * (whole % 10)) % 2 === 0 || (1 + m * (whole % 10)) % 5 === 0)) m++;
  return { whole, unit, width, m };
}

/** Step between two keys of a unique column, to spread unique timestamps over time. */
export function uniqueStride(spec: Spec): number {
  return spec.t === 'timestamp' ? 3607 : 1;
}

/**
 * The value of key `k` (SQL, a bigint ≥ 0), not cast yet. `unique`: `k` is distinct per row
 * and the value must be too (arrays then never come out empty).
 */
export function valueSql(spec: Spec, k: string, unique = false): string {
  const mod = (cap: number) => (cap >= UNBOUNDED ? k : `(${k} % ${cap})`);
  switch (spec.t) {
    case 'int':
      return spec.min === 0 ? mod(capacity(spec)) : `(${spec.min} + ${mod(capacity(spec))})`;
    case 'numeric': {
      // Key k = q·whole + r: whole part r, fraction from q (and k, spread): one-to-one below capacity.
      const { whole, unit, m } = numericLayout(spec);
      const kc = mod(capacity(spec));
      if (whole < 1) return `round((${spec.minUnits} + ${kc})::numeric / ${unit}, ${spec.scale})`;
      const units = unit === 1 ? `(${kc} % ${whole})` : `((${kc} % ${whole}) * ${unit} + ((${kc} / ${whole}) + ${kc} * ${m}) % ${unit})`;
      return `round((${spec.minUnits} + ${units})::numeric / ${unit}, ${spec.scale})`;
    }
    case 'float': {
      if (spec.max - spec.min >= 2) return `(${spec.min}::float8 + ${mod(capacity(spec))} + (${k} * 37 % 1000) / 1000.0)`;
      return `(${spec.min}::float8 + (${k} % 1000) / 1000.0 * ${spec.max - spec.min})`;
    }
    case 'text': {
      const room = spec.maxLength - spec.prefix.length - spec.suffix.length;
      if (room <= 4 && !spec.prefix && !spec.suffix && spec.minLength <= room) {
        // Codes: AA, AB, … (country, currency, language codes), capacity 26^width.
        const chars = Array.from({ length: room }, (_, i) => `chr(65 + (${i ? `${k} / ${26 ** i}` : k} % 26)::int4)`);
        return `(${chars.reverse().join(' || ')})`;
      }
      let digits = `${k}::text`;
      if (room < 15) digits = `(${k} % ${10 ** Math.max(room, 0)})::text`;
      const pad = spec.minLength - spec.prefix.length - spec.suffix.length;
      if (pad > 1) digits = `lpad(${digits}, greatest(${pad}, length(${digits})), '0')`;
      let out = [spec.prefix && quoteLiteral(spec.prefix), digits, spec.suffix && quoteLiteral(spec.suffix)].filter(Boolean).join(' || ');
      if (spec.long) out += ` || repeat(' lorem ipsum dolor sit amet', (${k} % 8)::int4)`;
      return `(${out})`;
    }
    case 'bool':
      return spec.invert ? `(${k} % 2 = 1)` : `(${k} % 2 = 0)`;
    case 'list':
      return `(ARRAY[${spec.values.map(quoteLiteral).join(', ')}])[1 + (${k} % ${spec.values.length})::int4]`;
    case 'date':
      return `(${spec.base} ${spec.dir > 0 ? '+' : '-'} (${k})::int4)`;
    case 'timestamp':
      return `(${spec.base} ${spec.dir > 0 ? '+' : '-'} ${k} * interval '1 second')`;
    case 'time':
      return `(time '00:00' + (${k} % 86400) * interval '1 second')${spec.tz ? '::timetz' : ''}`;
    case 'interval':
      return `(${k} * interval '1 second')`;
    case 'uuid':
      return `md5(${quoteLiteral(spec.salt)} || ${k}::text)::uuid`;
    case 'json':
      return `${spec.binary ? 'jsonb' : 'json'}_build_object('id', ${k}, 'kind', 'k' || (${k} % 7), 'active', ${k} % 3 = 0)`;
    case 'bytea':
      return `int8send(${k})`;
    case 'inet':
      return `(inet '10.0.0.0' + (${k} % 16777216))${spec.cidr ? '::cidr' : ''}`;
    case 'macaddr':
      return `lpad(to_hex(${spec.bytes === 6 ? `${k} % 281474976710656` : k}), ${spec.bytes * 2}, '0')`;
    case 'money':
      return `(${k}::numeric + (${k} * 37 % 100)::numeric / 100)::money`;
    case 'bit':
      return spec.varying ? `(${k})::bit(32)::varbit` : `(${k})::bit(${spec.n})`;
    case 'simple':
      return spec.sql.replace(/\bK\b/g, `(${k})`);
    case 'vector':
      return unique ? `array_fill((${k})::real, ARRAY[${spec.dims}])::${spec.type}` : `array_fill(((${k}) % 1000)::real / 1000, ARRAY[${spec.dims}])::${spec.type}`;
    case 'array': {
      const e = (i: number) => `(${valueSql(spec.elem, i ? `(${k} + ${i})` : k, unique)})::${spec.elemType}`;
      const len = unique ? `1 + (${k} % 3)::int4` : `(${k} % 4)::int4`;
      return `(ARRAY[${e(0)}, ${e(1)}, ${e(2)}])[1:${len}]`;
    }
    case 'range': {
      const lo = `(${valueSql(spec.sub, k, unique)})::${spec.subType}`;
      return `${spec.ctor}(${lo}, (${plusStep(spec.sub, lo, k)})::${spec.subType})`;
    }
    case 'unknown':
      return 'NULL';
  }
}

/** `low` plus a positive step derived from `k`: for `low < high` CHECKs and range upper bounds. */
export function plusStep(spec: Spec, low: string, k: string): string {
  switch (spec.t) {
    case 'int':
      return `(${low} + 1 + (${k} % 100))`;
    case 'numeric':
      return `(${low} + 1 + (${k} % 100)::numeric)`;
    case 'float':
      return `(${low} + 1 + (${k} % 100)::float8)`;
    case 'date':
      return `(${low} + 1 + (${k} % 60)::int4)`;
    case 'timestamp':
      return `(${low} + (60 + ${k} % 2592000) * interval '1 second')`;
    case 'time':
      return `(${low} + interval '1 second')`;
    case 'interval':
      return `(${low} + (1 + ${k} % 86400) * interval '1 second')`;
    default:
      return low;
  }
}

/** Whether `plusStep` makes a strictly greater value for this spec. */
export function orderable(spec: Spec): boolean {
  return ['int', 'numeric', 'float', 'date', 'timestamp', 'interval'].includes(spec.t);
}

/** Whether histogram bounds of this spec can be interpolated (lo + (hi - lo) * f). */
export function interpolable(spec: Spec): 'int' | 'numeric' | 'float' | 'date' | 'timestamp' | undefined {
  if (spec.t === 'int' || spec.t === 'numeric' || spec.t === 'float' || spec.t === 'date' || spec.t === 'timestamp') return spec.t;
  return undefined;
}

/** Between a histogram's bounds `lo` and `hi` (SQL of the column's type), at fraction `f` (SQL, 0..1). */
export function interpolate(kind: NonNullable<ReturnType<typeof interpolable>>, lo: string, hi: string, f: string, scale = 0): string {
  switch (kind) {
    case 'int':
      return `(${lo} + floor((${hi} - ${lo}) * ${f})::int8)`;
    case 'numeric':
      return `round(${lo} + (${hi} - ${lo}) * (${f})::numeric, ${scale})`;
    case 'float':
      return `(${lo} + (${hi} - ${lo}) * ${f})`;
    case 'date':
      return `(${lo} + floor((${hi} - ${lo}) * ${f})::int4)`;
    case 'timestamp':
      return `(${lo} + (${hi} - ${lo}) * ${f})`;
  }
}

/** How many distinct values a column without stats gets, and whether they follow the row order. */
export function defaultDistinct(spec: Spec, column: string, rows: number): { distinct: number; uniform?: boolean; ordered?: boolean } {
  const name = column.toLowerCase();
  const cap = capacity(spec);
  const fit = (d: number) => Math.max(1, Math.min(Math.round(d), cap));
  switch (spec.t) {
    case 'bool':
    case 'list':
      return { distinct: cap };
    case 'date':
      return { distinct: fit(1826), uniform: true, ordered: CREATED_LIKE.test(name) };
    case 'timestamp':
      return { distinct: fit(157_766_400), uniform: true, ordered: CREATED_LIKE.test(name) };
    case 'time':
      return { distinct: 86400, uniform: true };
    case 'interval':
      return { distinct: 2_592_000, uniform: true };
    case 'int':
    case 'numeric':
    case 'float':
      if (LOW_CARDINALITY.test(name)) return { distinct: fit(8) };
      if (COUNT_LIKE.test(name)) return { distinct: fit(100) };
      return { distinct: fit(rows) };
    case 'text':
      if (LOW_CARDINALITY.test(name)) return { distinct: fit(8) };
      return { distinct: fit(rows) };
    default:
      return { distinct: fit(rows) };
  }
}
