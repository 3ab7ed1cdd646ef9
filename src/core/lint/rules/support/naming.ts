import { Script, createContext, type Context } from 'node:vm';
import type { Column, ForeignKey, Index, SchemaModel, Table } from '../../../schema/model';
import { isRunnerTable } from './runner-tables';
import { inflectLastWord, isPlural, isSingular, lastWord, pluralize, singularize } from './inflect';

/**
 * naming-convention's options and checks, shared by the SQL rule and its Prisma face: both read a
 * SchemaModel whose names are the database's (a Prisma model's `@@map`/`@map` name).
 *
 * Options (`.pglens.json` `"rules": { "naming-convention": ["warning", { … }] }`), each check off with `false`:
 * - `preset`: `"snake_case"` (default), `"rails"` or `"strict"`: the starting values of the checks below.
 * - `tables`: `"snake_case"`, `"snake_case_plural"`, `"snake_case_singular"`, or `{ "pattern": "<regex>" }`.
 * - `columns`: `"snake_case"` or `{ "pattern": "<regex>" }`.
 * - `primaryKey`: a template of the single primary-key column (`"id"`, `"{table_singular}_id"`) or `{ "pattern" }`.
 * - `foreignKeys`: a template of each foreign-key column (`"{name}_{ref_column}"`, `"{ref_table_singular}_{ref_column}"`) or `{ "pattern" }`.
 * - `indexes`, `uniqueIndexes`: a template of CREATE INDEX names (`"idx_{table}_{columns}"`, Rails's `"index_{table}_on_{columns_and}"`) or `{ "pattern" }`.
 * - `ignoreTables`: regexes of table names left alone (migration runners' tables always are).
 * A template is the whole name with variables; a pattern is a regex that may use them too, their
 * values escaped. `{name}` in a template stands for any snake_case words.
 */
export type TableStyle = 'snake_case' | 'snake_case_plural' | 'snake_case_singular';

export type NameCheck = { style: TableStyle } | { pattern: string };
/** `template` gives the suggested name; a name following any of `also` passes too. */
export type TemplateCheck = { template: string; also?: string[] } | { pattern: string };

export interface NamingOptions {
  tables?: NameCheck;
  columns?: NameCheck;
  primaryKey?: TemplateCheck;
  foreignKeys?: TemplateCheck;
  indexes?: TemplateCheck;
  uniqueIndexes?: TemplateCheck;
  ignoreTables: RegExp[];
}

