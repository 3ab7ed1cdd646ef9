import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { applyEdits } from '../../../src/core/lint/apply-edits';
import { defaultConfig } from '../../../src/core/config';
import { lintMigrationSet } from '../../../src/core/lint/engine';
import type { Rule } from '../../../src/core/lint/rule';
import { loadSqlParser } from '../../../src/core/sql/parse';
import { createLineIndex } from '../../../src/core/sql/line-index';
import type { Finding } from '../../../src/core/types';

/**
 * ESLint-RuleTester-like tables for pglens rules. Each case lints `code` as a migration
 * file; `setup` is SQL of an earlier migration in the same set, so its tables are existing.
 * Lines and columns in expectations are 1-based; a string message matches as a substring.
 */
export interface ValidCase {
  code: string;
  /** Rule options, as `[severity, {options}]` in .pglens.json would give. */
  options?: Record<string, unknown>;
  /** The file runs inside a transaction (as a Prisma migration does). */
  inTransaction?: boolean;
  /** SQL of an earlier migration file in the same set. */
  setup?: string;
  /** Configured Postgres major version. */
  postgresVersion?: number;
  /** The file is a migration (default true); false lints it as a loose query file. */
  migration?: boolean;
  /** File name of the linted file (default `002_test.sql`). */
  file?: string;
  name?: string;
}

export interface ExpectedError {
  message?: RegExp | string;
  severity?: Finding['severity'];
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedError[];
  /** The text after applying every finding's fix; `null` asserts that no finding has a fix. */
  output?: string | null;
}

export interface RuleTests {
  valid: Array<string | ValidCase>;
  invalid: InvalidCase[];
}

const SETUP_FILE = '001_setup.sql';
const DEFAULT_FILE = '002_test.sql';

/** Runs one case through the real engine and returns the rule's findings in the linted file. */
export function lintCase(rule: Rule, c: ValidCase): Finding[] {
  const file = c.file ?? DEFAULT_FILE;
  const config = defaultConfig('/');
  config.postgresVersion = c.postgresVersion ?? config.postgresVersion;
  config.rules[rule.id] = { severity: rule.defaultSeverity === 'off' ? 'warning' : rule.defaultSeverity, options: c.options ?? {} };
  const files = c.setup !== undefined ? [{ file: SETUP_FILE, text: c.setup }, { file, text: c.code }] : [{ file, text: c.code }];
  return lintMigrationSet(files, config, { rules: [rule], inTransaction: c.inTransaction, onlyFile: file, migration: c.migration })
    .filter((f) => f.ruleId === rule.id)
    .sort((a, b) => a.range.startOffset - b.range.startOffset);
}

function title(c: ValidCase): string {
  return c.name ?? c.code.replace(/\s+/g, ' ').slice(0, 90);
}

function describeFindings(findings: Finding[]): string {
  return findings.map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1} ${f.message}`).join('\n  ') || '(none)';
}

export function runRuleTests(rule: Rule, tests: RuleTests): void {
  describe(`rule ${rule.id}`, () => {
    before(() => loadSqlParser());

    it('has a docs page', () => {
      assert.ok(existsSync(join(__dirname, '../../../docs/rules', `${rule.id}.md`)), `docs/rules/${rule.id}.md is missing`);
    });

    describe('valid', () => {
      for (const raw of tests.valid) {
        const c = typeof raw === 'string' ? { code: raw } : raw;
        it(title(c), () => {
          const findings = lintCase(rule, c);
          assert.equal(findings.length, 0, `expected no findings, got:\n  ${describeFindings(findings)}`);
        });
      }
    });

    describe('invalid', () => {
      for (const c of tests.invalid) {
        it(title(c), () => {
          const findings = lintCase(rule, c);
          assert.equal(findings.length, c.errors.length, `expected ${c.errors.length} finding(s), got:\n  ${describeFindings(findings)}`);
          c.errors.forEach((expected, i) => {
            const f = findings[i];
            if (expected.message instanceof RegExp) assert.match(f.message, expected.message);
            else if (expected.message !== undefined) assert.ok(f.message.includes(expected.message), `message "${f.message}" lacks "${expected.message}"`);
            if (expected.severity !== undefined) assert.equal(f.severity, expected.severity, `severity of finding ${i + 1}`);
            if (expected.line !== undefined) assert.equal(f.range.start.line + 1, expected.line, `line of finding ${i + 1}`);
            if (expected.column !== undefined) assert.equal(f.range.start.character + 1, expected.column, `column of finding ${i + 1}`);
            if (expected.endLine !== undefined) assert.equal(f.range.end.line + 1, expected.endLine, `end line of finding ${i + 1}`);
            if (expected.endColumn !== undefined) assert.equal(f.range.end.character + 1, expected.endColumn, `end column of finding ${i + 1}`);
            assert.ok(f.range.endOffset > f.range.startOffset, 'a finding must underline something');
          });
          if (c.output === null) {
            assert.ok(findings.every((f) => !f.fix), 'expected no fix');
          } else if (c.output !== undefined) {
            const edits = findings.flatMap((f) => f.fix?.edits ?? []);
            assert.ok(edits.length > 0, 'expected a fix');
            // Editors apply edits by line and character: those must say what the offsets say.
            const lines = createLineIndex(c.code);
            for (const e of edits) {
              assert.deepEqual([e.range.start, e.range.end], [lines.positionAt(e.range.startOffset), lines.positionAt(e.range.endOffset)], `positions of the edit at ${e.range.startOffset}`);
            }
            assert.equal(applyEdits(c.code, edits), c.output);
          }
        });
      }
    });
  });
}
