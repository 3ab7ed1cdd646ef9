import type { Attribute, BlockAttribute, CstNodeLocation, Field, PrismaParser, Schema, VisitorClassFactory } from '@mrleebo/prisma-ast';

/** prisma-ast builds its grammar when loaded (~150 ms): load it with the first schema, not with the extension. */
function prismaAst(): typeof import('@mrleebo/prisma-ast') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load, bundled by esbuild: the Prisma parser loads when a schema.prisma is first read
  return require('@mrleebo/prisma-ast') as typeof import('@mrleebo/prisma-ast');
}
import { createLineIndex, type LineIndex } from '../sql/line-index';
import type { Finding } from '../types';
import {
  argument,
  stringValue,
  type PrismaAttribute,
  type PrismaDatasource,
  type PrismaDocument,
  type PrismaEnum,
  type PrismaField,
  type PrismaModel,
  type PrismaSourceFile,
} from './ast';
import {
  blankBlockComments,
  endOfIdentifier,
  endOfParens,
  firstUntokenizable,
  indentationAt,
  matchingBrace,
  skipInlineSpace,
} from './source-text';
import { describeSyntaxError } from './syntax-error';

/**
 * schema.prisma → PrismaDocument with exact source ranges. Never throws: a file that does not
 * parse yields one `syntax-error` finding and no models, so an editor mid-keystroke gets one
 * clear diagnostic rather than a crash.
 */
export function parsePrismaSchema(text: string, file: string): PrismaDocument {
  return parsePrismaFiles([{ file, text }]);
}

/** A multi-file schema (`prisma/schema/*.prisma`): models, enums and the datasource of all files together. */
export function parsePrismaFiles(files: PrismaSourceFile[]): PrismaDocument {
  const doc: PrismaDocument = { files, models: [], enums: [], compositeTypes: [], diagnostics: [] };
  for (const source of files) readFile(source, doc);
  return doc;
}

type Visitor = InstanceType<ReturnType<typeof VisitorClassFactory>>;

let shared: { parser: PrismaParser; visitor: Visitor } | undefined;

/** One parser for the process: building a chevrotain grammar takes tens of milliseconds. */
function parserWithLocations(): { parser: PrismaParser; visitor: Visitor } {
  if (!shared) {
    const ast = prismaAst();
    const parser = new ast.PrismaParser({ nodeLocationTracking: 'full' });
    shared = { parser, visitor: new (ast.VisitorClassFactory(parser))() };
  }
  return shared;
}

function readFile(source: PrismaSourceFile, doc: PrismaDocument): void {
  const blanked = blankBlockComments(source.text);
  const text = blanked.text;
  const lines = createLineIndex(source.text);
  const fail = (offset: number, length: number, message: string): void => {
    doc.diagnostics.push(syntaxFinding(source.file, lines, offset, length, message));
  };
  if (blanked.unterminatedCommentAt !== undefined) {
    fail(blanked.unterminatedCommentAt, 2, 'Unterminated `/*` comment: close it with `*/`');
    return;
  }
  const bad = firstUntokenizable(text);
  if (bad !== undefined) {
    fail(bad, 1, `Unexpected character \`${text[bad]}\`: Prisma schema names start with a letter and strings use double quotes`);
    return;
  }
  let schema: Schema;
  try {
    const { parser, visitor } = parserWithLocations();
    schema = prismaAst().getSchema(text, { parser, visitor });
  } catch (error) {
    const problem = describeSyntaxError(error, text);
    fail(problem.offset, problem.length, problem.message);
    return;
  }
  const reader = new BlockReader(source.file, text, lines);
  for (const block of schema.list) {
    switch (block.type) {
      case 'model':
      case 'view':
        doc.models.push(reader.model(block.type, block.name, block.properties, block.location));
        break;
      case 'enum':
        doc.enums.push(reader.enumBlock(block.name, block.enumerators, block.location));
        break;
      case 'type':
        doc.compositeTypes.push(block.name);
        break;
      case 'datasource':
        doc.datasource = datasource(block.assignments);
        break;
      default:
        break;
    }
  }
}

function syntaxFinding(file: string, lines: LineIndex, offset: number, length: number, message: string): Finding {
  return { ruleId: 'syntax-error', severity: 'error', message, file, range: lines.rangeOf(offset, offset + length) };
}

type Properties = Extract<Schema['list'][number], { type: 'model' }>['properties'];
type Enumerators = Extract<Schema['list'][number], { type: 'enum' }>['enumerators'];
type Assignments = Extract<Schema['list'][number], { type: 'datasource' }>['assignments'];

class BlockReader {
  constructor(
    private readonly file: string,
    /** Text with block comments blanked: same offsets as the original. */
    private readonly text: string,
    private readonly lines: LineIndex,
  ) {}