/** An option the config cannot use: `path` inside the rule's options (`tables`, `ignoreTables[1]`). */
export class NamingOptionError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path} ${problem}`);
  }
}

export const NAMING_PRESETS = {
  snake_case: { tables: 'snake_case', columns: 'snake_case', primaryKey: 'id', foreignKeys: ['{name}_{ref_column}', '{name}_by', '{name}_to'], indexes: false, uniqueIndexes: false },
  rails: { tables: 'snake_case_plural', columns: 'snake_case', primaryKey: 'id', foreignKeys: '{name}_id', indexes: 'index_{table}_on_{columns_and}', uniqueIndexes: 'index_{table}_on_{columns_and}' },
  strict: {
    tables: 'snake_case_plural',
    columns: 'snake_case',
    primaryKey: 'id',
    foreignKeys: '{ref_table_singular}_{ref_column}',
    indexes: 'idx_{table}_{columns}',
    uniqueIndexes: 'uniq_{table}_{columns}',
  },
} as const;

type PresetName = keyof typeof NAMING_PRESETS;
const KEYS = ['preset', 'tables', 'columns', 'primaryKey', 'foreignKeys', 'indexes', 'uniqueIndexes', 'ignoreTables'];
const TABLE_STYLES: readonly string[] = ['snake_case', 'snake_case_plural', 'snake_case_singular'];

/** Variables each templated check fills in. */
const TEMPLATE_VARIABLES: Record<'primaryKey' | 'foreignKeys' | 'indexes' | 'uniqueIndexes', readonly string[]> = {
  primaryKey: ['table', 'table_singular', 'name'],
  foreignKeys: ['table', 'table_singular', 'ref_table', 'ref_table_singular', 'ref_column', 'name'],
  indexes: ['table', 'table_singular', 'columns', 'columns_and', 'name'],
  uniqueIndexes: ['table', 'table_singular', 'columns', 'columns_and', 'name'],
};

const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
const NAME_WORDS = '[a-z][a-z0-9]*(?:_[a-z0-9]+)*';

const parsed = new WeakMap<object, NamingOptions>();

/** The options as the rule uses them; throws NamingOptionError naming the option at fault. */
export function namingConventionOptions(raw: Record<string, unknown>): NamingOptions {
  const cached = parsed.get(raw);
  if (cached) return cached;
  for (const key of Object.keys(raw)) if (!KEYS.includes(key)) throw new NamingOptionError(key, `is not an option of naming-convention (options: ${KEYS.join(', ')})`);
  const preset = raw.preset ?? 'snake_case';
  if (typeof preset !== 'string' || !Object.hasOwn(NAMING_PRESETS, preset)) {
    throw new NamingOptionError('preset', `must be one of ${Object.keys(NAMING_PRESETS).map((p) => `"${p}"`).join(', ')}, got ${JSON.stringify(preset)}`);
  }
  const base: Record<string, unknown> = NAMING_PRESETS[preset as PresetName];
  const value = (key: string): unknown => (raw[key] !== undefined ? raw[key] : base[key]);
  const options: NamingOptions = {
    tables: nameCheck('tables', value('tables'), TABLE_STYLES),
    columns: nameCheck('columns', value('columns'), ['snake_case']),
    primaryKey: templateCheck('primaryKey', value('primaryKey')),
    foreignKeys: templateCheck('foreignKeys', value('foreignKeys')),
    indexes: templateCheck('indexes', value('indexes')),
    uniqueIndexes: templateCheck('uniqueIndexes', value('uniqueIndexes')),
    ignoreTables: ignoreList(raw.ignoreTables),
  };
  parsed.set(raw, options);
  return options;
}

function nameCheck(key: string, v: unknown, styles: readonly string[]): NameCheck | undefined {
  if (v === false) return undefined;
  if (typeof v === 'string') {
    if (!styles.includes(v)) throw new NamingOptionError(key, `must be ${styles.map((s) => `"${s}"`).join(', ')}, { "pattern": "<regex>" } or false, got "${v}"`);
    return { style: v as TableStyle };
  }
  return { pattern: patternOption(key, v, []) };
}

function templateCheck(key: keyof typeof TEMPLATE_VARIABLES, v: unknown): TemplateCheck | undefined {
  if (v === false) return undefined;
  const allowed = TEMPLATE_VARIABLES[key];
  if (typeof v === 'string') {
    if (v === '') throw new NamingOptionError(key, 'must not be empty (false turns the check off)');
    checkVariables(key, v, allowed);
    return { template: v };
  }
  if (Array.isArray(v)) {
    if (v.length === 0) throw new NamingOptionError(key, 'must list at least one template (false turns the check off)');
    v.forEach((t, i) => {
      if (typeof t !== 'string' || t === '') throw new NamingOptionError(`${key}[${i}]`, 'must be a non-empty template string');
      checkVariables(`${key}[${i}]`, t, allowed);
    });
    return { template: v[0] as string, also: v.slice(1) as string[] };
  }
  return { pattern: patternOption(key, v, allowed) };
}

function patternOption(key: string, v: unknown, allowed: readonly string[]): string {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || typeof (v as { pattern?: unknown }).pattern !== 'string') {
    throw new NamingOptionError(key, `must be a ${allowed.length ? 'template string (or a list of them)' : 'style name'}, { "pattern": "<regex>" } or false, got ${JSON.stringify(v)}`);
  }
  for (const k of Object.keys(v)) if (k !== 'pattern') throw new NamingOptionError(`${key}.${k}`, 'is not known (only "pattern")');
  const pattern = (v as { pattern: string }).pattern;
  checkVariables(`${key}.pattern`, pattern, allowed);
  try {
    new RegExp(fillPattern(pattern, {}));
  } catch (e) {
    throw new NamingOptionError(`${key}.pattern`, `is not a valid regular expression: ${(e as Error).message}`);
  }
  return pattern;
}

function checkVariables(path: string, text: string, allowed: readonly string[]): void {
  for (const m of text.matchAll(/\{([a-z_]+)\}/g)) {
    if (!allowed.includes(m[1])) {
      throw new NamingOptionError(path, `uses {${m[1]}}, which is not a variable here (${allowed.length ? allowed.map((p) => `{${p}}`).join(', ') : 'none'})`);
    }
  }
}

function ignoreList(v: unknown): RegExp[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new NamingOptionError('ignoreTables', 'must be an array of regular expressions (strings)');
  return v.map((p, i) => {
    if (typeof p !== 'string') throw new NamingOptionError(`ignoreTables[${i}]`, 'must be a string');
    try {
      return new RegExp(p);
    } catch (e) {
      throw new NamingOptionError(`ignoreTables[${i}]`, `is not a valid regular expression: ${(e as Error).message}`);
    }
  });
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A pattern with its variables' values escaped in; a variable without a value matches any snake_case words. */
function fillPattern(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/\{([a-z_]+)\}/g, (_, p: string) => (values[p] !== undefined ? escapeRegExp(values[p]) : NAME_WORDS));
}

/** Whether `name` follows a template or pattern check, with these variable values. */
function follows(check: TemplateCheck, name: string, values: Record<string, string>): boolean | undefined {
  // `{name}` is free when matching: any snake_case words.
  const fixed: Record<string, string> = { ...values };
  delete fixed.name;
  if ('pattern' in check) return userPatternMatches(check.pattern, fillPattern(check.pattern, fixed), name);
  return [check.template, ...(check.also ?? [])].some((t) => new RegExp(`^${fillPattern(escapeRegExp(t).replace(/\\\{([a-z_]+)\\\}/g, '{$1}'), fixed)}$`).test(name));
}

/** The name a template gives (`{name}` from the current name in snake_case); undefined for a pattern. */
function expected(check: TemplateCheck, values: Record<string, string>): string | undefined {
  if (!('template' in check)) return undefined;
  return check.template.replace(/\{([a-z_]+)\}/g, (_, p: string) => values[p] ?? '');
}

/** `UserAccount` → `user_account`, `createdAt` → `created_at`, `HTTPStatus` → `http_status`, `user-name` → `user_name`. */
export function toSnakeCase(name: string): string {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[0-9]/.test(snake) || snake === '' ? `t_${snake}` : snake;
}

export type NamingKind = 'table' | 'column' | 'primaryKey' | 'foreignKey' | 'index';

export interface NamingViolation {
  kind: NamingKind;
  table: Table;
  /** The column (column, primary-key and foreign-key checks) or index name at fault. */
  name: string;
  /** The better name, when one follows from the convention. */
  suggestion?: string;
  /** What the convention says, for the message: `table names are snake_case and plural`. */
  rule: string;
  foreignKey?: ForeignKey;
  index?: Index;
}

/** Tables the rule leaves alone: runners', ignored by the options, temporary, Prisma's implicit join tables. */
export function ignoredTable(table: Table, options: NamingOptions): boolean {
  if (table.temporary || isRunnerTable(table)) return true;
  if (options.ignoreTables.some((r) => userPatternMatches(r.source, r.source, table.name, false) === true)) return true;
  // Prisma's implicit many-to-many table `_CategoryToPost (A, B)`: Prisma owns those names.
  return table.name.startsWith('_') && table.columns.length === 2 && table.columns[0].name === 'A' && table.columns[1].name === 'B';
}

function styleRule(style: TableStyle): string {
  return style === 'snake_case' ? 'snake_case' : style === 'snake_case_plural' ? 'snake_case and plural' : 'snake_case and singular';
}

function checkName(check: NameCheck, name: string, numbered: boolean): { rule: string; suggestion?: string } | undefined {
  if ('pattern' in check) {
    const matched = userPatternMatches(check.pattern, check.pattern, name);
    return matched ? undefined : { rule: `match /${check.pattern}/${matched === undefined ? GAVE_UP : ''}` };
  }
  const rule = styleRule(check.style);
  // Letters beyond ASCII (`naïve`, `名前`) have no snake_case spelling to offer: the finding names no better name.
  if (!/^[\x20-\x7e]*$/.test(name)) return { rule };
  const snake = SNAKE_CASE.test(name) ? name : toSnakeCase(name);
  let suggestion = snake;
  if (numbered && check.style !== 'snake_case') {
    const word = lastWord(snake);
    if (word !== undefined) {
      if (check.style === 'snake_case_plural' && !isPlural(word)) suggestion = inflectLastWord(snake, pluralize);
      if (check.style === 'snake_case_singular' && !isSingular(word)) suggestion = inflectLastWord(snake, singularize);
    }
  }
  return suggestion === name ? undefined : { rule, suggestion };
}

/**
 * Every name of the schema that breaks the convention, tables in model order, then their columns,
 * keys and indexes. `incomplete(table)`: the model may lack some of the table's columns (a `LIKE` of
 * a table it does not know), so a name the primary key is told to take may already be used.
 */
export function namingViolations(schema: SchemaModel, options: NamingOptions, incomplete: (table: Table) => boolean = () => false): NamingViolation[] {
  const out: NamingViolation[] = [];
  for (const table of schema.tables.values()) {
    if (ignoredTable(table, options)) continue;
    const tableName = table.name;
    const singular = inflectLastWord(tableName, singularize);
    const partition = table.partitionOf !== undefined;
    // The names the findings give the table and its columns: an index name template follows them too.
    let renamedTable = tableName;
    const renamedColumns = new Map<string, string>();
    if (options.tables) {
      const bad = checkName(options.tables, tableName, !partition);
      if (bad?.suggestion !== undefined) renamedTable = bad.suggestion;
      if (bad) out.push({ kind: 'table', table, name: tableName, suggestion: bad.suggestion, rule: `table names ${ruleVerb(bad.rule)}` });
    }
    // A partition's columns, keys and indexes are its parent's, reported there.
    if (partition) continue;
    const badColumns = new Set<string>();
    if (options.columns) {
      for (const column of table.columns) {
        const bad = checkName(options.columns, column.name, false);
        if (!bad) continue;
        badColumns.add(column.name);
        if (bad.suggestion !== undefined) renamedColumns.set(column.name, bad.suggestion);
        out.push({ kind: 'column', table, name: column.name, suggestion: bad.suggestion, rule: `column names ${ruleVerb(bad.rule)}` });
      }
    }
    const fkColumns = new Set(table.foreignKeys.flatMap((fk) => fk.columns));
    const pk = table.primaryKey?.columns;
    const pkColumn = pk?.length === 1 ? table.columns.find((c) => c.name === pk[0]) : undefined;
    if (options.primaryKey && pkColumn && !fkColumns.has(pkColumn.name) && !badColumns.has(pkColumn.name) && surrogateKey(pkColumn) && !otherEntityKey(pkColumn.name, tableName)) {
      const values = { table: tableName, table_singular: singular, name: pkColumn.name };
      const want = expected(options.primaryKey, values);
      // Another column already has the name (a history table's `id` of the row it records): the key is not that column.
      const taken = want !== undefined && (table.columns.some((c) => c.name === want) || incomplete(table));
      const ok = taken || follows(options.primaryKey, pkColumn.name, values);
      if (!ok) {
        out.push({ kind: 'primaryKey', table, name: pkColumn.name, suggestion: want, rule: `primary key columns ${describe(options.primaryKey, ok)}` });
      }
    }
    if (options.foreignKeys) {
      for (const fk of table.foreignKeys) {
        // A self-reference (parent_id) and a second key to the same table (sender_id, recipient_id) name a role, not the table.
        const roleNamed = (fk.refSchema === table.schema && fk.refTable === tableName) || table.foreignKeys.filter((f) => f.refTable === fk.refTable && f.refSchema === fk.refSchema).length > 1;
        if (roleNamed && 'template' in options.foreignKeys && !options.foreignKeys.template.includes('{name}')) continue;
        fk.columns.forEach((column, i) => {
          if (badColumns.has(column) || (pk?.includes(column) && pk.length === 1)) return;
          const values = {
            table: tableName,
            table_singular: singular,
            ref_table: fk.refTable,
            ref_table_singular: inflectLastWord(fk.refTable, singularize),
            ref_column: fk.refColumns[i] ?? 'id',
            name: column.replace(new RegExp(`_${escapeRegExp(fk.refColumns[i] ?? 'id')}$`), ''),
          };
          const check = options.foreignKeys;
          // The referenced column's own name (`organization_id` → organizations(organization_id)) and, under a
          // `{name}` template, the referenced table's (`country` → countries(code)) say what the key joins to.
          const named = column === values.ref_column || (check !== undefined && 'template' in check && check.template.includes('{name}') && [fk.refTable, values.ref_table_singular].includes(column));
          if (!check) return;
          const ok = named || follows(check, column, values);
          if (ok) return;
          const want = expected(check, values);
          // A role before the template's name keeps it (`approver_user_id` for "{ref_table_singular}_{ref_column}").
          if (want !== undefined && column.endsWith(`_${want}`)) return;
          const suggestion = want !== undefined && 'template' in check && !check.template.includes('{name}') ? keepRole(column, want, values.ref_column, values.ref_table_singular) : want;
          out.push({ kind: 'foreignKey', table, name: column, suggestion, rule: `foreign key columns ${describe(check, ok)}`, foreignKey: fk });
        });
      }
    }
    for (const index of table.indexes) {
      if (index.constraint || index.primary) continue;
      const check = index.unique ? options.uniqueIndexes : options.indexes;
      if (!check) continue;
      // Expression keys have no column name to put in the template.
      if (index.columns.some((c) => c.startsWith('('))) continue;
      // `{columns_and}`: Rails's `index_users_on_org_id_and_email`.
      const values = { table: tableName, table_singular: singular, columns: index.columns.join('_'), columns_and: index.columns.join('_and_'), name: index.name };
      // Suggested from the names the table and columns are told to take, so that following every finding ends them all.
      const newColumns = index.columns.map((c) => renamedColumns.get(c) ?? c);
      const renamed = { table: renamedTable, table_singular: inflectLastWord(renamedTable, singularize), columns: newColumns.join('_'), columns_and: newColumns.join('_and_'), name: index.name };
      const want = expected(check, renamed);
      // A name over 63 bytes is cut by Postgres: a template that long cannot be followed.
      const wantNow = expected(check, values);
      if (wantNow !== undefined && Buffer.byteLength(wantNow, 'utf8') > 63) continue;
      const now = follows(check, index.name, values);
      const ok = now === false ? follows(check, index.name, renamed) : now;
      if (!ok) {
        out.push({ kind: 'index', table, name: index.name, suggestion: want, rule: `${index.unique ? 'unique index' : 'index'} names ${describe(check, ok)}`, index });
      }
    }
  }
  return withoutClashes(schema, out);
}

/**
 * The violations with a suggestion that cannot be used dropped (the finding stays, naming no
 * better name): a name over 63 bytes (Postgres would cut it), a name the table's columns or the
 * schema's relations already have (the RENAME would fail), or one two findings would both take.
 */
function withoutClashes(schema: SchemaModel, out: NamingViolation[]): NamingViolation[] {
  const scope = (v: NamingViolation, name: string): string =>
    v.kind === 'table' || v.kind === 'index' ? `${v.table.schema}\0${name}` : `${v.table.schema}\0${v.table.name}\0\0${name}`;
  const relations = new Set<string>();
  for (const t of schema.tables.values()) {
    relations.add(`${t.schema}\0${t.name}`);
    for (const i of t.indexes) relations.add(`${i.schema}\0${i.name}`);
  }
  for (const v of schema.materializedViews?.values() ?? []) {
    relations.add(`${v.schema}\0${v.name}`);
    for (const i of v.indexes) relations.add(`${i.schema}\0${i.name}`);
  }
  const wanted = new Map<string, number>();
  for (const v of out) if (v.suggestion !== undefined && v.suggestion !== v.name) wanted.set(scope(v, v.suggestion), (wanted.get(scope(v, v.suggestion)) ?? 0) + 1);
  return out.map((v) => {
    const s = v.suggestion;
    if (s === undefined || s === v.name) return v;
    const key = scope(v, s);
    const taken =
      Buffer.byteLength(s, 'utf8') > 63 ||
      (wanted.get(key) ?? 0) > 1 ||
      (v.kind === 'table' || v.kind === 'index' ? relations.has(key) : v.table.columns.some((c) => c.name === s));
    if (!taken) return v;
    const rest = { ...v };
    delete rest.suggestion;
    return rest;
  });
}

/** Appended to a pattern's rule when the pattern was given up on a name. */
const GAVE_UP = ' (the pattern ran over 200 ms on this name and was given up: a repeated group that itself repeats, like (a+)+, backtracks exponentially; rewrite it)';

/** Patterns that ran too long once: not tried again (each try would cost the time limit). */
const givenUp = new Set<string>();
const guarded = new Map<string, { re: RegExp; context: Context }>();
const GUARDED_TEST = new Script('re.test(s)');

/**
 * Whether a pattern from the options matches `name`; undefined the first time it runs over the
 * time limit (from then on `afterGivenUp`: matching for a check, not for ignoreTables). A pattern
 * repeating a group (`(a+)+`, `(a|a)*`) or with several repeats (`[a-z]*[a-z]*…$`) can backtrack
 * exponentially or for a high power of the name's length, so it runs in a vm with a timeout; one
 * with a single repeat and no repeated group runs directly.
 * `key`: the option's pattern as written; `source`: the regex with its variables filled in.
 */
function userPatternMatches(key: string, source: string, name: string, afterGivenUp = true): boolean | undefined {
  if (givenUp.has(key)) return afterGivenUp;
  const risky = /\)[*+?{]/.test(key) || (key.match(/[*+]|\{\d*,\d*\}/g)?.length ?? 0) > 1;
  if (!risky) return new RegExp(source).test(name);
  let entry = guarded.get(source);
  if (!entry) {
    const re = new RegExp(source);
    entry = { re, context: createContext({ re, s: '' }) };
    if (guarded.size > 500) guarded.clear();
    guarded.set(source, entry);
  }
  entry.context.s = name;
  try {
    return GUARDED_TEST.runInContext(entry.context, { timeout: 200 }) === true;
  } catch {
    givenUp.add(key);
    return undefined;
  }
}

/**
 * The templated name with the column's role kept: `chat_id` → copilot_chats is `copilot_chat_id`
 * (the role ends like the table), `source_entry_id` → ledger_entries `source_ledger_entry_id`,
 * `actor_id` → users `actor_user_id`, `created_by` → users `created_by_user_id`; `cat_id` → categories `category_id`.
 */
function keepRole(column: string, want: string, refColumn: string, refSingular: string): string {
  const suffix = `_${refColumn}`;
  if (!column.endsWith(suffix)) return `${column}_${want}`;
  const stem = column.slice(0, -suffix.length);
  const last = lastWord(refSingular);
  if (!want.startsWith(refSingular) || last === undefined) return want;
  const rest = want.slice(refSingular.length);
  // The table's own name, its last word or an abbreviation of it (`cat_id` → categories): the template's name.
  if (stem === refSingular || refSingular.endsWith(`_${stem}`) || last.startsWith(stem)) return want;
  if (stem.endsWith(`_${last}`)) return `${stem.slice(0, -last.length)}${refSingular}${rest}`;
  return `${stem}_${want}`;
}

/**
 * A primary key the convention is about: a generated or numeric/uuid key, or one named as an
 * identifier (`uuid`, `user_uid`, `reset_id`). A natural key (`name`, `key`, `email`, `path`) is
 * the data itself: calling it `id` would hide what it holds.
 */
function surrogateKey(column: Column): boolean {
  if (column.identity || column.serial) return true;
  if (/^(?:smallint|integer|bigint|uuid)$/.test(column.type)) return true;
  if (column.default !== undefined && /\b(?:nextval|gen_random_uuid|uuid_generate_v\d|uuidv[47]|gen_ulid|cuid|nanoid)\b/i.test(column.default)) return true;
  return /(?:^|_)(?:id|uuid|guid|uid)$/.test(column.name);
}

/**
 * A key named after another entity (`organization_id` in `configuration`, `account_id` in
 * `oauth_github`): the row belongs to that entity one to one, and the name says which; renaming it
 * `id` would hide that. A key named after its own table (`reset_id` in `user_reset`) is not.
 */
function otherEntityKey(column: string, table: string): boolean {
  const stem = /^(.+)_(?:id|uuid|guid|uid)$/.exec(column)?.[1];
  if (stem === undefined) return false;
  const words = new Set(table.split('_').flatMap((w) => [w, singularize(w)]));
  return !stem.split('_').some((w) => words.has(w) || words.has(singularize(w)));
}

function ruleVerb(rule: string): string {
  return rule.startsWith('match ') ? rule.replace(/^match/, 'must match') : `are ${rule}`;
}

function describe(check: TemplateCheck, matched?: boolean): string {
  if ('pattern' in check) return `must match /${check.pattern}/${matched === undefined ? GAVE_UP : ''}`;
  const all = [check.template, ...(check.also ?? [])].map((t) => `"${t}"`);
  if (all.length > 1) return `follow one of the templates ${all.join(', ')}`;
  return check.template.includes('{') ? `follow the template ${all[0]}` : `are named ${all[0]}`;
}
