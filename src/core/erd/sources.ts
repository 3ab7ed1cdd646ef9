import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ruleSetting, type PglensConfig } from '../config';
import { lintParts, migrationParts, parsePart, type LintPart } from '../lint/engine';
import { isMigrationSet, runnerSetsUnder, type RunnerSet } from '../lint/migration-lint';
import { hasPrimaryKey } from '../schema/primary-key';
import { unindexedForeignKeys } from '../schema/foreign-key-indexes';
import { isFloatType, isMoneyColumnName } from '../schema/money-columns';
import { rules as lintRules } from '../lint/rules';
import { lintPrismaDocument } from '../prisma/lint';
import { parsePrismaFiles } from '../prisma/parse';
import { prismaRules } from '../prisma/rules';
import { prismaFilesUnder, prismaSchemaFiles } from '../prisma/schema-files';
import { prismaToSchema } from '../prisma/to-schema';
import { applyStatement, createReplayState, endPart } from '../schema/replay';
import type { SchemaModel, Table } from '../schema/model';
import { liveSchema } from '../health/live-schema';
import type { CatalogSnapshot } from '../health/catalog';
import { buildDiagram, type DiagramFinding, type DiagramModel, type DiagramSourceKind } from './diagram';

/**
 * Where a workspace's diagrams come from: each migration set (read as `pglens lint` reads it,
 * src/core/migrations, and replayed as the linter replays it), each Prisma schema, and — added
 * by the caller, which owns the connection — the live catalog (liveDiagram).
 */
export interface DiagramSource {
  /** Stable across scans: `migrations:<folder>` or `prisma:<file>`, relative to the root. */
  id: string;
  kind: DiagramSourceKind;
  /** For the picker: `migrations/`, `prisma/schema.prisma`. */
  label: string;
  load(): DiagramModel;
}

/** The rules whose findings the diagram shows on tables (those that speak of a table's design). */
export const DIAGRAM_RULE_IDS: readonly string[] = [
  'missing-primary-key',
  'fk-without-index',
  'money-as-float',
  'rls-enabled-without-policy',
  'policy-without-rls',
  'rls-policy-always-true',
  'tenant-table-without-rls',
];

export interface SourceOptions {
  config: PglensConfig;
  /** Text of an absolute path before the disk is tried (unsaved editor documents). */
  read?: (file: string) => string | undefined;
}

/** Migration sets first (in folder order), then Prisma schemas. The SQL parser must be loaded before a migrations source loads. */
export function findDiagramSources(root: string, options: SourceOptions): DiagramSource[] {
  const read = readerOf(options.read);
  const display = (f: string): string => path.relative(root, f).split(path.sep).join('/');
  const out: DiagramSource[] = [];
  for (const rs of runnerSetsUnder(root, { config: options.config, read: options.read })) {
    if (!isMigrationSet(rs, options.config)) continue;
    const folder = path.join(rs.root, ...rs.set.folder.split('/').filter(Boolean));
    const label = `${display(folder) || '.'}/`;
    out.push({ id: `migrations:${label}`, kind: 'migrations', label, load: () => migrationsDiagram(rs, read, options.config, label) });
  }
  const seen = new Set<string>();
  for (const file of prismaFilesUnder(root)) {
    if (seen.has(file)) continue;
    const files = prismaSchemaFiles(file);
    for (const f of files) seen.add(f);
    const texts = files.map((f) => ({ file: f, text: read(f) ?? '' }));
    if (!texts.some((t) => /^\s*model\s+\w+/m.test(t.text))) continue;
    const label = files.length > 1 ? `${display(path.dirname(file))}/` : display(file);
    out.push({ id: `prisma:${label}`, kind: 'prisma', label, load: () => prismaDiagram(files.map((f) => ({ file: f, text: read(f) ?? '' })), options.config, label) });
  }
  return out;
}

