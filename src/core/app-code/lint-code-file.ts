import { isExcluded, ruleSetting, type PglensConfig } from '../config';
import { lintSqlFile } from '../lint/engine';
import { SYNTAX_ERROR_RULE_ID } from '../lint/rule-ids';
import { CODE_COMMENTS, collectSuppressions, isSuppressed, type Suppressions } from '../lint/suppressions';
import { findEmbeddedSql } from '../sql/embedded';
import { createLineIndex, type LineIndex } from '../sql/line-index';
import { isSqlParserLoaded } from '../sql/parse';
import type { Finding, SourceRange } from '../types';
import type { SchemaModel } from '../schema/model';
import { analyzeAppCode } from './analyze';
import { tooLargeReason } from './code-files';
import { isStackOverflow, parseCode } from './parse';
import type { PrismaModelIndex } from './prisma-models';
import { appCodeRules } from './rules';

/**
 * Every receiver db-calls.ts recognises has one of these in its name, import, initialiser or type
 * (prisma, db, tx, pool, client, sql, knex, repository, manager, em, Kysely, DataSource, drizzle,
 * postgres, neon, …), and Kysely's raw query ends in `.execute(`: a file without any cannot query.
 */
const MAY_QUERY = /prisma|db|tx|client|conn|pool|pg|knex|sql|repo|manager|\bem\b|_em\b|kysely|datasource|drizzle|postgres|neon|database|transaction|execute/i;


export interface CodeLintOptions {
  /** The project's Prisma models (PrismaModelCache.forCodeFile), for the include rewrite. */
  prisma?: PrismaModelIndex;
  /** Keep SQL parses for re-linting the same templates (the editor); the CLI passes false. */
  cacheParses?: boolean;
  /** The workspace's replayed migrations the SQL runs against (LintOptions.workspaceSchema). */
  workspaceSchema?: SchemaModel;
}

export interface CodeLintResult {
  /** Findings of the code rules and of the SQL rules on the SQL template literals, by position. */
  findings: Finding[];
  /**
   * The file did not parse as TypeScript/JavaScript (half-typed code): the code rules found
   * nothing new; the editor keeps their last findings. SQL template findings are still there.
   */
  parseError?: { message: string; range: SourceRange };
  /** Why the file was not read at all (too large, minified). */
  skipped?: string;
}

/**
 * Lints one application code file: the code rules (n-plus-one-query) on its syntax tree, and
 * the SQL rules on the SQL in its tagged template literals, with positions in the file. Used
 * by `pglens lint` and by the editor alike. SQL findings need the SQL parser loaded.
 */
/** Why a file whose parse or analysis overflowed the stack is skipped. */
export const TOO_DEEP = 'too deeply nested to analyse';

export function lintCodeFile(file: string, text: string, config: PglensConfig, options: CodeLintOptions = {}): CodeLintResult {
  try {
    return lintCodeFileUnguarded(file, text, config, options);
  } catch (e) {
    // The parser and the walks recurse per nesting level: generated code (a 1,000-link builder
    // chain, 2,000 `+` strings) can exhaust the stack. One such file must not abort the run.
    if (isStackOverflow(e)) return { findings: [], skipped: TOO_DEEP };
    throw e;
  }
}

function lintCodeFileUnguarded(file: string, text: string, config: PglensConfig, options: CodeLintOptions): CodeLintResult {
  const skipped = tooLargeReason(text);
  if (skipped) return { findings: [], skipped };
  if (isExcluded(config, file)) return { findings: [] };
  const lines = createLineIndex(text);
  const suppressions = collectSuppressions(text, lines, CODE_COMMENTS);
  const findings = isSqlParserLoaded() ? lintTemplates(file, text, lines, config, options.cacheParses !== false, suppressions, options.workspaceSchema) : [];
  // No name a database client can go by (src/core/app-code/db-calls.ts): nothing to analyse, so
  // the file is not parsed at all (most UI and utility modules of a monorepo).
  if (!MAY_QUERY.test(text)) return { findings };
  const parsed = parseCode(file, text);
  if (!parsed.ok) {
    const at = lines.offsetAt({ line: parsed.line, character: parsed.column });
    return { findings, parseError: { message: parsed.message, range: lines.rangeOf(at, at) } };
  }
  const active = appCodeRules.map((r) => ({ rule: r, setting: ruleSetting(config, r.id, r.defaultSeverity) })).filter((a) => a.setting);
  if (active.length > 0) {
    const analysis = analyzeAppCode(parsed.ast, text);
    for (const { rule, setting } of active) {
      rule.check({
        file,
        text,
        ast: parsed.ast,
        lines,
        analysis,
        prisma: options.prisma,
        report: (r) => {
          const finding: Finding = { ruleId: rule.id, severity: setting!.severity, message: r.message, file, range: r.range, ...(r.fix && { fix: r.fix }) };
          if (!isSuppressed(suppressions, undefined, finding)) findings.push(finding);
        },
      });
    }
  }
  findings.sort((a, b) => a.range.startOffset - b.range.startOffset || a.ruleId.localeCompare(b.ruleId));
  return { findings };
}

/**
 * The SQL rules on the file's SQL template literals (src/core/sql/embedded.ts, which the
 * editor's Explain lenses use too): the templates' SQL joined into one text, each ending with
 * `;`, linted once, and every range mapped back to the file's offsets, lines and columns
 * (a text of the file's length with the code blanked costs 8× more to parse). Templates that
 * are not whole statements (`Prisma.sql` fragments, a drizzle `sql` condition) are skipped, not
 * errors. `// pglens-ignore rule` in the code silences the template on its line or the next.
 */
function lintTemplates(
  file: string,
  text: string,
  lines: LineIndex,
  config: PglensConfig,
  cacheParses: boolean,
  suppressions: Suppressions | undefined,
  workspaceSchema: SchemaModel | undefined,
): Finding[] {
  const embedded = findEmbeddedSql(text).sort((a, b) => a.contentStart - b.contentStart);
  if (embedded.length === 0) return [];
  /** [offset in the joined SQL, offset in the file, length] per template. */
  const pieces: Array<[number, number, number]> = [];
  let sql = '';
  let end = 0;
  for (const e of embedded) {
    // A template nested in another's substitution is inside the outer one's text: left out.
    if (e.contentStart < end) continue;
    pieces.push([sql.length, e.contentStart, e.sql.length]);
    sql += `${e.sql};\n`;
    end = e.contentStart + e.sql.length;
  }
  const toFile = (offset: number): number => {
    let lo = 0;
    for (let i = 0; i < pieces.length; i++) if (pieces[i][0] <= offset) lo = i;
    const [at, fileAt, length] = pieces[lo];
    return fileAt + Math.min(offset - at, length);
  };
  const mapRange = (r: SourceRange): SourceRange => lines.rangeOf(toFile(r.startOffset), toFile(r.endOffset));
  const out: Finding[] = [];
  for (const f of lintSqlFile(file, sql, config, { migration: false, cacheParses, ...(workspaceSchema && { workspaceSchema }) })) {
    if (f.ruleId === SYNTAX_ERROR_RULE_ID) continue;
    const mapped: Finding = { ...f, range: mapRange(f.range) };
    if (f.fix) mapped.fix = { title: f.fix.title, edits: f.fix.edits.map((e) => ({ range: mapRange(e.range), newText: e.newText })) };
    if (!isSuppressed(suppressions, undefined, mapped)) out.push(mapped);
  }
  return out;
}
