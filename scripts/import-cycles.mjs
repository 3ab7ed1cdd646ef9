// Import cycles among the TypeScript modules of src/ and media/src/ (part of `npm run lint`).
//
// Every import counts: `import type` too (a type-only cycle still ties two modules together;
// ESLint's import-x/no-cycle skips those), `export … from`, `import()` and lazy `require()`.
// Only relative specifiers are followed; packages cannot close a cycle back into the tree.
//
// usage: node scripts/import-cycles.mjs [--root <dir>]…   (default roots: src media/src)
// Prints each cycle as `a.ts → b.ts → a.ts` and exits 1 when there is one, 0 otherwise.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const ts = createRequire(path.join(repoRoot, 'package.json'))('typescript');

function tsFilesUnder(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFilesUnder(full));
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** The file a relative specifier lands on, or undefined (a package, or not a TS file here). */
function resolveRelative(fromFile, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(fromFile), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')]) {
    if (/\.tsx?$/.test(candidate) && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** file → the files it imports (all kinds of import, see the header). */
export function importGraph(roots) {
  const graph = new Map();
  for (const root of roots) {
    for (const file of tsFilesUnder(root)) {
      const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
      const targets = new Set();
      for (const { fileName } of importedFiles) {
        const target = resolveRelative(file, fileName);
        if (target && target !== file) targets.add(target);
      }
      graph.set(file, [...targets].sort());
    }
  }
  return graph;
}

/**
 * The cycles of a graph: one per strongly connected component of more than one module (Tarjan),
 * each shown as one shortest closed path through the component's first module.
 */
export function findCycles(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const strongConnect = (start) => {
    // Iterative Tarjan, so a deep import chain cannot overflow the call stack.
    const work = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1];
      const edges = graph.get(frame.node) ?? [];
      if (frame.next < edges.length) {
        const to = edges[frame.next++];
        if (!graph.has(to)) continue;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node), index.get(to)));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent), low.get(frame.node)));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1) components.push(component.sort());
      }
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) strongConnect(node);
  return components.map((component) => shortestLoop(graph, component)).sort((a, b) => a[0].localeCompare(b[0]));
}

/** A shortest path from the component's first module back to itself, inside the component. */
function shortestLoop(graph, component) {
  const members = new Set(component);
  const start = component[0];
  const previous = new Map();
  const queue = [start];
  while (queue.length) {
    const node = queue.shift();
    for (const to of graph.get(node) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const loop = [start];
        for (let at = node; at !== start; at = previous.get(at)) loop.splice(1, 0, at);
        loop.push(start);
        return loop;
      }
      if (!previous.has(to)) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return [...component, start];
}

function main(argv) {
  const roots = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--root' && argv[i + 1]) roots.push(path.resolve(argv[++i]));
    else {
      console.error(`import-cycles: unknown argument ${argv[i]}; usage: node scripts/import-cycles.mjs [--root <dir>]…`);
      return 2;
    }
  }
  if (!roots.length) roots.push(path.join(repoRoot, 'src'), path.join(repoRoot, 'media', 'src'));
  const started = Date.now();
  const graph = importGraph(roots);
  const cycles = findCycles(graph);
  const rel = (f) => path.relative(process.cwd(), f);
  for (const loop of cycles) console.error(`import cycle: ${loop.map(rel).join(' → ')}`);
  const edges = [...graph.values()].reduce((n, t) => n + t.length, 0);
  const summary = `${graph.size} modules, ${edges} imports, ${cycles.length} cycle${cycles.length === 1 ? '' : 's'} (${Date.now() - started} ms)`;
  if (cycles.length) {
    console.error(`import-cycles: ${summary}; break each by moving what both sides share into a module of its own`);
    return 1;
  }
  console.log(`import-cycles: ${summary}`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  process.exitCode = main(process.argv.slice(2));
}
