import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * PGlite's initdb result, made once at build time (scripts/initdb-archive.mjs) and shipped
 * next to the bundled sandbox, so the first sandbox on a machine skips initdb's seconds.
 * Named by PGlite version: an archive from another version is never used.
 */
export function shippedInitdbArchive(pgliteVersion: string): string {
  return path.join(__dirname, `pglite-initdb-${pgliteVersion}.tar.gz`);
}

/** The archive's tar bytes, or undefined when there is none (running from source) or it does not gunzip. */
export function readInitdbArchive(file: string): Buffer | undefined {
  try {
    return gunzipSync(readFileSync(file));
  } catch {
    return undefined;
  }
}

const BLOCK = 512;

/**
 * Writes a PGlite data directory dump (`dumpDataDir()`: ustar, directories and regular
 * files, paths from the data directory's root) into `dest`. Throws on anything else — a
 * damaged or foreign archive — so the caller can fall back to initdb.
 */
export function unpackDataDir(tar: Buffer, dest: string): void {
  mkdirSync(dest, { recursive: true, mode: 0o700 });
  let at = 0;
  while (at + BLOCK <= tar.length) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) return;
    if (!checksumOk(header)) throw new Error(`tar header at byte ${at} has a bad checksum`);
    const name = text(header, 0, 100);
    const prefix = text(header, 345, 155);
    const rel = prefix ? `${prefix}/${name}` : name;
    const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) throw new Error(`tar entry "${rel}" leaves the data directory`);
    const size = octal(header, 124, 12);
    const mode = octal(header, 100, 8) & 0o777;
    const type = header[156] === 0 ? '0' : String.fromCharCode(header[156]);
    const target = path.join(dest, ...parts);
    const start = at + BLOCK;
    if (parts.length === 0 && type !== '5') throw new Error(`tar entry "${rel}" names no file`);
    if (type === '5') {
      mkdirSync(target, { recursive: true, mode: mode || 0o700 });
    } else if (type === '0') {
      if (start + size > tar.length) throw new Error(`tar entry "${rel}" is truncated`);
      mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
      writeFileSync(target, tar.subarray(start, start + size), { mode: mode || 0o600 });
    } else {
      throw new Error(`tar entry "${rel}" has type ${type}, which a data directory dump does not contain`);
    }
    at = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new Error('the tar archive ends without its end marker');
}

function text(header: Buffer, offset: number, length: number): string {
  const end = header.indexOf(0, offset);
  return header.toString('utf8', offset, end >= 0 && end < offset + length ? end : offset + length);
}

function octal(header: Buffer, offset: number, length: number): number {
  const s = text(header, offset, length).trim();
  return s ? parseInt(s, 8) : 0;
}

/** ustar: the unsigned byte sum of the header, its checksum field counted as spaces. */
function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
  return sum === octal(header, 148, 8);
}
