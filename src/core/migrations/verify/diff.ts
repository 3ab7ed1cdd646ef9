import type { CatalogSnapshot, ObjectKind, SchemaDifference, SnapshotObject } from './types';

/**
 * Compares the catalog before an up with the catalog after its down (issue #15). Objects are
 * matched by key; 'missing' = in before only, 'extra' = in after only (left behind), 'changed'
 * = attributes differ. Noise is collapsed: an object whose parent (its table, schema, enum…)
 * is missing / left behind too is not listed, and an enum whose only change is values gained
 * or lost (reported one by one as enum-value differences) is not listed as changed.
 *
 * A migration runner's own bookkeeping (goose_db_version, schema_migrations, sqitch's schema…)
 * is not the schema's: it is left out on both sides (see `runnerBookkeeping`). A column whose
 * NOT NULL a down swaps for a validated `CHECK (col IS NOT NULL)`, or back, is one difference
 * (see `mergeNotNullChecks`).
 *
 * Sorted by table (an object without one, by its own name), kind, name.
 */
export function diffSnapshots(before: CatalogSnapshot, after: CatalogSnapshot): SchemaDifference[] {
  const missing = new Set<string>();
  const extra = new Set<string>();
  const ignoredBefore = runnerBookkeeping(before);
  const ignoredAfter = runnerBookkeeping(after);
  for (const key of before.objects.keys()) if (!after.objects.has(key) && !ignoredBefore.has(key)) missing.add(key);
  for (const key of after.objects.keys()) if (!before.objects.has(key) && !ignoredAfter.has(key)) extra.add(key);

  const out: Array<{ key: string; d: SchemaDifference }> = [];
  // An index or constraint keyed by its definition that comes back under the same name with
  // another definition is one change (ON DELETE lost, a WHERE dropped), not a loss plus a leak.
  const byName = new Map<string, string>();
  for (const key of extra) {
    const obj = after.objects.get(key)!;
    if (obj.kind === 'index' || obj.kind === 'constraint') byName.set(`${obj.kind} ${obj.table ?? ''} ${obj.name}`, key);
  }
  for (const key of [...missing]) {
    const b = before.objects.get(key)!;
    if (b.kind !== 'index' && b.kind !== 'constraint') continue;
    const other = byName.get(`${b.kind} ${b.table ?? ''} ${b.name}`);
    if (other === undefined || !extra.has(other)) continue;
    const a = after.objects.get(other)!;
    const changed: Record<string, [string | undefined, string | undefined]> = {};
    for (const attr of new Set([...Object.keys(b.attributes), ...Object.keys(a.attributes)])) {
      if (b.attributes[attr] !== a.attributes[attr]) changed[attr] = [b.attributes[attr], a.attributes[attr]];
    }
    missing.delete(key);
    extra.delete(other);
    if (Object.keys(changed).length) out.push({ key, d: difference('changed', b, changed) });
  }
  for (const key of missing) {
    const obj = before.objects.get(key)!;
    if (ancestorIn(obj, before, missing)) continue;
    out.push({ key, d: difference('missing', obj, Object.fromEntries(Object.entries(obj.attributes).map(([k, v]) => [k, [v, undefined]]))) });
  }
  for (const key of extra) {
    const obj = after.objects.get(key)!;
    if (ancestorIn(obj, after, extra)) continue;
    out.push({ key, d: difference('extra', obj, Object.fromEntries(Object.entries(obj.attributes).map(([k, v]) => [k, [undefined, v]]))) });
  }
  for (const [key, b] of before.objects) {
    const a = after.objects.get(key);
    if (!a || ignoredBefore.has(key) || ignoredAfter.has(key)) continue;
    const changed: Record<string, [string | undefined, string | undefined]> = {};
    for (const attr of new Set([...Object.keys(b.attributes), ...Object.keys(a.attributes)])) {
      if (b.attributes[attr] !== a.attributes[attr]) changed[attr] = [b.attributes[attr], a.attributes[attr]];
    }
    if (b.kind === 'type' && changed.values && !reordered(changed.values)) delete changed.values;
    if (Object.keys(changed).length) out.push({ key, d: difference('changed', b, changed) });
  }
  return mergeNotNullChecks(out)
    .sort((x, y) => compareDifferences(x.d, y.d) || cmp(x.key, y.key))
    .map((x) => x.d);
}

