import { parseSql, type ParsedSqlFile } from '../sql/parse';
import type { Statement } from '../sql/statement';
import { tableKey, type SchemaModel, type Table } from '../schema/model';
import { applyStatement, createReplayState, resolveTable, type ReplayState } from '../schema/replay';
import type { Finding, Severity } from '../types';
import { errorMessage } from '../errors';
import { defaultConfig, isExcluded, isTransactionalFile, ruleSetting, type LintConfig, type ResolvedRuleSetting } from './config';
import { SYNTAX_ERROR_RULE_ID } from './rule-ids';
import { rules as registry } from './rules';
import type { Report, Rule, SchemaRule, StatementContext, StatementRule } from './rule';
import { collectSuppressions, isSuppressed, type Suppressions } from './suppressions';

export interface LintFile {
  file: string;
  text: string;
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
}

/** Findings ordered by file (in set order), then position. */
export type LintResult = Finding[];

/** Lints one SQL file on its own (tables it does not create are treated as existing). The parser must be loaded. */
export function lintSqlFile(file: string, text: string, config: LintConfig = defaultConfig(), options: LintOptions = {}): Finding[] {
  return lintMigrationSet([{ file, text }], config, { migration: false, ...options });
}

/** Files applied in name order. */
export function sortMigrationFiles<T extends { file: string }>(files: readonly T[]): T[] {
  return [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

interface ActiveRule<R extends Rule> {
  rule: R;
  setting: ResolvedRuleSetting;
}

/**
 * Lints a migration set: files in name order, each statement seeing the schema built by
 * everything before it; then the schema rules on the final schema. Excluded files still
 * shape the schema but report nothing.
 */
export function lintMigrationSet(files: readonly LintFile[], config: LintConfig = defaultConfig(), options: LintOptions = {}): Finding[] {
  const rules = options.rules ?? registry;
  const statementRules: ActiveRule<StatementRule>[] = [];
  const schemaRules: ActiveRule<SchemaRule>[] = [];
  for (const rule of rules) {
    const setting = ruleSetting(config, rule.id, rule.defaultSeverity);
    if (!setting) continue;
    if (rule.kind === 'statement') statementRules.push({ rule, setting });
    else schemaRules.push({ rule, setting });
  }
  const syntaxSetting = ruleSetting(config, SYNTAX_ERROR_RULE_ID, 'error');
  const state = createReplayState(options.baseSchema ? cloneSchema(options.baseSchema) : undefined);
  const findings: Finding[] = [];
  // What schema rules need per file; the parse is kept only where suppressions need it, so ASTs can be collected.
  const perFile = new Map<string, { parsed: ParsedSqlFile | undefined; suppressions: Suppressions | undefined; reported: boolean }>();
  // Explicit BEGIN … COMMIT spans (file offsets) per file, for schema rules' fixes.
  const transactionSpans = new Map<string, Array<[start: number, end: number]>>();

  for (const { file, text } of sortMigrationFiles(files)) {
    const parsed = options.cacheParses === false ? parseSql(text, { cache: false }) : parseCached(text);
    const reported = !isExcluded(config, file) && (options.onlyFile === undefined || options.onlyFile === file);
    const suppressions = reported ? collectSuppressions(text, parsed.lineIndex) : undefined;
    perFile.set(file, { parsed: suppressions ? parsed : undefined, suppressions, reported });
    const fileFindings: Finding[] = [];
    if (reported && syntaxSetting) {
      for (const e of parsed.errors) {
        fileFindings.push({ ruleId: SYNTAX_ERROR_RULE_ID, severity: syntaxSetting.severity, message: e.message, file, range: e.range });
      }
    }
    lintFile(state, file, parsed, reported ? statementRules : [], config, options, fileFindings, !isDownMigration(file), transactionSpans);
    fileFindings.sort((a, b) => a.range.startOffset - b.range.startOffset);
    for (const f of fileFindings) if (!isSuppressed(suppressions, parsed, f)) findings.push(f);
  }

  for (const { rule, setting } of schemaRules) {
    rule.check({
      schema: state.schema,
      options: setting.options,
      inTransactionAt: (file, offset) =>
        (options.inTransaction ?? isTransactionalFile(config, file)) ||
        (transactionSpans.get(file) ?? []).some(([start, end]) => offset >= start && offset <= end),
      report: (r) => {
        const target = perFile.get(r.file);
        if (!target?.reported) return;
        const finding = toFinding(rule.id, setting.severity, r.file, r);
        if (!isSuppressed(target.suppressions, target.parsed, finding)) findings.push(finding);
      },
    });
  }
  return findings;
}

function lintFile(
  state: ReplayState,
  file: string,
  parsed: ParsedSqlFile,
  rules: ActiveRule<StatementRule>[],
  config: LintConfig,
  options: LintOptions,
  out: Finding[],
  replay: boolean,
  transactionSpans: Map<string, Array<[start: number, end: number]>>,
): void {
  const createdHere = new Set<string>();
  // Few statements ask (CREATE INDEX CONCURRENTLY…): the config's path matching runs on first use.
  let fileTransactional: boolean | undefined;
  const inFileTransaction = (): boolean => (fileTransactional ??= options.inTransaction ?? isTransactionalFile(config, file));
  let explicitTransaction = false;
  let lockTimeoutSet = false;
  // What lock_timeout reverts to at COMMIT (SET LOCAL ends) and ROLLBACK (every SET in it is undone).
  let lockTimeoutAtCommit = false;
  let lockTimeoutAtBegin = false;
  const isExistingTable = (schema: string | undefined, name: string): boolean =>
    !createdHere.has(tableKey(schema ?? state.defaultSchema, name));

  for (const statement of parsed.statements) {
    if (!statement.ast) continue;
    if (rules.length > 0) {
      // One context per statement; options and report are swapped per rule (rules run synchronously).
      let current = rules[0];
      const context: StatementContext = {
        file,
        text: parsed.text,
        statement,
        statements: parsed.statements,
        schema: state.schema,
        isExistingTable,
        table: (rel) => resolveTable(state, rel),
        get inTransaction() {
          return inFileTransaction() || explicitTransaction;
        },
        lockTimeoutSet,
        migration: options.migration ?? true,
        direction: replay ? 'up' : 'down',
        postgresVersion: config.postgresVersion,
        options: current.setting.options,
        report: (r: Report) => out.push(toFinding(current.rule.id, current.setting.severity, file, r)),
      };
      for (const active of rules) {
        current = active;
        context.options = active.setting.options;
        try {
          active.rule.check(context);
        } catch (e) {
          out.push(ruleCrash(active.rule.id, file, statement, e));
        }
      }
    }
    const tx = statement.ast.TransactionStmt?.kind as string | undefined;
    if ((tx === 'TRANS_STMT_BEGIN' || tx === 'TRANS_STMT_START') && !explicitTransaction) {
      explicitTransaction = true;
      lockTimeoutAtBegin = lockTimeoutAtCommit = lockTimeoutSet;
      const spans = transactionSpans.get(file) ?? [];
      spans.push([statement.range.startOffset, Infinity]);
      transactionSpans.set(file, spans);
    } else if ((tx === 'TRANS_STMT_COMMIT' || tx === 'TRANS_STMT_ROLLBACK') && explicitTransaction) {
      explicitTransaction = false;
      lockTimeoutSet = tx === 'TRANS_STMT_COMMIT' ? lockTimeoutAtCommit : lockTimeoutAtBegin;
      const spans = transactionSpans.get(file)!;
      spans[spans.length - 1][1] = statement.range.endOffset;
    }
    const set = statement.ast.VariableSetStmt;
    if (set?.name === 'lock_timeout') {
      lockTimeoutSet = set.kind === 'VAR_SET_VALUE' && !isZeroSetting(set.args?.[0]);
      // A session SET outlives COMMIT; SET LOCAL ends with the explicit transaction.
      if (!set.is_local) lockTimeoutAtCommit = lockTimeoutSet;
    }
    const effect = replay ? applyStatement(state, statement, file) : undefined;
    if (effect) {
      for (const key of effect.dropped) createdHere.delete(key);
      for (const [from, to] of effect.renamed) if (createdHere.delete(from)) createdHere.add(to);
      for (const key of effect.created) createdHere.add(key);
    }
  }
}

/**
 * `0001_x.down.sql` (golang-migrate, sqlx, …) undoes its `.up.sql`: it is linted against the
 * schema at that point but does not change it, or every later file would see tables dropped.
 */
const DOWN_MIGRATION = /(^|[/\\._-])down\.sql$/i;

export function isDownMigration(file: string): boolean {
  return DOWN_MIGRATION.test(file);
}

function isZeroSetting(arg: Record<string, any> | undefined): boolean {
  const c = arg?.A_Const;
  if (!c) return false;
  if (c.ival) return !c.ival.ival;
  if (c.fval) return Number(c.fval.fval) === 0;
  // '0', '0s', '0ms', '0 min': any unit of zero disables the timeout.
  return /^\s*0+(\.0*)?\s*(us|ms|s|min|h|d)?\s*$/i.test(c.sval?.sval ?? '');
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
  const tables = new Map<string, Table>();
  for (const [key, t] of schema.tables) {
    tables.set(key, {
      ...t,
      columns: t.columns.map((c) => ({ ...c })),
      primaryKey: t.primaryKey ? { ...t.primaryKey, columns: [...t.primaryKey.columns] } : undefined,
      indexes: t.indexes.map((i) => ({ ...i, columns: [...i.columns], include: [...i.include] })),
      foreignKeys: t.foreignKeys.map((f) => ({ ...f, columns: [...f.columns], refColumns: [...f.refColumns] })),
      ...(t.notNullChecks && { notNullChecks: t.notNullChecks.map((c) => ({ ...c })) }),
    });
  }
  return { tables };
}
