import { readdirSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The files of the schema a .prisma file belongs to. A multi-file schema (`prisma/schema/`,
 * the prismaSchemaFolder layout) is one schema: its relations cross files, so its files are
 * linted together; a schema.prisma elsewhere stands alone.
 */
export function prismaSchemaFiles(file: string): string[] {
  const dir = path.dirname(file);
  if (path.basename(dir) !== 'schema') return [file];
  const files = prismaFilesUnder(dir);
  return files.includes(file) ? files : [file];
}

/** Every .prisma file under a folder (Prisma reads subfolders of a schema folder too), in path order. */
export function prismaFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'migrations' && !entry.name.startsWith('.')) visit(path.join(d, entry.name));
      } else if (entry.name.endsWith('.prisma')) out.push(path.join(d, entry.name));
    }
  };
  visit(dir);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
