// Which TypeScript loader runs a user's .ts file, and the message of every way it can fail: each
// names exactly what to add (issue 15: ts-node against TypeScript 7 crashed with "Cannot read
// properties of undefined (reading 'fileExists')", and tsx or Node's type stripping were refused).
import { chooseTypeScriptLoader, type LoaderEnvironment } from '../../../src/loading/typescript-loader';

const FILE = '/app/app.ts';
const installed = (packages: Record<string, string>) => (request: string) => packages[request];

function env(overrides: Partial<LoaderEnvironment> & { packages?: Record<string, string>; typescript?: string } = {}): LoaderEnvironment {
  const { packages = {}, typescript, ...rest } = overrides;
  const all = { ...packages, ...(typescript === undefined ? {} : { 'typescript/package.json': '/app/node_modules/typescript/package.json' }) };
  return {
    requested: undefined,
    preloaded: undefined,
    resolve: installed(all),
    versionOf: (file) => (file.includes('/typescript/') ? typescript : undefined),
    nodeVersion: '20.20.2',
    nodeStripsTypes: false,
    canRegisterHooks: true,
    ...rest,
  };
}

const TSX = { 'tsx/package.json': '/app/node_modules/tsx/package.json', 'tsx/cjs/api': '/app/node_modules/tsx/dist/cjs/api/index.cjs' };
const TS_NODE = { 'ts-node': '/app/node_modules/ts-node/dist/index.js', 'ts-node/esm': '/app/node_modules/ts-node/esm.mjs' };

test('tsx is used when it is installed, also beside ts-node', () => {
  expect(chooseTypeScriptLoader(FILE, 'module', env({ packages: { ...TSX, ...TS_NODE }, typescript: '5.9.3' }))).toMatchObject({ kind: 'tsx' });
});

test('a loader the process was started with (tsx app.ts, node --import tsx) is used as it is', () => {
  expect(chooseTypeScriptLoader(FILE, 'module', env({ preloaded: 'tsx', packages: TS_NODE, typescript: '5.9.3' }))).toEqual({ kind: 'preloaded', by: 'tsx' });
});

test('ts-node is used without tsx when its TypeScript is below 7', () => {
  expect(chooseTypeScriptLoader(FILE, 'commonjs', env({ packages: TS_NODE, typescript: '6.0.2' }))).toMatchObject({ kind: 'ts-node', typescriptVersion: '6.0.2' });
});

test('Node strips types itself: used when neither tsx nor a working ts-node is there', () => {
  expect(chooseTypeScriptLoader(FILE, 'module', env({ nodeStripsTypes: true }))).toEqual({ kind: 'node' });
  expect(chooseTypeScriptLoader(FILE, 'module', env({ nodeStripsTypes: true, packages: TS_NODE, typescript: '7.0.2' }))).toEqual({ kind: 'node' });
});

test('ts-node with TypeScript 7 is never used: the message names tsx and the TypeScript pin', () => {
  expect(() => chooseTypeScriptLoader(FILE, 'commonjs', env({ packages: TS_NODE, typescript: '7.0.2' }))).toThrow(
    "/app/app.ts is TypeScript, and ts-node cannot run it with TypeScript 7.0.2 (/app/node_modules/typescript): ts-node 10 works only with TypeScript below 7. " +
      "Pin typescript to 5.9 or 6.0 for ts-node, or add tsx to the project's devDependencies (it runs TypeScript and ES modules with no configuration and needs no TypeScript compiler); " +
      'or run on Node.js 22.18+ or 23.6+, which strip types themselves',
  );
});

test('ts-node without typescript: the message names both ways', () => {
  expect(() => chooseTypeScriptLoader(FILE, 'commonjs', env({ packages: TS_NODE }))).toThrow(
    '/app/app.ts is TypeScript, and ts-node is installed but typescript, which it compiles with, is not: add typescript below 7 (5.9 or 6.0), or add tsx',
  );
});

test('nothing that runs TypeScript: the message names tsx, ts-node and the Node.js versions that strip types', () => {
  let error: unknown;
  try {
    chooseTypeScriptLoader(FILE, 'module', env());
  } catch (caught) {
    error = caught;
  }
  expect(error).toMatchObject({ code: 'DEPENDENCY_MISSING' });
  expect((error as Error).message).toBe(
    '/app/app.ts is TypeScript, and nothing here runs TypeScript (no tsx, no ts-node, and Node.js 20.20.2 does not strip types): ' +
      "add tsx to the project's devDependencies (it runs TypeScript and ES modules with no configuration and needs no TypeScript compiler), or ts-node with typescript below 7; " +
      'or run on Node.js 22.18+ or 23.6+, which strip types themselves; or build it to .js',
  );
});

test('an ES module .ts under tsx or ts-node needs module.register (Node.js 20.6+)', () => {
  expect(() => chooseTypeScriptLoader(FILE, 'module', env({ packages: TSX, canRegisterHooks: false, nodeVersion: '20.5.0' }))).toThrow(
    '/app/app.ts is an ES module in TypeScript: loading it with tsx needs Node.js 20.6+ (module.register); this is Node.js 20.5.0',
  );
  expect(chooseTypeScriptLoader(FILE, 'commonjs', env({ packages: TSX, canRegisterHooks: false }))).toMatchObject({ kind: 'tsx' });
});

describe('DECANTER_TS_LOADER picks the loader', () => {
  test('ts-node beside tsx', () => {
    expect(chooseTypeScriptLoader(FILE, 'module', env({ requested: 'ts-node', packages: { ...TSX, ...TS_NODE }, typescript: '5.9.3' }))).toMatchObject({ kind: 'ts-node' });
  });

  test('node over an installed tsx, also when the process preloads one', () => {
    expect(chooseTypeScriptLoader(FILE, 'module', env({ requested: 'node', preloaded: 'tsx', packages: TSX, nodeStripsTypes: true }))).toEqual({ kind: 'node' });
  });

  test('an unknown value', () => {
    expect(() => chooseTypeScriptLoader(FILE, 'module', env({ requested: 'swc' }))).toThrow("DECANTER_TS_LOADER must be one of tsx, ts-node, node (got 'swc')");
  });

  test('tsx that is not installed', () => {
    expect(() => chooseTypeScriptLoader(FILE, 'module', env({ requested: 'tsx', packages: TS_NODE, typescript: '5.9.3' }))).toThrow(
      "DECANTER_TS_LOADER is 'tsx' but tsx (4 or later) is not installed where /app/app.ts or the working directory can find it: add tsx to the project's devDependencies",
    );
  });

  test('ts-node with TypeScript 7', () => {
    expect(() => chooseTypeScriptLoader(FILE, 'module', env({ requested: 'ts-node', packages: { ...TSX, ...TS_NODE }, typescript: '7.0.2' }))).toThrow(
      "DECANTER_TS_LOADER is 'ts-node' but ts-node cannot run it with TypeScript 7.0.2",
    );
  });

  test('node on a Node.js that does not strip types', () => {
    expect(() => chooseTypeScriptLoader(FILE, 'module', env({ requested: 'node' }))).toThrow(
      "DECANTER_TS_LOADER is 'node' but Node.js 20.20.2 does not strip types: Node.js 22.18+ and 23.6+ do (22.6+ with --experimental-strip-types); or add tsx",
    );
  });
});
