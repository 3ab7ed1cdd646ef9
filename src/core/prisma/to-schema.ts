import { emptySchema, tableKey, type Column, type ForeignKey, type Index, type IndexKeyOptions, type SchemaModel, type Table } from '../schema/model';
import type { Finding, SourceRange } from '../types';
import {
  argument,
  blockAttributes,
  fieldAttribute,
  fieldList,
  functionName,
  stringValue,
  type PrismaAttribute,
  type PrismaDocument,
  type PrismaEnum,
  type PrismaField,
  type PrismaModel,
} from './ast';
import { columnType, isScalarType } from './column-type';
import { foreignKeyName, indexName, primaryKeyName } from './constraint-names';

/**
 * Prisma schema → SchemaModel, the same model the SQL side builds by replaying migrations:
 * the tables, columns, keys, indexes and foreign keys `prisma migrate` would create, under
 * their real (mapped) names, each with a SourceRef on the field or attribute it came from.
 * The origins maps lead back from a SchemaModel object to the Prisma text, for fixes.
 */
export interface PrismaRelation {
  /** The model whose table holds the foreign key (the side with `fields:`/`references:`). */
  model: PrismaModel;
  /** The relation field carrying `@relation(fields: …, references: …)`. */
  field: PrismaField;
  attribute: PrismaAttribute;
  scalarFields: PrismaField[];
  referencedModel: PrismaModel;
  referencedFields: PrismaField[];
  foreignKey: ForeignKey;
  /** `relationMode = "prisma"`: Prisma emulates the relation, the database has no foreign key. */
  emulated: boolean;
}

/** An implicit many-to-many relation: Prisma's `_AToB` join table with columns A and B. */
export interface JoinTable {
  table: Table;
  /** The model column A references (first by name) and its list field; likewise B. */
  a: { model: PrismaModel; field: PrismaField };
  b: { model: PrismaModel; field: PrismaField };
}

export interface PrismaSchema {
  schema: SchemaModel;
  relations: PrismaRelation[];
  joinTables: JoinTable[];
  tableOf: Map<PrismaModel, Table>;
  columnOrigins: Map<Column, { model: PrismaModel; field: PrismaField }>;
  indexOrigins: Map<Index, { model: PrismaModel; attribute: PrismaAttribute; field?: PrismaField }>;
  /** Unknown types and references to fields that do not exist (ruleId `syntax-error`). */
  diagnostics: Finding[];
}

export function prismaToSchema(doc: PrismaDocument): PrismaSchema {
  return new SchemaBuilder(doc).build();
}

/** The database name of a field: `@map("…")`, else its name. */
export function columnName(field: PrismaField): string {
  return stringValue(argument(fieldAttribute(field, 'map'), 'name', 0)) ?? field.name;
}

/** The table name of a model: `@@map("…")`, else its name. */
export function tableName(model: PrismaModel): string {
  return stringValue(argument(blockAttributes(model, 'map')[0], 'name', 0)) ?? model.name;
}

/** The Postgres schema of a model: `@@schema("…")` (multiSchema), else `public`. */
export function schemaName(model: PrismaModel): string {
  return stringValue(argument(blockAttributes(model, 'schema')[0], 'name', 0)) ?? 'public';
}

/** Whether a field is a relation (its type is a model or a view of the document: views take part in relations too). */
export function isRelationField(doc: PrismaDocument, field: PrismaField): boolean {
  return doc.models.some((m) => m.name === field.type);
}

/** The relation name of a relation field: `@relation("Name")` or `@relation(name: "Name")`. */
export function relationName(field: PrismaField): string | undefined {
  return stringValue(argument(fieldAttribute(field, 'relation'), 'name', 0));
}

const CLIENT_GENERATED = new Set(['uuid', 'cuid', 'nanoid', 'ulid']);

class SchemaBuilder {
  private readonly result: PrismaSchema = {
    schema: emptySchema(),
    relations: [],
    joinTables: [],
    tableOf: new Map(),
    columnOrigins: new Map(),
    indexOrigins: new Map(),
    diagnostics: [],
  };
  private readonly models: PrismaModel[];
  private readonly enums: Map<string, PrismaEnum>;
  private readonly emulated: boolean;

