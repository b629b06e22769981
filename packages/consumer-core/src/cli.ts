#!/usr/bin/env node
// `decanter server <app file>`: loads a module exporting an App (`module.exports`, `default` or
// `app`) or a factory returning one (`module.exports`, `default`, `createApp`), and runs it with
// graceful shutdown.
import { resolve } from 'node:path';
import type { App } from './app';
import { DependencyMissingError, hasErrorCode } from './errors';
import { EXIT_CODES, runServer } from './server';

const USAGE = 'Usage: decanter server <app file (.js, or .ts with ts-node installed)>';

function isApp(value: unknown): value is App {
  return typeof value === 'object' && value !== null && typeof (value as App).start === 'function' && typeof (value as App).stop === 'function';
}

async function loadApp(file: string): Promise<App> {
  if (/\.[cm]?ts$/.test(file)) {
    let tsNode: { register(options: object): unknown };
    try {
      tsNode = require(require.resolve('ts-node', { paths: [file, process.cwd(), __dirname] })) as typeof tsNode;
    } catch (error) {
      throw new DependencyMissingError(`${file} is TypeScript: install the optional peer dependency ts-node, or run the built .js`, { cause: error });
    }
    tsNode.register({ transpileOnly: true, compilerOptions: { module: 'commonjs', moduleResolution: 'node10' } });
  }
  const mod = require(file) as unknown;
  // module.exports = app / module.exports = factory (CommonJS), or named / default exports
  const candidates = [mod, ...['default', 'app', 'createApp'].map((name) => (mod as Record<string, unknown> | null)?.[name])];
  for (let candidate of candidates) {
    if (typeof candidate === 'function' && !isApp(candidate)) candidate = await (candidate as () => unknown)();
    if (isApp(candidate)) return candidate;
  }
  throw new Error(`${file} must export an App (module.exports, default or 'app') or a factory returning one (module.exports, default or 'createApp')`);
}

async function main(argv: string[]): Promise<void> {
  const [command, file] = argv;
  if (command !== 'server' || file === undefined) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(EXIT_CODES.startFailed);
  }
  let app: App;
  try {
    app = await loadApp(resolve(file));
  } catch (error) {
    process.stderr.write(`decanter: cannot load ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
    // any Decanter ConfigurationError: the App's, or that of a producer the app file builds
    process.exit(hasErrorCode(error, 'CONFIGURATION_INVALID') ? EXIT_CODES.configuration : EXIT_CODES.startFailed);
  }
  await runServer(app);
}

void main(process.argv.slice(2));
