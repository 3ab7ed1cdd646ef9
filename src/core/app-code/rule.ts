import type { File } from '@babel/types';
import type { LineIndex } from '../sql/line-index';
import type { RuleDocs, Report } from '../lint/rule';
import type { SeveritySetting } from '../types';
import type { AppCodeAnalysis } from './analyze';
import type { PrismaModelIndex } from './prisma-models';

/**
 * A rule over application code (TypeScript/JavaScript): the same shape as the SQL rules
 * (src/core/lint/rule.ts) — id, default severity, docs, check — over one parsed code file.
 */
export interface AppCodeContext {
  file: string;
  text: string;
  ast: File;
  lines: LineIndex;
  analysis: AppCodeAnalysis;
  /** The project's Prisma models and relations, when it has a schema.prisma. */
  prisma?: PrismaModelIndex;
  report(report: Report): void;
}

export interface AppCodeRule {
  id: string;
  defaultSeverity: SeveritySetting;
  docs: RuleDocs;
  fixable?: boolean;
  check(context: AppCodeContext): void;
}
