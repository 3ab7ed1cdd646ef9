import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { lintCodeFile } from '../../../src/core/app-code/lint-code-file';
import { prismaModelIndex } from '../../../src/core/app-code/prisma-models';
import type { AppCodeRule } from '../../../src/core/app-code/rule';
import { applyEdits } from '../../../src/core/lint/apply-edits';
import { defaultConfig } from '../../../src/core/config';
import { parsePrismaSchema } from '../../../src/core/prisma/parse';
import type { Finding } from '../../../src/core/types';

/**
 * The application-code twin of test/unit/lint/rule-tester.ts: each case lints `code` as a
 * TypeScript file (or `file`) with only the rule under test on; `prisma` is the text of a
 * schema.prisma the project has. Lines and columns are 1-based; a string message matches as a substring.
 */
export interface CodeCase {
  code: string;
  name?: string;
  file?: string;
  prisma?: string;
}

export interface ExpectedError {
  message?: RegExp | string;
  line?: number;
  column?: number;
  endColumn?: number;
}

export interface InvalidCodeCase extends CodeCase {
  errors: ExpectedError[];
  /** The text after applying every finding's fix; `null` asserts that no finding has a fix. */
  output?: string | null;
}

export function lintCase(rule: AppCodeRule, c: CodeCase): Finding[] {
  const config = defaultConfig('/');
  config.rules[rule.id] = { severity: 'warning', options: {} };
  const prisma = c.prisma ? prismaModelIndex(parsePrismaSchema(c.prisma, 'schema.prisma')) : undefined;
  const result = lintCodeFile(c.file ?? '/src/case.ts', c.code, config, { prisma });
  assert.equal(result.parseError, undefined, `the case does not parse: ${result.parseError?.message}`);
  return result.findings.filter((f) => f.ruleId === rule.id);
}

function title(c: CodeCase): string {
  return c.name ?? c.code.replace(/\s+/g, ' ').slice(0, 90);
}

function describeFindings(findings: Finding[]): string {
  return findings.map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1} ${f.message}`).join('\n  ') || '(none)';
}

export function runCodeRuleTests(rule: AppCodeRule, tests: { valid: CodeCase[]; invalid: InvalidCodeCase[] }, label = `rule ${rule.id}`): void {
  describe(label, () => {
    it('has a docs page', () => {
      assert.ok(existsSync(join(__dirname, '../../../docs/rules', `${rule.id}.md`)), `docs/rules/${rule.id}.md is missing`);
    });
    describe('valid', () => {
      for (const c of tests.valid) {
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
            if (expected.line !== undefined) assert.equal(f.range.start.line + 1, expected.line, `line of finding ${i + 1}`);
            if (expected.column !== undefined) assert.equal(f.range.start.character + 1, expected.column, `column of finding ${i + 1}`);
            if (expected.endColumn !== undefined) assert.equal(f.range.end.character + 1, expected.endColumn, `end column of finding ${i + 1}`);
            assert.ok(f.range.endOffset > f.range.startOffset, 'a finding must underline something');
          });
          if (c.output === null) assert.ok(findings.every((f) => !f.fix), 'expected no fix');
          else if (c.output !== undefined) {
            const edits = findings.flatMap((f) => f.fix?.edits ?? []);
            assert.ok(edits.length > 0, 'expected a fix');
            assert.equal(applyEdits(c.code, edits), c.output);
          }
        });
      }
    });
  });
}
