#!/usr/bin/env node
// `decanter server <app file>`: imports a module exporting an App (default export / module.exports,
// or `app`) or a factory returning one (default, or `createApp`), and runs it with graceful
// shutdown. The app file is loaded with import() (loading/module-loader.ts): CommonJS or ES module,
// top-level await included; TypeScript through whatever the user has (tsx, ts-node, Node's own).
import { resolve } from 'node:path';
import type { App } from './app';
import { hasErrorCode } from './errors';
import { loadModule, moduleExport } from './loading/module-loader';
import { EXIT_CODES, runServer } from './server';

const USAGE = 'Usage: decanter server <app file (.js, .mjs, .cjs; .ts with tsx, ts-node or a Node.js that strips types)>';

function isApp(value: unknown): value is App {
  return typeof value === 'object' && value !== null && typeof (value as App).start === 'function' && typeof (value as App).stop === 'function';
}

async function loadApp(file: string): Promise<App> {
  const namespace = await loadModule(file);
  for (const name of ['default', 'app', 'createApp']) {
    let candidate = moduleExport(namespace, name);
    if (typeof candidate === 'function' && !isApp(candidate)) candidate = await (candidate as () => unknown)();
    if (isApp(candidate)) return candidate;
  }
  throw new Error(
    `${file} must export an App (export default, module.exports or an export named 'app') or a factory returning one (default, or an export named 'createApp')`,
  );
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
