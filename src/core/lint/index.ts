/** The lint engine's public API: what the CLI and the editor call. */
export { lintSqlFile, lintMigrationSet, lintMigrations, lintParts, sortMigrationFiles, parseCached, type LintFile, type LintPart, type LintOptions } from './engine';
export { lintFileInContext, lintRunnerSet, runnerSetForFile, runnerSetsUnder, type RunnerSet } from './migration-lint';
export { findingActions, type FindingAction } from './actions';
export { suppressFileEdit, suppressLineEdit, collectSuppressions } from './suppressions';
export { applyEdits } from './apply-edits';
export { rules } from './rules';
export { ALL_RULE_IDS, SYNTAX_ERROR_RULE_ID } from './rule-ids';
export { loadSqlParser as loadLintEngine } from '../sql/parse';
export type { Rule, StatementRule, SchemaRule, StatementContext, SchemaContext, Report } from './rule';
