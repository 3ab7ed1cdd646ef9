/** What bench/erd.mjs needs from the TypeScript sources, loaded as one module graph (one SQL parser instance). */
export { loadSqlParser } from '../src/core/sql/parse';
export { defaultConfig } from '../src/core/config';
export { partsDiagram } from '../src/core/erd/sources';
export { toMermaid } from '../src/core/erd/mermaid';
export { drawnGraph } from '../media/src/erd/graph';
export { layoutDiagram } from '../media/src/erd/layout';
export { startErdHarness, erdBuildOptions, CHROMIUM, CHROMIUM_ARGS } from '../test/unit/erd/erd-harness';
