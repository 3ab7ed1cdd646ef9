import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { precompilePgQuery, takePrecompiledPgQuery } from '../../../src/core/sql/pg-query-precompile';

const wasmFile = path.join(path.dirname(require.resolve('libpg-query/package.json')), 'wasm', 'libpg-query.wasm');

describe('precompilePgQuery (the CLI launcher starts the parser compile early)', () => {
  afterEach(() => takePrecompiledPgQuery());

  it('hands over the compiled parser module once', async () => {
    precompilePgQuery(wasmFile);
    const compiling = takePrecompiledPgQuery();
    assert.ok(compiling);
    const module = await compiling;
    assert.ok(module instanceof WebAssembly.Module);
    // The parser's own memory: the module emscripten's glue instantiates.
    assert.ok(WebAssembly.Module.exports(module).some((e) => e.kind === 'memory'));
    assert.equal(takePrecompiledPgQuery(), undefined);
  });

  it('leaves nothing to take when none was started', () => {
    assert.equal(takePrecompiledPgQuery(), undefined);
  });

  it('a missing file leaves nothing, so the parser loads (and reports) the module itself', () => {
    precompilePgQuery(path.join(__dirname, 'no-such.wasm'));
    assert.equal(takePrecompiledPgQuery(), undefined);
  });

  it('a file that is not WASM resolves to nothing instead of rejecting', async () => {
    precompilePgQuery(__filename);
    assert.equal(await takePrecompiledPgQuery(), undefined);
  });
});
