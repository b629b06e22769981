// Claim: the packages (CommonJS, with documented ESM use) work from both module systems when
// installed from their tarballs. An ES module gets every named export of every public entry through
// Node's CommonJS named-export detection (the same values require() returns), a CommonJS file gets
// them from require(), and an ES module consumer runs through the testing kit, as the READMEs say.
import { SAMPLE_EXPORTS, publicEntries } from './lib/entries';
import { emptyProject, publishablePackages, run } from './lib/tarball-project';

const entries = publicEntries();

/**
 * check.mjs imports each entry by name at link time (a name Node cannot detect fails the import
 * with "does not provide an export named …") and as a namespace, and prints, per entry, the names
 * require() has that the namespace lacks, and typeof of each sample.
 */
function esmCheck(): string {
  const lines = [
    "import { createRequire } from 'node:module';",
    'const require = createRequire(import.meta.url);',
    'const report = {};',
  ];
  entries.forEach((entry, i) => {
    const sample = SAMPLE_EXPORTS[entry.specifier]?.functions ?? [];
    lines.push(`import * as ns${i} from '${entry.specifier}';`);
    if (sample.length > 0)
      lines.push(`import { ${sample.map((n) => `${n} as ${n}_${i}`).join(', ')} } from '${entry.specifier}';`);
    lines.push(
      `{ const cjs = require('${entry.specifier}');`,
      `  report['${entry.specifier}'] = {`,
      `    missing: Object.keys(cjs).filter((k) => k !== '__esModule' && ns${i}[k] !== cjs[k]),`,
      `    count: Object.keys(ns${i}).filter((k) => k !== 'default').length,`,
      `    types: { ${sample.map((n) => `${n}: typeof ${n}_${i}`).join(', ')} } }; }`,
    );
  });
  lines.push('console.log(JSON.stringify(report));');
  return `${lines.join('\n')}\n`;
}

function cjsCheck(): string {
  const lines = ["'use strict';", 'const report = {};'];
  for (const entry of entries) {
    const sample = SAMPLE_EXPORTS[entry.specifier]?.functions ?? [];
    lines.push(
      `{ const { ${sample.join(', ')} } = require('${entry.specifier}');`,
      `  report['${entry.specifier}'] = { count: Object.keys(require('${entry.specifier}')).filter((k) => k !== '__esModule').length,`,
      `    types: { ${sample.map((n) => `${n}: typeof ${n}`).join(', ')} } }; }`,
    );
  }
  lines.push('console.log(JSON.stringify(report));');
  return `${lines.join('\n')}\n`;
}

const ordersConsumer = `import { Consumer } from '@decanter/consumer-core';
export class OrdersConsumer extends Consumer {
  async consume() {
    for (const message of this.messages) globalThis.total = (globalThis.total ?? 0) + message.payload.total;
  }
}
`;

const kitCheck = `import { fileURLToPath } from 'node:url';
import { createTestingKit } from '@decanter/consumer-core/testing';
const module = fileURLToPath(new URL('./orders-consumer.mjs', import.meta.url));
const kit = createTestingKit([{ consumerGroup: 'orders-app', topics: [{ topic: 'orders', consumer: { module, export: 'OrdersConsumer' } }] }]);
const consumer = kit.consumerFor('orders', { partition: 0 });
consumer.feed([{ total: 5 }, { total: 7 }]);
const run = await consumer.consume();
console.log(JSON.stringify({ size: run.size, markedOffset: run.markedOffset, total: globalThis.total }));
`;

let project: string;

beforeAll(async () => {
  project = await emptyProject({
    name: 'esm-and-commonjs',
    packages: publishablePackages().map((pkg) => pkg.name),
    files: {
      'check.mjs': esmCheck(),
      'check.cjs': cjsCheck(),
      'orders-consumer.mjs': ordersConsumer,
      'kit.mjs': kitCheck,
    },
  });
}, 240_000);

function expectedTypes(specifier: string): Record<string, string> {
  return Object.fromEntries((SAMPLE_EXPORTS[specifier]?.functions ?? []).map((name) => [name, 'function']));
}

test('an ES module (.mjs) gets every named export of every entry, the same values require() gives', async () => {
  const result = await run(project, process.execPath, ['check.mjs'], { timeoutMs: 30_000 });
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  const report = JSON.parse(result.stdout) as Record<
    string,
    { missing: string[]; count: number; types: Record<string, string> }
  >;
  for (const entry of entries) {
    expect({
      entry: entry.specifier,
      missing: report[entry.specifier]?.missing,
      types: report[entry.specifier]?.types,
    }).toEqual({
      entry: entry.specifier,
      missing: [],
      types: expectedTypes(entry.specifier),
    });
    expect(report[entry.specifier]!.count).toBeGreaterThan(0);
  }
});

test('a CommonJS file (.cjs) gets the named exports of every entry from require()', async () => {
  const result = await run(project, process.execPath, ['check.cjs'], { timeoutMs: 30_000 });
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  const report = JSON.parse(result.stdout) as Record<string, { count: number; types: Record<string, string> }>;
  for (const entry of entries) {
    expect({ entry: entry.specifier, types: report[entry.specifier]?.types }).toEqual({
      entry: entry.specifier,
      types: expectedTypes(entry.specifier),
    });
    expect(report[entry.specifier]!.count).toBeGreaterThan(0);
  }
});

// the testing kit (synchronous) loads consumer modules with require() — `decanter server` and the App's
// workers import() them — so an ES module one needs a Node whose require() loads ES modules
// (20.19+, 22.12+, 23+; Jest's sandboxed `process` does not carry process.features.require_module)
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const requireLoadsEsm = major >= 23 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
(requireLoadsEsm ? test : test.skip)(
  'an ES module consumer (.mjs) runs through the testing kit from an ES module test',
  async () => {
    const result = await run(project, process.execPath, ['kit.mjs'], { timeoutMs: 30_000 });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({ size: 2, markedOffset: 2, total: 12 });
  },
);