/**
 * Tables of the migration runners themselves: where each records what it applied. pglens
 * applies the files without the runner, so such a table exists only when a migration makes it
 * (a dump taken with the runner's table in it; a migration that drops or re-creates a former
 * runner's table): it is not part of the schema a down restores.
 */
export const RUNNER_TABLES: ReadonlySet<string> = new Set([
  'goose_db_version', // goose
  'schema_migrations', // golang-migrate, dbmate, Rails-style tools
  'gorp_migrations', // sql-migrate (its schema is set with SetSchema / dbconfig.yml)
  '__diesel_schema_migrations', // diesel
  'flyway_schema_history', // Flyway
  'schema_version', // Flyway before 5
  'databasechangelog', // Liquibase
  'databasechangeloglock',
  'schema_migration', // popx / pop
  '_prisma_migrations', // Prisma
  '__drizzle_migrations', // drizzle
]);
/** Schemas only a runner uses: sqitch's registry, drizzle's and Supabase's migration schemas. */
export const RUNNER_SCHEMAS: ReadonlySet<string> = new Set(['sqitch', 'drizzle', 'supabase_migrations']);

/** `public.users` / `"My Schema"."T"` → the last name, unquoted. */
function lastName(qname: string): string {
  const m = /(?:^|\.)("(?:[^"]|"")*"|[^."]*)$/.exec(qname);
  const part = m ? m[1] : qname;
  return part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part;
}

/**
 * Keys of the objects that are a runner's bookkeeping: its tables (by name, in any schema) with
 * everything attached to them, the schemas only runners use, and a schema that holds nothing
 * but runner tables (sql-migrate's SetSchema, a `x-migrations-table` in a schema of its own).
 */
export function runnerBookkeeping(snapshot: CatalogSnapshot): Set<string> {
  const roots = new Set<string>();
  const children = new Map<string, string[]>();
  for (const [key, obj] of snapshot.objects) {
    if (obj.parent) children.set(obj.parent, [...(children.get(obj.parent) ?? []), key]);
    if (obj.kind === 'table' && RUNNER_TABLES.has(lastName(obj.name))) roots.add(key);
    if (obj.kind === 'schema' && RUNNER_SCHEMAS.has(lastName(obj.name))) roots.add(key);
  }
  for (const [key, obj] of snapshot.objects) {
    if (obj.kind !== 'schema' || roots.has(key)) continue;
    const inside = children.get(key) ?? [];
    if (inside.length > 0 && inside.every((k) => roots.has(k))) roots.add(key);
  }
  const out = new Set<string>();
  const add = (key: string): void => {
    if (out.has(key)) return;
    out.add(key);
    for (const c of children.get(key) ?? []) add(c);
  };
  for (const key of roots) add(key);
  return out;
}

/**
 * NOT NULL on a column and a validated `CHECK (col IS NOT NULL)` accept the same rows, but are
 * not the same catalog: a down that puts one back where the other was (a NOT NULL added the
 * safe way, through the check, and rolled back half-way) is one difference of the column — its
 * nullability, with the check named — not a nullability change and a constraint left behind.
 * A NOT VALID check stays two differences: it does not vouch for the rows already there.
 */
