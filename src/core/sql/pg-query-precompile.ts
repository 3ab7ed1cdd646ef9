import { readFileSync } from 'node:fs';

/**
 * Lets a process start compiling libpg-query's WASM before the code that parses is loaded: the
 * CLI launcher does for `pglens lint`, so V8 decodes and validates the 1.7 MB module on its own
 * threads while the main thread evaluates the CLI bundle and reads the inputs. The launcher and
 * the bundle are separate scripts: the compile is handed over under a global symbol.
 */
const KEY = Symbol.for('pglens.libpg-query.wasm');

type Slot = Record<symbol, Promise<WebAssembly.Module | undefined> | undefined>;

/** Starts compiling `wasmFile`; a file that cannot be read or compiled leaves pg-query.ts to load it itself (and report why). */
export function precompilePgQuery(wasmFile: string): void {
  let compiling: Promise<WebAssembly.Module | undefined>;
  try {
    compiling = WebAssembly.compile(readFileSync(wasmFile)).catch(() => undefined);
  } catch {
    return;
  }
  (globalThis as unknown as Slot)[KEY] = compiling;
}

/** The compile precompilePgQuery started, once; undefined when none was started or it failed. */
export function takePrecompiledPgQuery(): Promise<WebAssembly.Module | undefined> | undefined {
  const slot = globalThis as unknown as Slot;
  const compiling = slot[KEY];
  delete slot[KEY];
  return compiling;
}
