// Which TypeScript loader runs a user's .ts file (an app file given to `decanter server`, a consumer
// or deserializer module in a worker thread), and registering it once per thread. It uses what the
// user has, in this order: a loader the process was started with (`tsx app.ts`, `node --import
// tsx`), tsx, ts-node (only with a TypeScript below 7: ts-node 10 crashes on TypeScript 7's API with
// "Cannot read properties of undefined (reading 'fileExists')"), Node's own type stripping.
// DECANTER_TS_LOADER=tsx|ts-node|node picks one (ts-node for emitDecoratorMetadata, say).
// It never installs anything and never falls back to a loader that cannot work: a failure names
// exactly what to add. It must not name one package manager's install command (users have their own).
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DependencyMissingError } from '../errors';
import { dynamicImport } from './dynamic-import';
import type { ModuleFormat } from './module-format';

/** The values DECANTER_TS_LOADER takes. `node`: Node's own type stripping. */
export const TYPESCRIPT_LOADERS = ['tsx', 'ts-node', 'node'] as const;
export type TypeScriptLoaderName = (typeof TYPESCRIPT_LOADERS)[number];

/** The environment variable that picks a loader instead of the automatic choice. */
export const LOADER_VARIABLE = 'DECANTER_TS_LOADER';

/** What the choice looks at: `currentEnvironment(file)` reads the real one; tests pass their own. */
export interface LoaderEnvironment {
  /** The value of DECANTER_TS_LOADER, if set. */
  requested: string | undefined;
  /** A TypeScript loader the process was started with (the --import/--loader value), if any. */
  preloaded: string | undefined;
  /** Resolves a request (`tsx/package.json`) from the user's project, or undefined when it is not installed. */
  resolve(request: string): string | undefined;
  /** The `version` field of a package.json. */
  versionOf(packageJson: string): string | undefined;
  /** `process.versions.node`. */
  nodeVersion: string;
  /** Node strips types itself (`process.features.typescript`, or started with --experimental-strip-types). */
  nodeStripsTypes: boolean;
  /** `module.register` exists (Node 20.6+): ESM loader hooks can be registered at run time. */
  canRegisterHooks: boolean;
}

export type LoaderChoice =
  | { kind: 'preloaded'; by: string }
  | { kind: 'node' }
  | { kind: 'tsx'; packageJson: string; cjsApi: string }
  | { kind: 'ts-node'; entry: string; esmEntry: string; typescriptVersion: string };

const ADD_TSX = "add tsx to the project's devDependencies (it runs TypeScript and ES modules with no configuration and needs no TypeScript compiler)";
const NODE_STRIPS = 'or run on Node.js 22.18+ or 23.6+, which strip types themselves';

const major = (version: string | undefined): number => Number(/^(\d+)/.exec(version ?? '')?.[1] ?? NaN);

/** Why ts-node cannot be used, in words that end in what to do. */
type TsNodeProblem = { missing: 'ts-node' } | { missing: 'typescript' } | { typescript7: string; at: string };

function tsNodeChoice(env: LoaderEnvironment): LoaderChoice | TsNodeProblem {
  const entry = env.resolve('ts-node');
  if (entry === undefined) return { missing: 'ts-node' };
  const esmEntry = env.resolve('ts-node/esm') ?? join(dirname(entry), '..', 'esm.mjs');
  const typescript = env.resolve('typescript/package.json');
  const typescriptVersion = typescript === undefined ? undefined : env.versionOf(typescript);
  if (typescript === undefined || typescriptVersion === undefined) return { missing: 'typescript' };
  // ts-node 10 calls the compiler API that TypeScript 7 (the native port) no longer has
  if (major(typescriptVersion) >= 7) return { typescript7: typescriptVersion, at: dirname(typescript) };
  return { kind: 'ts-node', entry, esmEntry, typescriptVersion };
}

function tsNodeProblem(problem: TsNodeProblem): string {
  if ('typescript7' in problem) {
    return `ts-node cannot run it with TypeScript ${problem.typescript7} (${problem.at}): ts-node 10 works only with TypeScript below 7. Pin typescript to 5.9 or 6.0 for ts-node, or ${ADD_TSX}; ${NODE_STRIPS}`;
  }
  if (problem.missing === 'typescript') {
    return `ts-node is installed but typescript, which it compiles with, is not: add typescript below 7 (5.9 or 6.0), or ${ADD_TSX}; ${NODE_STRIPS}`;
  }
  return `ts-node is not installed: add ts-node with typescript below 7, or ${ADD_TSX}; ${NODE_STRIPS}`;
}

