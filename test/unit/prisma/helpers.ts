import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEdits } from '../../../src/core/lint/apply-edits';
import { defaultConfig, parseConfig } from '../../../src/core/config';
import { lintPrismaSchema } from '../../../src/core/prisma/lint';
import type { Finding } from '../../../src/core/types';

export function fixture(name: string): string {
  return readFileSync(join(__dirname, '../../fixtures/prisma', name), 'utf8');
}

/** Findings of one rule only (others off), so each rule's table reads on its own. */
export function lintOnly(ruleId: string, text: string, file = 'schema.prisma'): Finding[] {
  const config = { ...defaultConfig(), rules: {} };
  return lintPrismaSchema(text, file, config).filter((f) => f.ruleId === ruleId || f.ruleId === 'syntax-error');
}

export function configWith(rules: Record<string, unknown>) {
  return parseConfig({ rules }, '/tmp/.pglens.json');
}

/** The text a finding's fix produces. */
export function fixed(text: string, finding: Finding): string {
  if (!finding.fix) throw new Error(`${finding.ruleId} has no fix`);
  return applyEdits(text, finding.fix.edits);
}

/** The source text a finding's range covers. */
export function at(text: string, finding: Finding): string {
  return text.slice(finding.range.startOffset, finding.range.endOffset);
}

export const DATASOURCE = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\n';
