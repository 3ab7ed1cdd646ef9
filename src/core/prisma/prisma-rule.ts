import type { LineIndex } from '../sql/line-index';
import type { Fix, SeveritySetting, SourceRange } from '../types';
import type { PrismaDocument } from './ast';
import type { PrismaSchema } from './to-schema';

/**
 * A lint rule on a Prisma schema: the Prisma face of the SQL rule with the same id (one file
 * per rule in `rules/`, sharing that rule's predicates and default severity), reporting on the
 * field or attribute it is about, with fixes that edit the schema text.
 */
export interface PrismaReport {
  file: string;
  range: SourceRange;
  message: string;
  fix?: Fix;
}

export interface PrismaRuleContext {
  doc: PrismaDocument;
  schema: PrismaSchema;
  /** Offsets ↔ positions of a file of the document, for building fix ranges. */
  lines(file: string): LineIndex;
  /** Rule options from config (`[severity, {options}]`); empty when none. */
  options: Record<string, unknown>;
  report(report: PrismaReport): void;
}

export interface PrismaRule {
  id: string;
  defaultSeverity: SeveritySetting;
  /** Some of its reports carry a fix (an edit of the schema text). */
  fixable?: boolean;
  check(context: PrismaRuleContext): void;
}