function tsxChoice(env: LoaderEnvironment): LoaderChoice | undefined {
  const packageJson = env.resolve('tsx/package.json');
  const cjsApi = env.resolve('tsx/cjs/api');
  return packageJson === undefined || cjsApi === undefined ? undefined : { kind: 'tsx', packageJson, cjsApi };
}

/** tsx and ts-node load an ES module file through ES module hooks, which need module.register. */
function assertLoads(choice: LoaderChoice, file: string, format: ModuleFormat, env: LoaderEnvironment): LoaderChoice {
  if ((choice.kind === 'tsx' || choice.kind === 'ts-node') && format === 'module' && !env.canRegisterHooks) {
    throw new DependencyMissingError(
      `${file} is an ES module in TypeScript: loading it with ${choice.kind} needs Node.js 20.6+ (module.register); this is Node.js ${env.nodeVersion}`,
    );
  }
  return choice;
}

function requestedLoader(requested: string, file: string, env: LoaderEnvironment): LoaderChoice {
  if (!(TYPESCRIPT_LOADERS as readonly string[]).includes(requested)) {
    throw new DependencyMissingError(`${LOADER_VARIABLE} must be one of ${TYPESCRIPT_LOADERS.join(', ')} (got '${requested}')`);
  }
  if (requested === 'node') {
    if (env.nodeStripsTypes) return { kind: 'node' };
    throw new DependencyMissingError(
      `${LOADER_VARIABLE} is 'node' but Node.js ${env.nodeVersion} does not strip types: Node.js 22.18+ and 23.6+ do (22.6+ with --experimental-strip-types); or ${ADD_TSX}`,
    );
  }
  if (requested === 'tsx') {
    const tsx = tsxChoice(env);
    if (tsx !== undefined) return tsx;
    throw new DependencyMissingError(`${LOADER_VARIABLE} is 'tsx' but tsx (4 or later) is not installed where ${file} or the working directory can find it: ${ADD_TSX}`);
  }
  const tsNode = tsNodeChoice(env);
  if ('kind' in tsNode) return tsNode;
  throw new DependencyMissingError(`${LOADER_VARIABLE} is 'ts-node' but ${tsNodeProblem(tsNode)}`);
}

/**
 * The loader for `file`, or a DependencyMissingError naming what to add. `format` matters only for
 * the ES module hooks tsx and ts-node need for an ES module file (Node 20.6+).
 */
export function chooseTypeScriptLoader(file: string, format: ModuleFormat, env: LoaderEnvironment): LoaderChoice {
  const requested = env.requested?.trim();
  if (requested !== undefined && requested !== '') return assertLoads(requestedLoader(requested, file, env), file, format, env);
  if (env.preloaded !== undefined) return { kind: 'preloaded', by: env.preloaded };
  const tsx = tsxChoice(env);
  if (tsx !== undefined) return assertLoads(tsx, file, format, env);
  const tsNode = tsNodeChoice(env);
  if ('kind' in tsNode) return assertLoads(tsNode, file, format, env);
  if (env.nodeStripsTypes) return { kind: 'node' };
  if ('missing' in tsNode && tsNode.missing === 'ts-node') {
    throw new DependencyMissingError(
      `${file} is TypeScript, and nothing here runs TypeScript (no tsx, no ts-node, and Node.js ${env.nodeVersion} does not strip types): ` +
        `${ADD_TSX}, or ts-node with typescript below 7; ${NODE_STRIPS}; or build it to .js`,
    );
  }
  throw new DependencyMissingError(`${file} is TypeScript, and ${tsNodeProblem(tsNode)}`);
}

// --- the real environment -------------------------------------------------------------------

const TS_PRELOAD = /(^|[\\/@:])(tsx|ts-node[\\/]esm|@swc-node[\\/]register|esbuild-register)([\\/.?]|$)/;