  constructor(private readonly doc: PrismaDocument) {
    this.models = doc.models.filter((m) => m.kind === 'model');
    this.enums = new Map(doc.enums.map((e) => [e.name, e]));
    this.emulated = doc.datasource?.relationMode === 'prisma';
  }

  build(): PrismaSchema {
    for (const model of this.models) this.addTable(model);
    for (const model of this.models) this.addRelations(model);
    this.addJoinTables();
    return this.result;
  }

  private addTable(model: PrismaModel): void {
    const table: Table = {
      schema: schemaName(model),
      name: tableName(model),
      columns: [],
      indexes: [],
      foreignKeys: [],
      source: { file: model.file, range: model.nameRange },
    };
    this.result.schema.tables.set(tableKey(table.schema, table.name), table);
    this.result.tableOf.set(model, table);
    for (const field of model.fields) {
      const column = this.column(model, field);
      if (!column) continue;
      table.columns.push(column);
      this.result.columnOrigins.set(column, { model, field });
    }
    for (const field of model.fields) {
      const id = fieldAttribute(field, 'id');
      if (id) this.addKey(model, table, [field.name], id, 'primary', field);
      const unique = fieldAttribute(field, 'unique');
      if (unique) this.addKey(model, table, [field.name], unique, 'unique', field);
    }
    for (const attr of model.attributes) {
      if (attr.name !== 'id' && attr.name !== 'unique' && attr.name !== 'index') continue;
      const fields = fieldList(argument(attr, 'fields', 0));
      if (!fields) continue;
      const keyOptions = fields.map((f) => ({ ...(f.ops ? { opclass: f.ops } : {}), ...(f.sort === 'Desc' ? { descending: true } : {}) }));
      this.addKey(
        model,
        table,
        fields.map((f) => f.name),
        attr,
        attr.name === 'id' ? 'primary' : attr.name === 'unique' ? 'unique' : 'index',
        undefined,
        keyOptions.some((k) => Object.keys(k).length > 0) ? keyOptions : undefined,
      );
    }
  }

  private column(model: PrismaModel, field: PrismaField): Column | undefined {
    if (isRelationField(this.doc, field) || this.doc.compositeTypes.includes(field.type)) return undefined;
    const enumBlock = this.enums.get(field.type);
    if (!enumBlock && !isScalarType(field.type) && field.type !== 'Unsupported') {
      this.diagnostic(
        model.file,
        field.typeRange,
        `Unknown type \`${field.type}\` for field \`${field.name}\`: use String, Int, BigInt, Float, Decimal, Boolean, DateTime, Json, Bytes, an enum or a model`,
      );
      return undefined;
    }
    const type = columnType(field, enumBlock?.dbName);
    if (!type) return undefined;
    const column: Column = {
      name: columnName(field),
      type: type.type,
      typeModifiers: type.typeModifiers,
      isArray: field.list,
      notNull: !field.optional,
      source: { file: model.file, range: field.range },
    };
    const def = argument(fieldAttribute(field, 'default'), 'value', 0);
    const fn = functionName(def);
    if (fn === 'autoincrement') column.serial = true;
    else if (fn === 'now') column.default = 'CURRENT_TIMESTAMP';
    else if (fn === 'dbgenerated') column.default = dbgeneratedText(def);
    else if (fn === undefined && def !== undefined) column.default = literalDefault(def, field, enumBlock, type.type);
    else if (fn !== undefined && !CLIENT_GENERATED.has(fn)) column.default = `${fn}()`;
    return column;
  }