function mergeNotNullChecks(out: Array<{ key: string; d: SchemaDifference }>): Array<{ key: string; d: SchemaDifference }> {
  const used = new Set<number>();
  for (const col of out) {
    const d = col.d;
    const nullability = d.kind === 'column' && d.change === 'changed' ? d.attributes?.nullability : undefined;
    if (!nullability) continue;
    const [b, a] = nullability;
    // NOT NULL → nullable: the check is left behind ('extra'); nullable → NOT NULL: it is gone ('missing').
    const change = b === 'NOT NULL' && a === 'nullable' ? 'extra' : b === 'nullable' && a === 'NOT NULL' ? 'missing' : undefined;
    if (!change) continue;
    const side = change === 'extra' ? 1 : 0;
    const definition = `CHECK ((${d.name.slice(d.name.lastIndexOf('.') + 1)} IS NOT NULL))`;
    const column = lastName(d.name);
    const i = out.findIndex(
      (c, n) =>
        !used.has(n) &&
        c.d.kind === 'constraint' &&
        c.d.change === change &&
        c.d.table === d.table &&
        c.d.attributes?.validated?.[side] === 'valid' &&
        (c.d.attributes?.definition?.[side] === definition || c.d.attributes?.definition?.[side] === `CHECK ((${quoteIfNeeded(column)} IS NOT NULL))`),
    );
    if (i < 0) continue;
    used.add(i);
    const check = `${out[i].d.name} ${out[i].d.attributes!.definition![side]}`;
    d.attributes = { ...d.attributes, 'not null check': change === 'extra' ? [undefined, check] : [check, undefined] };
  }
  return out.filter((_, n) => !used.has(n));
}

function quoteIfNeeded(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function difference(change: SchemaDifference['change'], obj: SnapshotObject, attributes: SchemaDifference['attributes']): SchemaDifference {
  const d: SchemaDifference = { change, kind: obj.kind, name: obj.name };
  if (obj.table !== undefined) d.table = obj.table;
  d.attributes = attributes;
  return d;
}

/** Whether one of the object's parents (transitively) is in `set`. */
function ancestorIn(obj: SnapshotObject, snapshot: CatalogSnapshot, set: Set<string>): boolean {
  const seen = new Set<string>();
  for (let p = obj.parent; p !== undefined && !seen.has(p); p = snapshot.objects.get(p)?.parent) {
    if (set.has(p)) return true;
    seen.add(p);
  }
  return false;
}

/** Enum `values` ('a', 'b', 'c'): whether the values both sides have are in a different order (values only added / removed are reported one by one). */
function reordered([before, after]: [string | undefined, string | undefined]): boolean {
  const b = enumValues(before ?? '');
  const a = enumValues(after ?? '');
  const common = (list: string[], other: string[]) => list.filter((v) => other.includes(v)).join('\u0000');
  return common(b, a) !== common(a, b);
}

function enumValues(list: string): string[] {
  return list.match(/'(?:[^']|'')*'/g) ?? [];
}

const KIND_ORDER: ObjectKind[] = [
  'schema', 'extension', 'type', 'enum-value', 'sequence', 'table', 'view', 'column', 'constraint', 'index', 'trigger', 'policy', 'grant', 'function',
];

function compareDifferences(x: SchemaDifference, y: SchemaDifference): number {
  return cmp(x.table ?? x.name, y.table ?? y.name) || KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind) || cmp(x.name, y.name) || cmp(x.change, y.change);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// One line per difference.

/**
 * One line a DBA reads without the snapshot at hand, e.g.
 * `index on public.orders (user_id) is missing after the down: CREATE INDEX orders_user_id_idx ON public.orders USING btree (user_id)`,
 * `column public.users.email: type was text, is now character varying(255)`,
 * `enum public.mood lost value 'ok'`, `table public.tmp is left behind by the down`.
 */