function readerOf(read: SourceOptions['read']): (file: string) => string | undefined {
  return (file) => {
    const open = read?.(file);
    if (open !== undefined) return open;
    try {
      return existsSync(file) && statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  };
}

/** A migration set replayed (ups in the runner's order), with the findings of the diagram's rules on its tables. */
export function migrationsDiagram(rs: RunnerSet, read: (file: string) => string | undefined, config: PglensConfig, label: string): DiagramModel {
  const abs = (f: string): string => path.join(rs.root, ...f.split('/').filter(Boolean));
  const parts = migrationParts(rs.set, (f) => read(abs(f)) ?? '', abs);
  return partsDiagram(parts, config, label);
}

/** The diagram of migration parts (what migrationsDiagram reads from disk): replay for the model, the lint engine for the findings. */
export function partsDiagram(parts: readonly LintPart[], config: PglensConfig, label: string): DiagramModel {
  const state = createReplayState();
  let errors = 0;
  const withErrors = new Set<string>();
  for (const part of parts) {
    if (part.direction !== 'up') continue;
    const parsed = parsePart(part, true);
    if (parsed.errors.length > 0) {
      errors += parsed.errors.length;
      withErrors.add(path.basename(part.file));
    }
    for (const statement of parsed.statements) if (statement.ast) applyStatement(state, statement, part.file);
    if (part.transaction !== 'all-pending') endPart(state);
  }
  const rules = lintRules.filter((r) => DIAGRAM_RULE_IDS.includes(r.id));
  const findings = lintParts(parts, config, { rules }).filter((f) => DIAGRAM_RULE_IDS.includes(f.ruleId));
  const notes: string[] = [];
  if (errors > 0) {
    const names = [...withErrors].slice(0, 3).join(', ') + (withErrors.size > 3 ? ', …' : '');
    notes.push(`${errors} syntax error${errors === 1 ? '' : 's'} in ${names}: the statements that failed to parse are not in the diagram.`);
  }
  return buildDiagram(state.schema, { source: { kind: 'migrations', label }, findings, notes });
}

/** A Prisma schema (one file or a schema folder): models as tables, implicit many-to-many as N:M, the Prisma rules' findings. */
export function prismaDiagram(files: { file: string; text: string }[], config: PglensConfig, label: string): DiagramModel {
  const doc = parsePrismaFiles(files);
  const prisma = prismaToSchema(doc);
  const prismaRuleSet = prismaRules.filter((r) => DIAGRAM_RULE_IDS.includes(r.id));
  const findings = lintPrismaDocument(doc, config, prismaRuleSet).filter((f) => DIAGRAM_RULE_IDS.includes(f.ruleId));
  const notes: string[] = [];
  const broken = [...doc.diagnostics, ...prisma.diagnostics];
  if (broken.length > 0) {
    const first = broken[0];
    notes.push(`${path.basename(first.file)}:${first.range.start.line + 1}: ${first.message}${broken.length > 1 ? ` (and ${broken.length - 1} more)` : ''}`);
  }
  const modelOf = new Map<Table, (typeof doc.models)[number]>();
  for (const [model, table] of prisma.tableOf) modelOf.set(table, model);
  // relationMode = "prisma": the database has no foreign keys, but the model's relations are the
  // design the picture is about — drawn from the schema, and said so.
  const emulated = prisma.relations.filter((r) => r.emulated);
  for (const r of emulated) prisma.tableOf.get(r.model)?.foreignKeys.push(r.foreignKey);
  if (emulated.length > 0) {
    notes.push(`relationMode = "prisma": the ${emulated.length} relation${emulated.length === 1 ? ' is' : 's are'} drawn from the schema; the database has no foreign key for ${emulated.length === 1 ? 'it' : 'them'} (Prisma checks them itself)`);
  }
  return buildDiagram(prisma.schema, {
    source: { kind: 'prisma', label },
    findings,
    notes,
    implicitJoinTables: new Set(prisma.joinTables.map((j) => `${j.table.schema}.${j.table.name}`)),
    tableDefinition: (table) => {
      const model = modelOf.get(table);
      return model ? { file: model.file, range: model.headerRange } : undefined;
    },
    tableExtent: (table) => {
      const model = modelOf.get(table);
      if (!model) return undefined;
      return { file: model.file, start: model.headerRange.startOffset, end: model.closeOffset + 1 };
    },
  });
}

/**
 * The live catalog's diagram (columns must have been read: `includeColumns`). The catalog has
 * no source locations: findings come from the rules' own predicates, as the health view's do,
 * with the severity the workspace configures.
 */
export function liveDiagram(snapshot: CatalogSnapshot, label: string, config?: PglensConfig): DiagramModel {
  const schema = liveSchema(snapshot);
  return buildDiagram(schema, { source: { kind: 'live', label }, tableFindings: liveFindings(schema, config) });
}

function liveFindings(schema: SchemaModel, config: PglensConfig | undefined): Map<string, DiagramFinding[]> {
  const severity = (id: string): DiagramFinding['severity'] | undefined => {
    const rule = lintRules.find((r) => r.id === id);
    if (!rule) return undefined;
    return config ? ruleSetting(config, id, rule.defaultSeverity)?.severity : rule.defaultSeverity === 'off' ? undefined : rule.defaultSeverity;
  };
  const out = new Map<string, DiagramFinding[]>();
  const pk = severity('missing-primary-key');
  const fk = severity('fk-without-index');
  const money = severity('money-as-float');
  for (const [id, table] of schema.tables) {
    const list: DiagramFinding[] = [];
    if (pk && !table.temporary && !table.unlogged && !hasPrimaryKey(table)) {
      list.push({ ruleId: 'missing-primary-key', severity: pk, message: `table ${table.name} has no primary key`, hasFix: false });
    }
    if (fk) {
      for (const key of unindexedForeignKeys(table)) {
        const cols = key.columns.join(', ');
        list.push({ ruleId: 'fk-without-index', severity: fk, message: `foreign key ${table.name}(${cols}) → ${key.refTable} has no index on (${cols})`, hasFix: false });
      }
    }
    if (money) {
      for (const c of table.columns) {
        if (isFloatType(c.type) && isMoneyColumnName(c.name)) list.push({ ruleId: 'money-as-float', severity: money, message: `"${c.name}" is ${c.type}: money in binary floating point`, hasFix: false });
      }
    }
    if (list.length > 0) out.set(id, list);
  }
  return out;
}