  private addKey(
    model: PrismaModel,
    table: Table,
    fieldNames: string[],
    attr: PrismaAttribute,
    kind: 'primary' | 'unique' | 'index',
    field?: PrismaField,
    keyOptions?: IndexKeyOptions[],
  ): void {
    const columns: string[] = [];
    for (const name of fieldNames) {
      const f = this.scalarField(model, name, attr.range);
      if (!f) return;
      columns.push(columnName(f));
    }
    const mapped = stringValue(argument(attr, 'map')) ?? (kind === 'index' ? stringValue(argument(attr, 'name')) : undefined);
    const name =
      mapped ?? (kind === 'primary' ? primaryKeyName(table.name) : indexName(table.name, columns, kind === 'unique'));
    const typeArg = argument(attr, 'type');
    const index: Index = {
      name,
      schema: table.schema,
      table: table.name,
      columns,
      include: [],
      unique: kind !== 'index',
      primary: kind === 'primary',
      constraint: kind === 'primary',
      method: typeof typeArg === 'string' ? typeArg.toLowerCase() : 'btree',
      valid: true,
      ...(keyOptions ? { keyOptions } : {}),
      source: { file: model.file, range: attr.range },
    };
    if (kind === 'primary') {
      table.primaryKey = { name, columns, source: index.source };
      for (const c of table.columns) if (columns.includes(c.name)) c.notNull = true;
    }
    table.indexes.push(index);
    this.result.indexOrigins.set(index, { model, attribute: attr, field });
  }

  private addRelations(model: PrismaModel): void {
    const table = this.result.tableOf.get(model);
    if (!table) return;
    for (const field of model.fields) {
      const attr = fieldAttribute(field, 'relation');
      const fields = fieldList(argument(attr, 'fields'));
      const references = fieldList(argument(attr, 'references'));
      if (!attr || !fields || !references) continue;
      const target = this.models.find((m) => m.name === field.type);
      const targetTable = target && this.result.tableOf.get(target);
      if (!target || !targetTable) continue;
      const scalarFields = fields.map((f) => this.scalarField(model, f.name, attr.range));
      const referencedFields = references.map((f) => this.scalarField(target, f.name, attr.range));
      if (scalarFields.some((f) => !f) || referencedFields.some((f) => !f)) continue;
      const own = scalarFields as PrismaField[];
      const referenced = referencedFields as PrismaField[];
      const columns = own.map(columnName);
      const foreignKey: ForeignKey = {
        name: stringValue(argument(attr, 'map')) ?? foreignKeyName(table.name, columns),
        schema: table.schema,
        table: table.name,
        columns,
        refSchema: targetTable.schema,
        refTable: targetTable.name,
        refColumns: referenced.map(columnName),
        source: { file: model.file, range: attr.range },
      };
      if (!this.emulated) table.foreignKeys.push(foreignKey);
      this.result.relations.push({
        model,
        field,
        attribute: attr,
        scalarFields: own,
        referencedModel: target,
        referencedFields: referenced,
        foreignKey,
        emulated: this.emulated,
      });
    }
  }

  /** Implicit m-n: a list relation field with no `fields:` whose opposite field is a list too. */
  private addJoinTables(): void {
    const seen = new Set<string>();
    for (const model of this.models) {
      for (const field of model.fields) {
        if (!field.list || !isRelationField(this.doc, field)) continue;
        const other = this.models.find((m) => m.name === field.type);
        if (!other) continue;
        const name = relationName(field);
        const opposite = other.fields.find(
          (g) => g !== field && g.list && g.type === model.name && relationName(g) === name && !fieldList(argument(fieldAttribute(g, 'relation'), 'fields')),
        );
        if (!opposite || fieldList(argument(fieldAttribute(field, 'relation'), 'fields'))) continue;
        const [first, second] =
          model.name < other.name || (model.name === other.name && field.name <= opposite.name)
            ? [{ model, field }, { model: other, field: opposite }]
            : [{ model: other, field: opposite }, { model, field }];
        const joinName = `_${name ?? `${first.model.name}To${second.model.name}`}`;
        const firstTable = this.result.tableOf.get(first.model);
        const secondTable = this.result.tableOf.get(second.model);
        if (seen.has(joinName) || !firstTable || !secondTable) continue;
        seen.add(joinName);
        this.result.joinTables.push({ table: this.joinTable(joinName, first, firstTable, secondTable, field), a: first, b: second });
      }
    }
  }

