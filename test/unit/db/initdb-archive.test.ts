import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readInitdbArchive, unpackDataDir } from '../../../src/core/db/initdb-archive';

/** A ustar archive of `dir` made by the system's tar, as PGlite's dump is (directories and regular files). */
function tarOf(dir: string): Buffer {
  return execFileSync('tar', ['--format=ustar', '-cf', '-', '-C', dir, '.']);
}

/** Rewrites the name of the header at `offset` and fixes its checksum, as a hostile archive would. */
function renameEntry(tar: Buffer, offset: number, name: string): Buffer {
  const copy = Buffer.from(tar);
  copy.fill(0, offset, offset + 100);
  copy.write(name, offset, 'utf8');
  copy.fill(32, offset + 148, offset + 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += copy[offset + i];
  copy.write(`${sum.toString(8).padStart(6, '0')}\0 `, offset + 148, 'latin1');
  return copy;
}

describe('initdb archive', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'pglens-initdb-archive-'));
    mkdirSync(path.join(root, 'src', 'base', '1'), { recursive: true });
    mkdirSync(path.join(root, 'src', 'pg_wal', 'archive_status'), { recursive: true });
    writeFileSync(path.join(root, 'src', 'PG_VERSION'), '18\n');
    writeFileSync(path.join(root, 'src', 'base', '1', '1259'), Buffer.alloc(8192 * 3, 7));
    writeFileSync(path.join(root, 'src', 'base', '1', 'odd-size'), Buffer.from('x'.repeat(513)));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('unpacks directories and files byte for byte, empty directories included', () => {
    const dest = path.join(root, 'dest');
    unpackDataDir(tarOf(path.join(root, 'src')), dest);
    assert.equal(readFileSync(path.join(dest, 'PG_VERSION'), 'utf8'), '18\n');
    assert.deepEqual(readFileSync(path.join(dest, 'base', '1', '1259')), Buffer.alloc(8192 * 3, 7));
    assert.equal(readFileSync(path.join(dest, 'base', '1', 'odd-size'), 'utf8'), 'x'.repeat(513));
    assert.ok(statSync(path.join(dest, 'pg_wal', 'archive_status')).isDirectory());
  });

  it('refuses a damaged header instead of writing a wrong data directory', () => {
    const tar = tarOf(path.join(root, 'src'));
    tar[520] ^= 0xff;
    assert.throws(() => unpackDataDir(tar, path.join(root, 'dest')), /bad checksum/);
  });

  it('refuses an entry that would land outside the data directory', () => {
    const tar = renameEntry(tarOf(path.join(root, 'src')), 0, '../escaped');
    assert.throws(() => unpackDataDir(tar, path.join(root, 'dest')), /leaves the data directory/);
  });

  it('refuses an archive cut short', () => {
    const tar = tarOf(path.join(root, 'src'));
    assert.throws(() => unpackDataDir(tar.subarray(0, 2048), path.join(root, 'dest')), /truncated|end marker/);
  });

  it('reads a gzipped archive, and reports none for a missing or damaged file', () => {
    const tar = tarOf(path.join(root, 'src'));
    writeFileSync(path.join(root, 'ok.tar.gz'), gzipSync(tar));
    writeFileSync(path.join(root, 'bad.tar.gz'), Buffer.from('not gzip'));
    assert.deepEqual(readInitdbArchive(path.join(root, 'ok.tar.gz')), tar);
    assert.equal(readInitdbArchive(path.join(root, 'bad.tar.gz')), undefined);
    assert.equal(readInitdbArchive(path.join(root, 'missing.tar.gz')), undefined);
  });
});