export function describeDifference(d: SchemaDifference): string {
  const attrs = d.attributes ?? {};
  const value = (attr: string): string | undefined => {
    const pair = attrs[attr];
    return pair ? (d.change === 'extra' ? pair[1] : pair[0]) : undefined;
  };

  if (d.kind === 'enum-value') {
    const { type, literal } = enumValueParts(d, value);
    if (d.change === 'missing') return `enum ${type} lost value ${literal}`;
    if (d.change === 'extra') return `enum ${type} has value ${literal} left behind by the down`;
  }

  const label = labelOf(d, value);
  if (d.kind === 'column' && d.change === 'changed' && attrs['not null check']) {
    const [b, a] = attrs['not null check'];
    const check = (a ?? b ?? '').replace(/^(\S+) CHECK \(\((.*)\)\)$/, '$1 CHECK ($2)');
    const swap = a ? `NOT NULL was replaced by the validated check constraint ${check}` : `the validated check constraint ${check} was replaced by NOT NULL`;
    const others = Object.entries(attrs)
      .filter(([attr]) => attr !== 'nullability' && attr !== 'not null check')
      .sort(([x], [y]) => cmp(x, y))
      .map(([attr, [x, y]]) => `; ${describeChange(d, attr, x, y)}`)
      .join('');
    return (
      `${label}: ${swap} — the same rows are accepted, but it is not the same schema: the column is now ${a ? 'nullable' : 'NOT NULL'} in the catalog ` +
      `(pg_attribute.attnotnull), which psql's \\d, pg_dump and schema introspection (ORMs, prisma db pull) show${others}`
    );
  }
  if (d.change === 'changed') {
    const parts = Object.entries(attrs)
      .sort(([x], [y]) => cmp(x, y))
      .map(([attr, [b, a]]) => describeChange(d, attr, b, a));
    return `${label}: ${parts.join('; ')}`;
  }
  const detail = detailOf(d, value);
  return d.change === 'missing' ? `${label} is missing after the down${detail ? `: ${detail}` : ''}` : `${label} is left behind by the down${detail ? `: ${detail}` : ''}`;
}

function enumValueParts(d: SchemaDifference, value: (a: string) => string | undefined): { type: string; literal: string } {
  const type = value('type');
  const v = value('value');
  if (type !== undefined && v !== undefined) return { type, literal: `'${v.replace(/'/g, "''")}'` };
  const m = /^(.*) ('(?:[^']|'')*')$/.exec(d.name);
  return m ? { type: m[1], literal: m[2] } : { type: d.name, literal: '' };
}

/** What the object is: `column public.users.email`, `unique index on public.users (email)`, `materialized view public.totals`. */
function labelOf(d: SchemaDifference, value: (a: string) => string | undefined): string {
  switch (d.kind) {
    case 'table': {
      const kind = value('kind');
      return `${kind && kind !== 'table' ? kind : 'table'} ${d.name}`;
    }
    case 'view':
      return `${value('kind') ?? 'view'} ${d.name}`;
    case 'type': {
      // A 'changed' difference has only the attributes that changed: guess the kind from them.
      const kind = value('kind') ?? (d.attributes?.values ? 'enum' : d.attributes?.['base type'] || d.attributes?.constraints ? 'domain' : d.attributes?.subtype ? 'range' : undefined);
      return `${kind === 'enum' ? 'enum' : kind === 'domain' ? 'domain' : kind ? `${kind} type` : 'type'} ${d.name}`;
    }
    case 'function':
      return `${value('kind') ?? 'function'} ${d.name}`;
    case 'index': {
      const def = value('definition');
      const m = def ? /^CREATE (UNIQUE )?INDEX ON (?:ONLY )?.*? USING (\S+) (.*)$/.exec(def) : null;
      if (m && d.table) return `${m[1] ? 'unique ' : ''}index on ${d.table} ${m[2] === 'btree' ? m[3] : `USING ${m[2]} ${m[3]}`}`;
      return `index ${d.name}${d.table ? ` on ${d.table}` : ''}`;
    }
    case 'constraint': {
      const type = value('type');
      return `${type ? `${type} ` : ''}constraint ${d.name} on ${d.table ?? '?'}`;
    }
    case 'sequence':
      return d.table ? `sequence ${d.name} (${value('owned by') ? `of ${value('owned by')}` : `on ${d.table}`})` : `sequence ${d.name}`;
    case 'trigger':
    case 'policy':
      return `${d.kind} ${d.name} on ${d.table ?? '?'}`;
    case 'grant':
      return `grants on ${d.name}`;
    case 'enum-value':
      return `enum value ${d.name}`;
    default:
      return `${d.kind} ${d.name}`;
  }
}

