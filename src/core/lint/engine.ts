import { parseSql, type ParsedSqlFile } from '../sql/parse';
import type { Statement } from '../sql/statement';
import { tableKey, type Index, type SchemaModel, type Table } from '../schema/model';
import { applyStatement, createReplayState, endPart, resolveMaterializedView, resolveTable, type ReplayOptions, type ReplayState } from '../schema/replay';
import { SessionState } from '../schema/session-state';
import type { Finding, Severity } from '../types';
import { errorMessage } from '../errors';
import { defaultConfig, isExcluded, isTransactionalFile, ruleSetting, type PglensConfig, type ResolvedRuleSetting } from '../config';
import { SYNTAX_ERROR_DEFAULT_SEVERITY, SYNTAX_ERROR_RULE_ID } from './rule-ids';
import { rules as registry } from './rules';
import type { Report, Rule, SchemaRule, StatementContext, StatementRule } from './rule';
import { collectSuppressions, isSuppressed, type Suppressions } from './suppressions';
import { dropsOnlyWhatUpCreated, emptyCreations, isUndoOf, recordCreations, type UpCreations } from './undo';
import { DYNAMIC_DDL } from '../schema/dynamic-ddl';
import { ONE_STRING_RUNNERS, type MigrationPart, type MigrationSet, type RunnerId, type TransactionMode } from '../migrations/migration';

export interface LintFile {
  file: string;
  text: string;
}

/**
 * One part of a file as its runner executes it: an up (replayed into the schema) or a down
 * (linted against the schema right after its own up, never replayed forward).
 */
export interface LintPart {
  file: string;
  /** The file's whole text. */
  text: string;
  /**
   * The part, when it is not the whole file: its offset in the file and its text (other
   * sections inside it already blanked). Only it is parsed, with the file's offsets, lines and
   * columns.
   */
  slice?: { offset: number; text: string };
  direction: 'up' | 'down';
  /** How the runner executes the part; absent: the config's `migrations` entries (else the Prisma default) decide. */
  transaction?: TransactionMode;
  runner?: RunnerId;
  /**
   * The runner sends the part as one string and runs it outside a transaction only because it
   * holds one statement (ONE_STRING_RUNNERS): a fix adding a statement would put it in one.
   */
  singleStatement?: boolean;
  /** For a down: the position in the list of the up it undoes. */
  upIndex?: number;
}

export interface LintOptions {
  /** Rules to run (default: the whole registry). */
  rules?: readonly Rule[];
  /** Schema that exists before the first file, e.g. the live database's; its tables are existing. */
  baseSchema?: SchemaModel;
  /** Forces "runs inside a transaction" for every file, whatever the config says. */
  inTransaction?: boolean;
  /** Report findings only in this file; the others are still replayed for schema context (the editor's case). */
  onlyFile?: string;
  /**
   * Keep parses for re-linting the same texts (the editor re-lints a whole folder on each
   * edit). Default true; a one-shot run (the CLI) passes false, so each file's syntax trees
   * can be collected once it is linted.
   */
  cacheParses?: boolean;
  /** The files are migrations (default true for a set, false for lintSqlFile's loose file). */
  migration?: boolean;
  /** For loose query files: the workspace's replayed migrations (StatementContext.workspaceSchema). */
  workspaceSchema?: SchemaModel;
  /**
   * Told the schema after the last part, once the files are linted (what a loose query file then
   * runs against); undefined when the replay is incomplete (a migration did not parse, or a DO
   * block changes tables), so queries are not judged against tables that may be gone or changed.
   */
  onSchema?: (schema: SchemaModel | undefined) => void;
}

/** Findings ordered by file (in set order), then position. */
export type LintResult = Finding[];

/** Lints one SQL file on its own (tables it does not create are treated as existing). The parser must be loaded. */
export function lintSqlFile(file: string, text: string, config: PglensConfig = defaultConfig(), options: LintOptions = {}): Finding[] {
  return lintMigrationSet([{ file, text }], config, { migration: false, ...options });
}

