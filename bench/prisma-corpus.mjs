// Robustness and speed of the Prisma linter on real schemas: parses and lints every
// ../shared/corpus/prisma/*.prisma (documenso, langfuse, umami) and prints, per schema, the
// models, tables, findings per rule and the milliseconds (cold first run, then median of 5).
// Exits 1 when a schema fails to parse or anything throws. Target: a schema lints in ≤ 300 ms warm.
// usage: node bench/prisma-corpus.mjs [corpus-dir]
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { build } from 'esbuild';

// Bundled with esbuild, as the extension and CLI ship it (tsx cannot load chevrotain 11, which is ESM-only).
const here = path.dirname(fileURLToPath(import.meta.url));
const outfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-prisma-bench-')), 'prisma.cjs');
await build({
  stdin: {
    contents: [
      "export { parsePrismaSchema } from './src/core/prisma/parse';",
      "export { prismaToSchema } from './src/core/prisma/to-schema';",
      "export { lintPrismaDocument } from './src/core/prisma/lint';",
      "export { relationLookups } from './src/core/prisma/relation-lookup';",
    ].join('\n'),
    resolveDir: path.join(here, '..'),
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile,
  logLevel: 'error',
});
const { parsePrismaSchema, prismaToSchema, lintPrismaDocument, relationLookups } = createRequire(import.meta.url)(outfile);

const TARGET_MS = 300;
const dir = path.resolve(process.argv[2] ?? path.join(here, '../../shared/corpus/prisma'));
if (!fs.existsSync(dir)) {
  console.error(`bench/prisma-corpus: no corpus at ${dir}; pass the folder of .prisma files as the first argument`);
  process.exit(2);
}
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.prisma')).sort();
if (files.length === 0) {
  console.error(`bench/prisma-corpus: no .prisma files in ${dir}`);
  process.exit(2);
}

let failed = false;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const lintOnce = (text, file) => {
  const doc = parsePrismaSchema(text, file);
  return { doc, findings: lintPrismaDocument(doc) };
};
for (const name of files) {
  const file = path.join(dir, name);
  const text = fs.readFileSync(file, 'utf8');
  try {
    let t0 = performance.now();
    const { doc, findings } = lintOnce(text, file);
    const cold = performance.now() - t0;
    const warm = [];
    for (let i = 0; i < 5; i++) {
      t0 = performance.now();
      lintOnce(text, file);
      warm.push(performance.now() - t0);
    }
    const errors = findings.filter((f) => f.ruleId === 'syntax-error');
    const schema = prismaToSchema(doc);
    const lookups = relationLookups(doc, schema);
    const perRule = {};
    for (const f of findings) perRule[f.ruleId] = (perRule[f.ruleId] ?? 0) + 1;
    const lines = text.split('\n').length;
    const ms = median(warm);
    console.log(
      `${name}: ${lines} lines, ${doc.models.length} models, ${schema.schema.tables.size} tables, ${lookups.length} relation lookups, ` +
        `${findings.length} findings; cold ${cold.toFixed(0)} ms, warm median ${ms.toFixed(1)} ms (target ≤ ${TARGET_MS} ms)${ms > TARGET_MS ? '  OVER TARGET' : ''}`,
    );
    for (const [rule, n] of Object.entries(perRule).sort()) console.log(`    ${rule}: ${n}`);
    if (errors.length) {
      failed = true;
      for (const e of errors) console.error(`  PARSE FAILURE ${name}:${e.range.start.line + 1}:${e.range.start.character + 1} ${e.message}`);
    }
  } catch (e) {
    failed = true;
    console.error(`  CRASH on ${name}: ${e instanceof Error ? e.stack : e}`);
  }
}
process.exit(failed ? 1 : 0);
