import type { ParseResult, ScanResult } from 'libpg-query';
import createPgQueryModule from 'libpg-query/wasm/libpg-query.js';
import { takePrecompiledPgQuery } from './pg-query-precompile';

/**
 * libpg-query's WASM module, called directly rather than through the package's index: its
 * wrappers copy every string into and out of WASM memory one byte at a time in JavaScript
 * (for a CLI run, a tenth of the parse time on a folder of long migrations), and importing it
 * starts loading the WASM. Same functions, results and errors as the package's loadModule,
 * parseSync and scanSync.
 */

/** The parts of the emscripten module pglens calls. */
interface PgQueryWasm {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  _wasm_parse_query_raw(query: number): number;
  _wasm_parse_plpgsql(query: number): number;
  _wasm_free_parse_result(result: number): void;
  _wasm_scan(query: number): number;
  _wasm_free_string(result: number): void;
  getValue(ptr: number, type: 'i32'): number;
  UTF8ToString(ptr: number): string;
  lengthBytesUTF8(text: string): number;
  stringToUTF8(text: string, ptr: number, maxBytes: number): number;
}

/** Where Postgres rejected the SQL: libpg-query's SqlError details (cursorPosition is 0-based). */
export interface SqlErrorDetails {
  message: string;
  cursorPosition: number;
  fileName?: string;
  functionName?: string;
  lineNumber?: number;
}

/** Thrown by parseSync for SQL Postgres rejects, as libpg-query's SqlError. */
export class SqlError extends Error {
  constructor(
    message: string,
    readonly sqlDetails: SqlErrorDetails,
  ) {
    super(message);
    this.name = 'SqlError';
  }
}

let wasm: PgQueryWasm | undefined;
let loading: Promise<void> | undefined;

/** Loads the WASM once; every later call returns the same promise. */
export function loadModule(): Promise<void> {
  loading ??= (async () => {
    // Compiled already (the CLI launcher starts it): emscripten only instantiates it.
    const compiled = await takePrecompiledPgQuery();
    const options = compiled && {
      instantiateWasm: (imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) => {
        done(new WebAssembly.Instance(compiled, imports));
        return {};
      },
    };
    wasm = (await createPgQueryModule(options)) as PgQueryWasm;
  })();
  return loading;
}

function loaded(): PgQueryWasm {
  if (!wasm) throw new Error('WASM module not initialized. Call loadModule() first.');
  return wasm;
}

/** Postgres's parse tree of `sql`; throws SqlError for SQL Postgres rejects. */
export function parseSync(sql: string): ParseResult {
  const m = loaded();
  if (sql === '') throw new Error('Query cannot be empty');
  const input = toWasm(m, sql);
  let result = 0;
  try {
    result = m._wasm_parse_query_raw(input);
    if (!result) throw new Error('Failed to parse query: memory allocation failed');
    // PgQueryParseResult: parse_tree, stderr_buffer, error.
    const tree = m.getValue(result, 'i32');
    const error = m.getValue(result + 8, 'i32');
    if (error) throw sqlError(m, error);
    if (!tree) throw new Error('No parse tree generated');
    return JSON.parse(fromWasm(m, tree)) as ParseResult;
  } finally {
    m._free(input);
    if (result) m._wasm_free_parse_result(result);
  }
}

/**
 * PL/pgSQL's own parse of a `CREATE FUNCTION … LANGUAGE plpgsql` statement: the function's
 * statements and expressions (each expression's SQL as text). Throws for a body PL/pgSQL rejects.
 */
export function parsePlPgSqlSync(createFunction: string): { plpgsql_funcs?: unknown[] } {
  const m = loaded();
  const input = toWasm(m, createFunction);
  let result = 0;
  try {
    result = m._wasm_parse_plpgsql(input);
    const text = fromWasm(m, result);
    // Success is a JSON object; anything else is the error message.
    if (!text.startsWith('{')) throw new Error(text || 'PL/pgSQL parse failed');
    return JSON.parse(text) as { plpgsql_funcs?: unknown[] };
  } finally {
    m._free(input);
    if (result) m._wasm_free_string(result);
  }
}

/** Postgres's scanner tokens of `sql` (byte offsets). */
export function scanSync(sql: string): ScanResult {
  const m = loaded();
  const input = toWasm(m, sql);
  let result = 0;
  try {
    result = m._wasm_scan(input);
    const text = fromWasm(m, result);
    if (text.startsWith('syntax error') || text.startsWith('deparse error') || text.startsWith('ERROR')) throw new Error(text);
    return JSON.parse(text) as ScanResult;
  } finally {
    m._free(input);
    if (result) m._wasm_free_string(result);
  }
}

/** PgQueryError: message, funcname, filename, lineno, cursorpos (1-based). */
function sqlError(m: PgQueryWasm, error: number): SqlError {
  const text = (offset: number): string | undefined => {
    const ptr = m.getValue(error + offset, 'i32');
    return ptr ? m.UTF8ToString(ptr) : undefined;
  };
  const message = text(0) ?? 'Unknown error';
  const lineno = m.getValue(error + 12, 'i32');
  const cursorpos = m.getValue(error + 16, 'i32');
  return new SqlError(message, {
    message,
    cursorPosition: cursorpos > 0 ? cursorpos - 1 : 0,
    fileName: text(8),
    functionName: text(4),
    lineNumber: lineno > 0 ? lineno : undefined,
  });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** TextEncoder writes U+FFFD for a lone surrogate, emscripten its 3-byte form: texts with surrogates take emscripten's way. */
const SURROGATE = /[\uD800-\uDFFF]/;

/** `text` as a NUL-terminated UTF-8 string in WASM memory; the caller frees it. */
function toWasm(m: PgQueryWasm, text: string): number {
  if (SURROGATE.test(text)) {
    const size = m.lengthBytesUTF8(text) + 1;
    const ptr = m._malloc(size);
    m.stringToUTF8(text, ptr, size);
    return ptr;
  }
  // At most 3 UTF-8 bytes per UTF-16 code unit outside surrogate pairs.
  const size = text.length * 3 + 1;
  const ptr = m._malloc(size);
  const heap = m.HEAPU8;
  const { written } = encoder.encodeInto(text, heap.subarray(ptr, ptr + size - 1));
  heap[ptr + written] = 0;
  return ptr;
}

/** The NUL-terminated UTF-8 string at `ptr`, decoded as emscripten's UTF8ToString does (which finds the NUL in JavaScript). */
function fromWasm(m: PgQueryWasm, ptr: number): string {
  if (!ptr) return '';
  const heap = m.HEAPU8;
  const end = heap.indexOf(0, ptr);
  // emscripten decodes up to 16 bytes itself and longer strings with a TextDecoder.
  return end - ptr > 16 ? decoder.decode(heap.subarray(ptr, end)) : m.UTF8ToString(ptr);
}