/** Files applied in name order. */
export function sortMigrationFiles<T extends { file: string }>(files: readonly T[]): T[] {
  return [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

interface ActiveRule<R extends Rule> {
  rule: R;
  setting: ResolvedRuleSetting;
  /** The user set the rule to another severity than its default: a report's own severity does not override that. */
  configured: boolean;
}

/**
 * Lints files as a migration set without knowing their runner: files in name order, each
 * statement seeing the schema built by everything before it; `*.down.sql` files are linted
 * but not replayed. Prefer lintMigrations, which follows the runner.
 */
export function lintMigrationSet(files: readonly LintFile[], config: PglensConfig = defaultConfig(), options: LintOptions = {}): Finding[] {
  return lintParts(
    sortMigrationFiles(files).map((f) => ({ file: f.file, text: f.text, direction: isDownMigration(f.file) ? 'down' : 'up' })),
    config,
    options,
  );
}

/**
 * Lints a migration set as its runner runs it (src/core/migrations): ups in the runner's
 * order, each down right after its own up, each part with the runner's transaction mode.
 * `resolve` maps a part's file (relative to the folder read) to the path findings carry,
 * `read` gives a file's whole text.
 */
export function lintMigrations(
  set: MigrationSet,
  read: (file: string) => string,
  config: PglensConfig = defaultConfig(),
  options: LintOptions = {},
  resolve: (file: string) => string = (f) => f,
): Finding[] {
  // Files of the set that hold no part (a sqitch verify script, a Flyway undo) are not linted.
  return lintParts(migrationParts(set, read, resolve), config, options);
}

/**
 * A migration set's parts as its runner runs them: ups in the runner's order, each down right
 * after its own up, each with the runner's transaction mode. The schema replay of the editor's
 * navigation (src/core/schema/schema-index.ts) replays the same ups.
 */
export function migrationParts(set: MigrationSet, read: (file: string) => string, resolve: (file: string) => string = (f) => f): LintPart[] {
  const parts: LintPart[] = [];
  const texts = new Map<string, string>();
  const textOf = (file: string): string => {
    let t = texts.get(file);
    if (t === undefined) texts.set(file, (t = read(file)));
    return t;
  };
  const toPart = (p: MigrationPart, direction: 'up' | 'down', transaction: TransactionMode | undefined, upIndex?: number): LintPart => {
    const file = resolve(p.file);
    const text = textOf(p.file);
    const whole = p.offset === 0 && p.text === text;
    return {
      file,
      text,
      ...(!whole && { slice: { offset: p.offset, text: p.text } }),
      direction,
      ...(transaction && { transaction }),
      ...(transaction === 'none' && ONE_STRING_RUNNERS.has(set.runner) && { singleStatement: true }),
      runner: set.runner,
      ...(upIndex !== undefined && { upIndex }),
    };
  };
  // A plain folder's runner is unknown (and the Supabase CLI runs a statement that cannot run
  // in a transaction on its own): there, `.pglens.json` `migrations[].transactional` decides, as before.
  const known = set.runner !== 'plain' && set.runner !== 'supabase';
  for (const m of set.migrations) {
    const upIndex = parts.length;
    parts.push(toPart(m.up, 'up', known ? m.transaction : undefined));
    if (m.down) parts.push(toPart(m.down, 'down', known ? (m.downTransaction ?? m.transaction) : undefined, upIndex));
  }
  return parts;
}

/**
 * A part's parse: only the part's own text (other sections inside it blanked), at its own
 * length's cost, with the file's offsets and lines — a file of thousands of changesets stays
 * linear.
 */
export function parsePart(part: LintPart, cache: boolean): ParsedSqlFile {
  const slice = part.slice;
  if (!slice) return cache ? parseCached(part.text) : parseSql(part.text, { cache: false });
  const span = { offset: slice.offset, text: slice.text };
  if (!cache) return parseSql(part.text, { cache: false, span });
  let perText = spanCache.get(part.text);
  if (!perText) {
    spanCache.set(part.text, (perText = new Map()));
    if (spanCache.size > 8) spanCache.delete(spanCache.keys().next().value as string);
  }
  // Keyed by offset and the part's text: a part edited in place (the editor) parses again.
  let byOffset = perText.get(span.offset);
  if (!byOffset || byOffset.text !== span.text) perText.set(span.offset, (byOffset = { text: span.text, parsed: parseSql(part.text, { span }) }));
  return byOffset.parsed;
}

/** Span parses of the last few multi-part files (the editor re-lints them on every edit). */
const spanCache = new Map<string, Map<number, { text: string; parsed: ParsedSqlFile }>>();

interface PerFile {
  /** The file's whole text. */
  text: string;
  parsed: ParsedSqlFile | undefined;
  suppressions: Suppressions | undefined;
  reported: boolean;
  /** Tables created by the file's up parts so far: not existing for later statements of the file. */
  createdHere: Set<string>;
  /** Parts of the file with a runner transaction mode: [start, end, in a transaction]; a COMMIT of the file's own ends the runner's at its offset. */
  modes: Array<[start: number, end: number, transactional: boolean]>;
  /** Explicit BEGIN … COMMIT spans (file offsets), for schema rules' fixes. */
  spans: Array<[start: number, end: number]>;
}

/**
 * The engine: parts in order, each statement of an up seeing the schema built by everything
 * before it; a down seeing the schema right after its up, without changing it. Then the
 * schema rules on the final schema. Excluded files still shape the schema but report nothing.
 */
export function lintParts(parts: readonly LintPart[], config: PglensConfig = defaultConfig(), options: LintOptions = {}): Finding[] {
  const rules = options.rules ?? registry;
  const statementRules: ActiveRule<StatementRule>[] = [];
  const schemaRules: ActiveRule<SchemaRule>[] = [];
  for (const rule of rules) {
    const setting = ruleSetting(config, rule.id, rule.defaultSeverity);
    if (!setting) continue;
    const configured = (config.rules[rule.id]?.severity ?? rule.defaultSeverity) !== rule.defaultSeverity;
    if (rule.kind === 'statement') statementRules.push({ rule, setting, configured });
    else schemaRules.push({ rule, setting, configured });
  }
  const syntaxSetting = ruleSetting(config, SYNTAX_ERROR_RULE_ID, SYNTAX_ERROR_DEFAULT_SEVERITY);
  const state = createReplayState(options.baseSchema ? cloneSchema(options.baseSchema) : undefined);
  const findings: Finding[] = [];
  const perFile = new Map<string, PerFile>();
  const creations = new Map<number, UpCreations>();
  let incomplete = false;

  parts.forEach((part, index) => {
    const { file } = part;
    const parsed = parsePart(part, options.cacheParses !== false);
    if (part.direction === 'up' && (parsed.errors.length > 0 || parsed.statements.some((s) => s.kind === 'DoStmt' && DYNAMIC_DDL.test(s.text)))) incomplete = true;
    let entry = perFile.get(file);
    if (!entry) {
      const reported = !isExcluded(config, file) && (options.onlyFile === undefined || options.onlyFile === file);
      const suppressions = reported ? collectSuppressions(part.text, parsed.lineIndex) : undefined;
      entry = { text: part.text, parsed: undefined, suppressions, reported, createdHere: new Set(), modes: [], spans: [] };
      perFile.set(file, entry);
    }
    if (entry.suppressions && (part.direction === 'up' || !entry.parsed)) entry.parsed = parsed;
    if (part.transaction && (options.inTransaction === undefined)) {
      const first = parsed.statements[0]?.range.startOffset ?? 0;
      const last = parsed.statements[parsed.statements.length - 1]?.range.endOffset ?? 0;
      // A one-string part is outside a transaction only while a fix adds no statement to it.
      entry.modes.push([first, last, part.transaction !== 'none' || part.singleStatement === true]);
    }
    const partFindings: Finding[] = [];
    if (entry.reported && syntaxSetting) {
      for (const e of parsed.errors) {
        partFindings.push({ ruleId: SYNTAX_ERROR_RULE_ID, severity: syntaxSetting.severity, message: e.message, file, range: e.range });
      }
    }
    let up: UpCreations | undefined;
    if (part.direction === 'up') creations.set(index, (up = emptyCreations()));
    const undone = part.direction === 'down' && part.upIndex !== undefined ? creations.get(part.upIndex) : undefined;
    lintPart({ state, part, parsed, entry, rules: entry.reported ? statementRules : [], config, options, out: partFindings, up, undone });
    partFindings.sort((a, b) => a.range.startOffset - b.range.startOffset);
    for (const f of partFindings) {
      if (part.direction === 'down' && !reportedInDown(f)) continue;
      if (!isSuppressed(entry.suppressions, parsed, f)) findings.push(f);
    }
  });

  options.onSchema?.(incomplete ? undefined : state.schema);
  for (const active of schemaRules) {
    const { rule, setting } = active;
    rule.check({
      schema: state.schema,
      options: setting.options,
      textAt: (file, start, end) => perFile.get(file)?.text.slice(start, end),
      files: () => perFile.keys(),
      inTransactionAt: (file, offset) => {
        if (options.inTransaction !== undefined) return options.inTransaction;
        const entry = perFile.get(file);
        if (entry?.spans.some(([start, end]) => offset >= start && offset <= end)) return true;
        const mode = entry?.modes.find(([start, end]) => offset >= start && offset <= end);
        return mode ? mode[2] : isTransactionalFile(config, file);
      },
      report: (r) => {
        const target = perFile.get(r.file);
        if (!target?.reported) return;
        const finding = toFinding(rule.id, severityOf(active, r), r.file, r);
        if (!isSuppressed(target.suppressions, target.parsed, finding)) findings.push(finding);
      },
    });
  }
  return findings;
}

/** One part's run through the statement rules and the replay. */
interface PartRun {
  state: ReplayState;
  part: LintPart;
  parsed: ParsedSqlFile;
  entry: PerFile;
  /** The statement rules to run (none for a file that reports nothing: it is only replayed). */
  rules: ActiveRule<StatementRule>[];
  config: PglensConfig;
  options: LintOptions;
  /** Where the part's findings go. */
  out: Finding[];
  /** Where an up records what it creates, for its down. */
  up: UpCreations | undefined;
  /** For a down: what its up created. */
  undone: UpCreations | undefined;
}

function lintPart(run: PartRun): void {
  const { state, part, parsed, entry, rules, config, options, out, up, undone } = run;
  const { file } = part;
  const replay = part.direction === 'up';
  const createdHere = entry.createdHere;
  // Few statements ask (CREATE INDEX CONCURRENTLY…): the config's path matching runs on first use.
  let partTransactional: boolean | undefined;
  const inPartTransaction = (): boolean =>
    (partTransactional ??= options.inTransaction ?? (part.transaction ? part.transaction !== 'none' : isTransactionalFile(config, file)));
  // What the part's statements change in their session: the transaction, lock_timeout, TimeZone; search_path is the replay's.
  const session = new SessionState({ transaction: part.transaction, partTransactional: inPartTransaction, forcedTransaction: options.inTransaction, searchPath: state });
  // A down is not replayed: what it creates itself is tracked here, so its later statements see those tables as new.
  const downCreated = replay ? undefined : emptyCreations();
  const isExistingTable = (schema: string | undefined, name: string): boolean =>
    !createdHere.has(tableKey(schema ?? state.defaultSchema, name)) &&
    !(undone && undone.objects.has(`table:${name.toLowerCase()}`)) &&
    !downCreated?.objects.has(`table:${name.toLowerCase()}`);
  const memo = new Map<string, unknown>();
  const migration = options.migration ?? true;
  // A SET LOCAL search_path outside a BEGIN lasts as long as the runner's transaction, and does nothing without one.
  const replayOptions: ReplayOptions = { runnerTransaction: () => session.runnerTransactionOpen() };

  for (const statement of parsed.statements) {
    if (!statement.ast) continue;
    // A down statement that only undoes its up (dropping what the up added) reports nothing.
    if (rules.length > 0 && !(undone && isUndoOf(statement, undone))) {
      // One context per statement; options and report are swapped per rule (rules run synchronously).
      let current = rules[0];
      const context: StatementContext = {
        file,
        text: parsed.text,
        statement,
        statements: parsed.statements,
        schema: state.schema,
        ...(options.workspaceSchema && { workspaceSchema: options.workspaceSchema }),
        isExistingTable,
        table: (rel) => resolveTable(state, rel),
        materializedView: (rel) => resolveMaterializedView(state, rel),
        get inTransaction() {
          return session.inTransaction;
        },
        lockTimeoutSet: session.lockTimeoutSet,
        timeZone: session.timeZone,
        migration,
        direction: part.direction,
        runner: part.runner,
        transactionMode: part.transaction,
        singleStatement: part.singleStatement === true,
        memo,
        postgresVersion: config.postgresVersion,
        options: current.setting.options,
        report: (r: Report) => out.push(toFinding(current.rule.id, severityOf(current, r), file, r)),
      };
      const reportedBefore = out.length;
      for (const active of rules) {
        current = active;
        context.options = active.setting.options;
        try {
          active.rule.check(context);
        } catch (e) {
          out.push(ruleCrash(active.rule.id, file, statement, e));
        }
      }
      // A down dropping only the columns or tables its up added destroys nothing that was there before.
      if (undone && out.length > reportedBefore && dropsOnlyWhatUpCreated(statement, undone)) {
        const kept = out.splice(reportedBefore).filter((f) => f.ruleId !== 'ban-drop-column' && f.ruleId !== 'ban-drop-table');
        out.push(...kept);
      }
    }
    const boundary = session.follow(statement);
    if (boundary === 'begin') {
      entry.spans.push([statement.range.startOffset, Infinity]);
    } else if (boundary === 'runner-end') {
      // The runner's transaction ended here: what follows in the part autocommits.
      const mode = entry.modes.find(([start, end]) => statement.range.startOffset >= start && statement.range.startOffset <= end);
      if (mode) {
        entry.modes.push([statement.range.endOffset, mode[1], false]);
        mode[1] = statement.range.startOffset;
      }
    } else if (boundary === 'end') {
      entry.spans[entry.spans.length - 1][1] = statement.range.endOffset;
    }
    if (up) recordCreations(statement, up);
    if (downCreated) recordCreations(statement, downCreated);
    const effect = replay ? applyStatement(state, statement, file, replayOptions) : undefined;
    if (effect) {
      for (const key of effect.dropped) createdHere.delete(key);
      for (const [from, to] of effect.renamed) if (createdHere.delete(from)) createdHere.add(to);
      for (const key of effect.created) createdHere.add(key);
    }
  }
  // The runner's transaction around the part commits with it (drizzle-kit's spans every pending migration).
  if (replay && part.transaction !== 'all-pending') endPart(state);
}

/**
 * A down runs only to roll a deploy back: what matters there is whether it fails (errors:
 * syntax, CONCURRENTLY in its transaction, NOT NULL without default…) and whether it destroys
 * data its up did not create. Lock and design advice on a down is noise (a DBA review of real
 * projects: 9 of 13 down findings were); the up already got it.
 */
const DOWN_RULES = new Set(['ban-drop-table', 'ban-drop-column', 'ban-truncate-cascade', 'ban-drop-database']);

function reportedInDown(f: Finding): boolean {
  return f.severity === 'error' || DOWN_RULES.has(f.ruleId);
}

/**
 * `0001_x.down.sql` (golang-migrate, sqlx, …) undoes its `.up.sql`: it is linted against the
 * schema at that point but does not change it, or every later file would see tables dropped.
 */
const DOWN_MIGRATION = /(^|[/\\._-])down\.sql$/i;

export function isDownMigration(file: string): boolean {
  return DOWN_MIGRATION.test(file);
}

function severityOf(active: ActiveRule<Rule>, r: Report): Severity {
  return r.severity && !active.configured ? r.severity : active.setting.severity;
}

function toFinding(ruleId: string, severity: Severity, file: string, r: Report): Finding {
  const finding: Finding = { ruleId, severity, message: r.message, file, range: r.range };
  if (r.fix) finding.fix = r.fix;
  return finding;
}

/** A rule that throws must not take the other rules (or the file) down with it; the failure is shown, not swallowed. */
function ruleCrash(ruleId: string, file: string, statement: Statement, e: unknown): Finding {
  return {
    ruleId,
    severity: 'error',
    message: `pglens rule ${ruleId} failed on this statement (${errorMessage(e)}); please report it with the statement`,
    file,
    range: statement.range,
  };
}

const PARSE_CACHE_SIZE = 128;
const parseCache = new Map<string, ParsedSqlFile>();

/** Re-linting unchanged files (the editor re-lints a whole folder on each edit) reuses their parse. */
export function parseCached(text: string): ParsedSqlFile {
  const hit = parseCache.get(text);
  if (hit) {
    parseCache.delete(text);
    parseCache.set(text, hit);
    return hit;
  }
  const parsed = parseSql(text);
  parseCache.set(text, parsed);
  if (parseCache.size > PARSE_CACHE_SIZE) parseCache.delete(parseCache.keys().next().value as string);
  return parsed;
}

/** Copy of a base schema, so replay never mutates the caller's model. */
function cloneSchema(schema: SchemaModel): SchemaModel {
  const cloneIndex = (i: Index): Index => ({ ...i, columns: [...i.columns], include: [...i.include] });
  const tables = new Map<string, Table>();
  for (const [key, t] of schema.tables) {
    tables.set(key, {
      ...t,
      columns: t.columns.map((c) => ({ ...c })),
      primaryKey: t.primaryKey ? { ...t.primaryKey, columns: [...t.primaryKey.columns] } : undefined,
      indexes: t.indexes.map(cloneIndex),
      foreignKeys: t.foreignKeys.map((f) => ({ ...f, columns: [...f.columns], refColumns: [...f.refColumns] })),
      ...(t.notNullChecks && { notNullChecks: t.notNullChecks.map((c) => ({ ...c })) }),
      ...(t.rowSecurity && { rowSecurity: { ...t.rowSecurity } }),
    });
  }
  const copy: SchemaModel = { tables };
  if (schema.policies) copy.policies = new Map([...schema.policies].map(([key, list]) => [key, list.map((p) => ({ ...p, roles: [...p.roles] }))]));
  if (schema.rowSecurityOutside) copy.rowSecurityOutside = new Map([...schema.rowSecurityOutside].map(([key, r]) => [key, { ...r }]));
  if (schema.materializedViews) {
    copy.materializedViews = new Map([...schema.materializedViews].map(([key, v]) => [key, { ...v, columns: [...v.columns], indexes: v.indexes.map(cloneIndex) }]));
  }
  return copy;
}