/** For a missing / left-behind object: the DDL or the essentials. */
function detailOf(d: SchemaDifference, value: (a: string) => string | undefined): string | undefined {
  switch (d.kind) {
    case 'index': {
      const def = value('definition');
      return def ? def.replace(/^CREATE (UNIQUE )?INDEX ON /, `CREATE $1INDEX ${d.name} ON `) : undefined;
    }
    case 'constraint': {
      const def = value('definition');
      if (!def) return undefined;
      const deferrable = value('deferrable');
      return `ALTER TABLE ${d.table ?? '?'} ADD CONSTRAINT ${d.name} ${def}${deferrable && deferrable !== 'NOT DEFERRABLE' ? ` ${deferrable}` : ''}${value('validated') === 'NOT VALID' ? ' NOT VALID' : ''}`;
    }
    case 'column': {
      const type = value('type');
      if (!type) return undefined;
      const parts = [type];
      if (value('collation')) parts.push(`COLLATE ${value('collation')}`);
      if (value('nullability') === 'NOT NULL') parts.push('NOT NULL');
      if (value('default')) parts.push(`DEFAULT ${value('default')}`);
      if (value('identity')) parts.push(`GENERATED ${value('identity')} AS IDENTITY`);
      if (value('generated')) parts.push(`GENERATED ALWAYS AS (${value('generated')!.replace(/ (STORED|VIRTUAL)$/, ') $1')}`);
      return parts.join(' ');
    }
    case 'trigger':
      return value('definition');
    case 'view':
      return value('definition');
    case 'type': {
      // A 'changed' difference has only the attributes that changed: guess the kind from them.
      const kind = value('kind') ?? (d.attributes?.values ? 'enum' : d.attributes?.['base type'] || d.attributes?.constraints ? 'domain' : d.attributes?.subtype ? 'range' : undefined);
      if (kind === 'enum') return `values ${value('values') ?? ''}`;
      if (kind === 'domain') return [value('base type'), value('nullability') === 'NOT NULL' ? 'NOT NULL' : undefined, value('default') ? `DEFAULT ${value('default')}` : undefined, value('constraints')].filter(Boolean).join(' ');
      if (kind === 'composite') return `(${value('attributes') ?? ''})`;
      if (kind === 'range') return `subtype ${value('subtype') ?? '?'}`;
      return undefined;
    }
    case 'function': {
      const returns = value('returns');
      return returns ? `returns ${returns}, ${value('language') ?? ''}`.replace(/, $/, '') : value('language');
    }
    case 'policy':
      return [value('type'), `FOR ${value('command') ?? 'ALL'}`, `TO ${value('roles') ?? 'public'}`, value('using') ? `USING (${value('using')})` : undefined, value('with check') ? `WITH CHECK (${value('with check')})` : undefined]
        .filter(Boolean)
        .join(' ');
    case 'grant':
      return Object.keys(d.attributes ?? {})
        .sort()
        .map((grantee) => `${grantee}: ${value(grantee)}`)
        .join('; ');
    case 'extension':
      return value('schema') ? `in schema ${value('schema')}` : undefined;
    default:
      return undefined;
  }
}

function describeChange(d: SchemaDifference, attr: string, rawBefore: string | null | undefined, rawAfter: string | null | undefined): string {
  // A difference that went through JSON (the verification child's answer) has null where it had undefined.
  const before = rawBefore ?? undefined;
  const after = rawAfter ?? undefined;
  if (attr === 'body') return `body changed${firstDifferentLine(before ?? '', after ?? '')}`;
  if (d.kind === 'grant') return `${attr} had ${before ?? 'no privileges'}, now has ${after ?? 'no privileges'}`;
  if (attr === 'name') return before === undefined ? `had a generated name, is now named ${after}` : after === undefined ? `was named ${before}, now has a generated name` : `was named ${before}, is now named ${after}`;
  if (attr === 'values' && d.kind === 'type') return `value order was ${before ?? 'none'}, is now ${after ?? 'none'}`;
  return `${attr} was ${before ?? 'none'}, is now ${after ?? 'none'}`;
}

/** ` (line 3 was `…`, is now `…`)` for two function bodies. */
function firstDifferentLine(before: string, after: string): string {
  const b = before.split('\n');
  const a = after.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (b[i] !== a[i]) {
      const show = (s: string | undefined) => (s === undefined ? 'absent' : `\`${clip(s.trim())}\``);
      return ` (line ${i + 1} was ${show(b[i])}, is now ${show(a[i])})`;
    }
  }
  return '';
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
