import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { PrismaDocument } from '../prisma/ast';

/** A relation as a loop over parents needs it: `User.posts` is loaded by `Post.authorId` = `User.id`. */
export interface PrismaRelationInfo {
  /** The model with the list (or back) field: `User`. */
  parent: string;
  /** Its field holding the children: `posts`. */
  parentField: string;
  /** The model holding the foreign key: `Post`. */
  child: string;
  /** The child's scalar key fields and the parent fields they reference. */
  fk: string[];
  refs: string[];
  /** The parent's field is a list (`posts Post[]`); false for a one-to-one (`profile Profile?`), where the child query is not one `include` away from a list. */
  list: boolean;
}

/** What the n-plus-one rule knows of the schema: models by Prisma Client delegate name, and relations. */
export interface PrismaModelIndex {
  /** `post` → `Post` (the client's delegate is the model name with a lower-case first letter). */
  modelOfDelegate: Map<string, string>;
  relations: PrismaRelationInfo[];
}

export function prismaModelIndex(doc: PrismaDocument): PrismaModelIndex {
  // Loaded on demand, like the CLI does: only projects with a schema.prisma pay for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load, bundled by esbuild: only projects with a schema.prisma pay for the Prisma parser
  const { prismaToSchema, relationName } = require('../prisma/to-schema') as typeof import('../prisma/to-schema');
  const schema = prismaToSchema(doc);
  const modelOfDelegate = new Map<string, string>();
  for (const m of doc.models) modelOfDelegate.set(m.name.charAt(0).toLowerCase() + m.name.slice(1), m.name);
  const relations: PrismaRelationInfo[] = [];
  for (const r of schema.relations) {
    const name = relationName(r.field);
    const back = r.referencedModel.fields.find((f) => f.type === r.model.name && relationName(f) === name && f !== r.field);
    if (!back) continue;
    relations.push({
      parent: r.referencedModel.name,
      parentField: back.name,
      child: r.model.name,
      fk: r.scalarFields.map((f) => f.name),
      refs: r.referencedFields.map((f) => f.name),
      list: back.list,
    });
  }
  return { modelOfDelegate, relations };
}

/**
 * The Prisma schema files a code file's project uses: the nearest `prisma/schema.prisma`,
 * `schema.prisma` or `prisma/schema/` folder in the file's folder or above it, up to the
 * folder holding package.json (a project's root), at most 8 levels.
 */
export function findPrismaSchemaFiles(codeFile: string): string[] {
  let dir = path.dirname(path.resolve(codeFile));
  for (let i = 0; i < 8; i++) {
    for (const candidate of [path.join(dir, 'prisma', 'schema.prisma'), path.join(dir, 'schema.prisma')]) {
      if (existsSync(candidate)) return [candidate];
    }
    const folder = path.join(dir, 'prisma', 'schema');
    if (isDir(folder)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load, bundled by esbuild: only projects with a schema.prisma pay for the Prisma parser
      const { prismaFilesUnder } = require('../prisma/schema-files') as typeof import('../prisma/schema-files');
      const files = prismaFilesUnder(folder);
      if (files.length > 0) return files;
    }
    const parent = path.dirname(dir);
    if (parent === dir || existsSync(path.join(dir, 'package.json'))) break;
    dir = parent;
  }
  return [];
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Loads (and caches by modification time) the Prisma model index for a code file; undefined
 * when the project has no schema.prisma or it does not parse (the rule then suggests the
 * `in` rewrite, which needs no schema).
 */
export class PrismaModelCache {
  private readonly byKey = new Map<string, { stamp: string; index: PrismaModelIndex | undefined }>();
  private readonly schemaOfDir = new Map<string, string[]>();

  forCodeFile(codeFile: string): PrismaModelIndex | undefined {
    const dir = path.dirname(path.resolve(codeFile));
    let files = this.schemaOfDir.get(dir);
    if (!files) this.schemaOfDir.set(dir, (files = findPrismaSchemaFiles(codeFile)));
    if (files.length === 0) return undefined;
    const stamp = files.map((f) => `${f}:${mtime(f)}`).join('|');
    const key = files.join('|');
    const hit = this.byKey.get(key);
    if (hit && hit.stamp === stamp) return hit.index;
    let index: PrismaModelIndex | undefined;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load, bundled by esbuild: only projects with a schema.prisma pay for the Prisma parser
      const { parsePrismaFiles } = require('../prisma/parse') as typeof import('../prisma/parse');
      index = prismaModelIndex(parsePrismaFiles(files.map((file) => ({ file, text: readFileSync(file, 'utf8') }))));
    } catch {
      index = undefined;
    }
    this.byKey.set(key, { stamp, index });
    return index;
  }

  /** Forgets where the schemas are (a schema.prisma was created or deleted). */
  clear(): void {
    this.schemaOfDir.clear();
    this.byKey.clear();
  }
}

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