/** The value of an --import / --loader flag that registers a TypeScript loader (ES module hooks), in execArgv or NODE_OPTIONS. */
function preloadedLoader(execArgv: readonly string[], nodeOptions: string): string | undefined {
  const args = [...execArgv, ...nodeOptions.split(/\s+/).filter((a) => a !== '')];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const inline = /^--(?:import|loader|experimental-loader)=(.+)$/.exec(arg);
    const value = inline ? inline[1] : /^--(?:import|loader|experimental-loader)$/.test(arg) ? args[i + 1] : undefined;
    if (value !== undefined && TS_PRELOAD.test(value.replace(/^['"]|['"]$/g, ''))) return value;
  }
  return undefined;
}

/** The environment of this process, resolving packages from `file`'s folder, then the working directory. */
export function currentEnvironment(file: string): LoaderEnvironment {
  const paths = [dirname(file), process.cwd()];
  const features = process.features as { typescript?: unknown };
  return {
    requested: process.env[LOADER_VARIABLE],
    preloaded: preloadedLoader(process.execArgv, process.env.NODE_OPTIONS ?? ''),
    resolve: (request) => {
      try {
        return require.resolve(request, { paths });
      } catch {
        return undefined;
      }
    },
    versionOf: (packageJson) => {
      try {
        const version = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown }).version;
        return typeof version === 'string' ? version : undefined;
      } catch {
        return undefined;
      }
    },
    nodeVersion: process.versions.node,
    nodeStripsTypes:
      Boolean(features.typescript) ||
      [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => /^--experimental-(strip|transform)-types$/.test(a)),
    canRegisterHooks: typeof nodeModule.register === 'function',
  };
}

// --- registering, once per thread -------------------------------------------------------------
// Every thread registers its own: Node runs module hooks per thread (a hooks thread shared by all
// workers, nodejs/node#52706, was reverted in #53183), and a worker does not inherit a require
// hook registered at run time by its parent.

let chosen: LoaderChoice | undefined;
let requireHooked = false;
let esmHooked = false;

/** The `import` target of a package's `exports[subpath]` (tsx 4's own CommonJS build of `tsx/esm/api` registers a wrong hooks path). */
function importTarget(packageJson: string, subpath: string): string {
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as { exports?: Record<string, unknown> };
  let target: unknown = manifest.exports?.[subpath];
  while (typeof target === 'object' && target !== null) {
    const conditions = target as Record<string, unknown>;
    target = conditions['import'] ?? conditions['node'] ?? conditions['default'];
  }
  if (typeof target !== 'string') throw new DependencyMissingError(`tsx at ${dirname(packageJson)} has no '${subpath}' export: tsx 4 or later is needed`);
  return join(dirname(packageJson), target);
}

/** ts-node's compiler options: each file emitted in the format Node runs it in (nodenext), whatever the project's tsconfig says. */
function tsNodeCompilerOptions(typescriptVersion: string): Record<string, string> {
  const [maj = 0, min = 0] = typescriptVersion.split('.').map(Number);
  return maj > 4 || (maj === 4 && min >= 7) ? { module: 'nodenext', moduleResolution: 'nodenext' } : { module: 'commonjs' };
}

/** A require hook for .ts is already there (the user's `-r ts-node/register`, `-r tsx/cjs`): do not stack a second. */
function hasRequireHook(): boolean {
  // require.extensions is deprecated for writing, still the place require hooks live
  return Object.prototype.hasOwnProperty.call(require.extensions, '.ts');
}

async function register(choice: LoaderChoice, format: ModuleFormat): Promise<void> {
  if (choice.kind === 'tsx') {
    if (!requireHooked) {
      if (!hasRequireHook()) (require(choice.cjsApi) as { register(): unknown }).register();
      requireHooked = true;
    }
    if (format === 'module' && !esmHooked) {
      const api = await dynamicImport(pathToFileURL(importTarget(choice.packageJson, './esm/api')).href);
      (api['register'] as () => unknown)();
      esmHooked = true;
    }
  } else if (choice.kind === 'ts-node') {
    const compilerOptions = tsNodeCompilerOptions(choice.typescriptVersion);
    if (!requireHooked) {
      if (!hasRequireHook()) {
        (require(choice.entry) as { register(options: object): unknown }).register({ transpileOnly: true, compilerOptions });
      }
      requireHooked = true;
    }
    if (format === 'module' && !esmHooked) {
      // ts-node's ES module hooks run in Node's hooks thread, which copies process.env when it
      // starts (at the first module.register) and builds its own ts-node from TS_NODE_* there; the
      // variables are put back right after, so nothing this process starts inherits them
      const saved = { only: process.env.TS_NODE_TRANSPILE_ONLY, options: process.env.TS_NODE_COMPILER_OPTIONS };
      process.env.TS_NODE_TRANSPILE_ONLY = 'true';
      process.env.TS_NODE_COMPILER_OPTIONS = JSON.stringify(compilerOptions);
      try {
        nodeModule.register(pathToFileURL(choice.esmEntry).href);
      } finally {
        restore('TS_NODE_TRANSPILE_ONLY', saved.only);
        restore('TS_NODE_COMPILER_OPTIONS', saved.options);
      }
      esmHooked = true;
    }
  }
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/**
 * Makes `file` loadable in this thread: chooses the loader the first time (the same one serves
 * every later file) and registers what `format` needs of it. Resolves with the choice.
 */
export async function ensureTypeScriptLoader(file: string, format: ModuleFormat, env: LoaderEnvironment = currentEnvironment(file)): Promise<LoaderChoice> {
  const choice = chosen === undefined ? chooseTypeScriptLoader(file, format, env) : assertLoads(chosen, file, format, env);
  chosen = choice;
  await register(choice, format);
  return choice;
}
