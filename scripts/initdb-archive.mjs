// Build step: runs PGlite's initdb once per PGlite version and ships the result as
// dist/pglite-initdb-<version>.tar.gz (PGlite's own data directory dump). The first sandbox on
// a machine unpacks it (src/core/db/initdb-archive.ts) instead of spending seconds in initdb.
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export async function writeInitdbArchive(distDir) {
  const version = JSON.parse(readFileSync('node_modules/@electric-sql/pglite/package.json', 'utf8')).version;
  const name = `pglite-initdb-${version}.tar.gz`;
  if (existsSync(join(distDir, name))) return;
  for (const old of readdirSync(distDir).filter((n) => /^pglite-initdb-.*\.tar\.gz$/.test(n))) rmSync(join(distDir, old));
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  try {
    await db.exec('CHECKPOINT');
    const dump = await db.dumpDataDir('gzip');
    const tmp = join(distDir, `${name}.tmp`);
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, join(distDir, name));
  } finally {
    await db.close();
  }
  console.log(`initdb archive: dist/${name}`);
}
