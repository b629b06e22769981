#!/usr/bin/env node
// Import-cycle check for every package's src/: follows relative value imports (import … from,
// export … from, require, dynamic import) between .ts files and fails listing each cycle.
// `import type` / `export type` are erased at compile time and cannot form a runtime cycle, so
// they are ignored. Run by scripts/test; also `pnpm check:cycles`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const roots = ['packages', 'apps']
  .flatMap((dir) => fs.readdirSync(path.join(root, dir)).map((name) => path.join(root, dir, name, 'src')))
  .filter((dir) => fs.existsSync(dir));

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return walk(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

const importPattern =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]|require\(\s*['"](\.[^'"]+)['"]\s*\)|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function resolveImport(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts'), base.replace(/\.js$/, '.ts')]) {
    if (candidate.endsWith('.ts') && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

const graph = new Map();
for (const file of roots.flatMap(walk)) {
  const source = fs.readFileSync(file, 'utf8');
  const edges = new Set();
  for (const match of source.matchAll(importPattern)) {
    if (match[2]) continue; // import type / export type
    const spec = match[3] ?? match[4] ?? match[5];
    const target = spec && resolveImport(file, spec);
    if (target) edges.add(target);
  }
  graph.set(file, edges);
}

// Tarjan's strongly connected components: any component with more than one file is a cycle.
let index = 0;
const stack = [];
const meta = new Map();
const cycles = [];
function connect(node) {
  meta.set(node, { index, low: index, onStack: true });
  index += 1;
  stack.push(node);
  for (const next of graph.get(node) ?? []) {
    if (!meta.has(next)) {
      connect(next);
      meta.get(node).low = Math.min(meta.get(node).low, meta.get(next).low);
    } else if (meta.get(next).onStack) {
      meta.get(node).low = Math.min(meta.get(node).low, meta.get(next).index);
    }
  }
  if (meta.get(node).low === meta.get(node).index) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      meta.get(member).onStack = false;
      component.push(path.relative(root, member));
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? new Set()).has(node)) cycles.push(component);
  }
}
for (const node of graph.keys()) if (!meta.has(node)) connect(node);

if (cycles.length > 0) {
  console.error(`Import cycles found (${cycles.length}):`);
  for (const cycle of cycles) console.error(`  - ${cycle.sort().join(' <-> ')}`);
  process.exit(1);
}
console.log(`check-cycles: no import cycles in ${graph.size} files`);
