/** libpg-query's emscripten module factory (the package ships no types for it); see pg-query.ts. */
declare module 'libpg-query/wasm/libpg-query.js' {
  export default function createPgQueryModule(moduleArg?: Record<string, unknown>): Promise<unknown>;
}