  private joinTable(name: string, first: { model: PrismaModel }, a: Table, b: Table, field: PrismaField): Table {
    const source = { file: first.model.file, range: field.range };
    const idColumn = (t: Table): Column | undefined =>
      t.primaryKey?.columns.length === 1 ? t.columns.find((c) => c.name === t.primaryKey?.columns[0]) : undefined;
    const column = (colName: string, ref: Table): Column => {
      const id = idColumn(ref);
      return { name: colName, type: id?.type ?? 'integer', typeModifiers: [...(id?.typeModifiers ?? [])], isArray: false, notNull: true, source };
    };
    const schema = a.schema;
    const index = (indexName: string, columns: string[], primary: boolean): Index => ({
      name: indexName,
      schema,
      table: name,
      columns,
      include: [],
      unique: primary,
      primary,
      constraint: primary,
      method: 'btree',
      valid: true,
      source,
    });
    const fk = (col: string, ref: Table): ForeignKey => ({
      name: `${name}_${col}_fkey`,
      schema,
      table: name,
      columns: [col],
      refSchema: ref.schema,
      refTable: ref.name,
      refColumns: [...(ref.primaryKey?.columns ?? [])],
      source,
    });
    const table: Table = {
      schema,
      name,
      columns: [column('A', a), column('B', b)],
      primaryKey: { name: `${name}_AB_pkey`, columns: ['A', 'B'], source },
      indexes: [index(`${name}_AB_pkey`, ['A', 'B'], true), index(`${name}_B_index`, ['B'], false)],
      foreignKeys: this.emulated ? [] : [fk('A', a), fk('B', b)],
      source,
    };
    this.result.schema.tables.set(tableKey(schema, name), table);
    return table;
  }

  private scalarField(model: PrismaModel, name: string, at: SourceRange): PrismaField | undefined {
    const field = model.fields.find((f) => f.name === name);
    if (field && !isRelationField(this.doc, field)) return field;
    this.diagnostic(
      model.file,
      at,
      field
        ? `\`${name}\` is a relation field of model ${model.name}: list its scalar field (the one in \`fields: […]\`) instead`
        : `\`${name}\` is not a field of model ${model.name}: check the spelling`,
    );
    return undefined;
  }

  private diagnostic(file: string, range: SourceRange, message: string): void {
    this.result.diagnostics.push({ ruleId: 'syntax-error', severity: 'error', message, file, range });
  }
}

function dbgeneratedText(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || !('params' in value)) return undefined;
  const params = (value as { params?: unknown[] }).params;
  return typeof params?.[0] === 'string' ? stringValue(params[0]) : undefined;
}

function literalDefault(value: unknown, field: PrismaField, enumBlock: PrismaEnum | undefined, type: string): string | undefined {
  if (typeof value === 'object' && value !== null && (value as { type?: string }).type === 'array') {
    return ((value as { args?: unknown[] }).args ?? []).length === 0 ? `ARRAY[]::${type}[]` : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const text = stringValue(value);
  if (text !== undefined) return `'${text.replace(/'/g, "''")}'`;
  if (enumBlock) return `'${enumBlock.values.find((v) => v.name === value)?.dbName ?? value}'`;
  if (field.type === 'Boolean' || /^-?\d/.test(value)) return value;
  return undefined;
}

/** The foreign-key fields that reference `field` of `model` (`authorId` for `User.id`), with their models. */
export function referencingFields(schema: PrismaSchema, model: PrismaModel, field: PrismaField): { model: PrismaModel; field: PrismaField }[] {
  const out: { model: PrismaModel; field: PrismaField }[] = [];
  for (const r of schema.relations) {
    if (r.referencedModel !== model) continue;
    r.referencedFields.forEach((f, i) => {
      const own = r.scalarFields[i];
      if (f === field && own && !out.some((o) => o.field === own)) out.push({ model: r.model, field: own });
    });
  }
  return out;
}