  model(kind: 'model' | 'view', name: string, properties: Properties, location: CstNodeLocation | undefined): PrismaModel {
    const start = location?.startOffset ?? 0;
    const nameStart = this.text.indexOf(name, start + kind.length);
    const open = this.text.indexOf('{', nameStart + name.length);
    const close = matchingBrace(this.text, open) ?? this.text.length;
    const fields: PrismaField[] = [];
    const attributes: PrismaAttribute[] = [];
    let firstPropertyOffset: number | undefined;
    for (const p of properties) {
      if (p.type === 'field') {
        const f = this.field(p);
        fields.push(f);
        firstPropertyOffset ??= f.nameRange.startOffset;
      } else if (p.type === 'attribute') {
        const a = this.attribute(p, true);
        attributes.push(a);
        firstPropertyOffset ??= a.range.startOffset;
      }
    }
    return {
      kind,
      name,
      file: this.file,
      fields,
      attributes,
      nameRange: this.lines.rangeOf(nameStart, nameStart + name.length),
      headerRange: this.lines.rangeOf(start, open + 1),
      closeOffset: close,
      indent: firstPropertyOffset === undefined ? '  ' : indentationAt(this.text, firstPropertyOffset),
    };
  }

  enumBlock(name: string, enumerators: Enumerators, location: CstNodeLocation | undefined): PrismaEnum {
    const start = location?.startOffset ?? 0;
    const nameStart = this.text.indexOf(name, start + 'enum'.length);
    const values: PrismaEnum['values'] = [];
    let dbName = name;
    let schema: string | undefined;
    for (const e of enumerators) {
      if (e.type === 'enumerator') {
        const map = (e.attributes ?? []).find((a) => a.name === 'map');
        const mapped = map ? stringValue(argument(this.attribute(map, false), 'name', 0)) : undefined;
        values.push({ name: e.name, dbName: mapped ?? e.name });
      } else if (e.type === 'attribute' && e.kind === 'object') {
        const a = this.attribute(e, true);
        if (a.name === 'map') dbName = stringValue(argument(a, 'name', 0)) ?? dbName;
        if (a.name === 'schema') schema = stringValue(argument(a, 'name', 0));
      }
    }
    return { name, file: this.file, values, dbName, schema, nameRange: this.lines.rangeOf(nameStart, nameStart + name.length) };
  }

  private field(f: Field): PrismaField {
    const nameStart = f.location?.startOffset ?? 0;
    const nameEnd = nameStart + f.name.length;
    const typeStart = skipInlineSpace(this.text, nameEnd);
    const typeNameEnd = endOfIdentifier(this.text, typeStart);
    const typeEnd = this.text[typeNameEnd] === '(' ? endOfParens(this.text, typeNameEnd) : Math.max(typeNameEnd, typeStart + 1);
    const typeEndOffset = endOfTypeModifier(this.text, typeEnd);
    const attributes = (f.attributes ?? []).map((a) => this.attribute(a, false));
    const end = Math.max(typeEndOffset, ...attributes.map((a) => a.range.endOffset));
    const fieldType = f.fieldType;
    const type = typeof fieldType === 'string' ? fieldType : fieldType.name;
    const unsupported =
      typeof fieldType === 'object' && fieldType.name === 'Unsupported' ? stringValue(fieldType.params?.[0]) : undefined;
    return {
      name: f.name,
      type,
      unsupported,
      optional: f.optional === true,
      list: f.array === true,
      attributes,
      nameRange: this.lines.rangeOf(nameStart, nameEnd),
      typeRange: this.lines.rangeOf(typeStart, typeEnd),
      typeEndOffset,
      range: this.lines.rangeOf(nameStart, end),
    };
  }

  private attribute(a: Attribute | BlockAttribute, block: boolean): PrismaAttribute {
    const start = a.location?.startOffset ?? 0;
    const nameEnd = (a.location?.endOffset ?? start) + 1;
    const afterName = skipInlineSpace(this.text, nameEnd);
    const end = this.text[afterName] === '(' ? endOfParens(this.text, afterName) : nameEnd;
    return {
      name: a.group ? `${a.group}.${a.name}` : a.name,
      block,
      args: a.args ?? [],
      range: this.lines.rangeOf(start, end),
    };
  }
}

/** Offset just past a `?` or `[]` that follows the type at `offset`, else `offset`. */
function endOfTypeModifier(text: string, offset: number): number {
  const i = skipInlineSpace(text, offset);
  if (text[i] === '?') return i + 1;
  if (text[i] === '[') {
    const close = skipInlineSpace(text, i + 1);
    if (text[close] === ']') return close + 1;
  }
  return offset;
}

function datasource(assignments: Assignments): PrismaDatasource {
  const out: PrismaDatasource = { schemas: [] };
  for (const a of assignments) {
    if (a.type !== 'assignment') continue;
    if (a.key === 'provider') out.provider = stringValue(a.value);
    if (a.key === 'relationMode' || a.key === 'referentialIntegrity') out.relationMode = stringValue(a.value);
    if (a.key === 'schemas' && typeof a.value === 'object' && a.value && !Array.isArray(a.value) && a.value.type === 'array') {
      out.schemas = (a.value.args ?? []).map((v) => stringValue(v)).filter((v): v is string => v !== undefined);
    }
  }
  return out;
}
