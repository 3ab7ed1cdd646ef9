import { defaultConfig, ruleSetting, type PglensConfig } from '../config';
import { collectSuppressions, isSuppressed, PRISMA_COMMENTS } from '../lint/suppressions';
import { createLineIndex, type LineIndex } from '../sql/line-index';
import type { Finding } from '../types';
import type { PrismaDocument, PrismaSourceFile } from './ast';
import { parsePrismaFiles } from './parse';
import type { PrismaRule } from './prisma-rule';
import { prismaRules } from './rules';
import { prismaToSchema } from './to-schema';

/**
 * Lints a schema.prisma with the rule ids of docs/rules/ (index: docs/rules/README.md). A syntax error yields that one finding
 * and nothing else (half-typed models are the normal state of a file being edited).
 */
export function lintPrismaSchema(text: string, file: string, config: PglensConfig = defaultConfig()): Finding[] {
  return lintPrismaFiles([{ file, text }], config);
}

/** A multi-file schema (`prisma/schema/*.prisma`), linted as one: relations cross files. */
export function lintPrismaFiles(files: PrismaSourceFile[], config: PglensConfig = defaultConfig(), rules: readonly PrismaRule[] = prismaRules): Finding[] {
  return lintPrismaDocument(parsePrismaFiles(files), config, rules);
}

/**
 * The datasource provider when it is not PostgreSQL (`mysql`, `sqlite`, `mongodb`,
 * `cockroachdb`…): the rules speak of Postgres types, locks and indexes, and their fixes
 * (`@db.Timestamptz`, `@db.Uuid`) do not exist there. No datasource (a file of a schema folder
 * linted alone) counts as PostgreSQL.
 */
export function unsupportedProvider(doc: PrismaDocument): string | undefined {
  const provider = doc.datasource?.provider;
  return provider === undefined || provider === 'postgresql' || provider === 'postgres' ? undefined : provider;
}

/** Lints an already parsed document (the editor parses once for diagnostics and lenses). */
export function lintPrismaDocument(doc: PrismaDocument, config: PglensConfig = defaultConfig(), rules: readonly PrismaRule[] = prismaRules): Finding[] {
  if (doc.diagnostics.length > 0) return sortFindings(doc, [...doc.diagnostics]);
  if (unsupportedProvider(doc) !== undefined) return [];
  const schema = prismaToSchema(doc);
  const findings: Finding[] = [...schema.diagnostics];
  const indexes = new Map<string, LineIndex>();
  const lines = (file: string): LineIndex => {
    let index = indexes.get(file);
    if (!index) {
      index = createLineIndex(doc.files.find((f) => f.file === file)?.text ?? '');
      indexes.set(file, index);
    }
    return index;
  };
  const suppressions = new Map(doc.files.map((f) => [f.file, collectSuppressions(f.text, lines(f.file), PRISMA_COMMENTS)]));
  for (const rule of rules) {
    const setting = ruleSetting(config, rule.id, rule.defaultSeverity);
    if (!setting) continue;
    rule.check({
      doc,
      schema,
      lines,
      options: setting.options,
      report: (r) => {
        const finding: Finding = { ruleId: rule.id, severity: setting.severity, message: r.message, file: r.file, range: r.range };
        if (r.fix) finding.fix = r.fix;
        if (!isSuppressed(suppressions.get(r.file), undefined, finding)) findings.push(finding);
      },
    });
  }
  return sortFindings(doc, findings);
}

function sortFindings(doc: PrismaDocument, findings: Finding[]): Finding[] {
  const order = new Map(doc.files.map((f, i) => [f.file, i]));
  return findings.sort(
    (a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.range.startOffset - b.range.startOffset || a.ruleId.localeCompare(b.ruleId),
  );
}
