// Loads a user's module — an app file for `decanter server`, a consumer or deserializer module in
// a worker thread — through import(), so CommonJS, ES modules and top-level await all load, and
// finds an export in it the same way whichever format it has.
//
// The one exception: a CommonJS TypeScript file (.cts, or .ts in a package without
// "type": "module") under tsx or ts-node is loaded by their require hook. That is the format it
// runs in anyway (no top-level await, no import.meta), and import() of it would need their ES
// module hooks as well: a second compiler in Node's hooks thread, per worker thread (measured
// here: +70 MB of RSS per thread with ts-node, +33 MB with tsx).
import { pathToFileURL } from 'node:url';
import { DependencyMissingError } from '../errors';
import { dynamicImport, type ModuleNamespace } from './dynamic-import';
import { isTypeScriptFile, moduleFormat } from './module-format';
import { ensureTypeScriptLoader, LOADER_VARIABLE } from './typescript-loader';

const isObjectLike = (value: unknown): value is Record<string, unknown> =>
  (typeof value === 'object' && value !== null) || typeof value === 'function';

/** What import() gives for a CommonJS module: its named exports and `default` = module.exports. */
export function namespaceOf(exports: unknown): ModuleNamespace {
  return Object.freeze({ ...(isObjectLike(exports) ? exports : {}), default: exports });
}

/** Loads `file` (an absolute path) in this thread, registering a TypeScript loader first when it needs one. */
export async function loadModule(file: string): Promise<ModuleNamespace> {
  if (isTypeScriptFile(file)) {
    const format = moduleFormat(file);
    const loader = await ensureTypeScriptLoader(file, format);
    if (format === 'commonjs' && (loader.kind === 'tsx' || loader.kind === 'ts-node')) return namespaceOf(require(file));
  }
  try {
    return await dynamicImport(pathToFileURL(file).href);
  } catch (error) {
    // a loader the process was started with (or Node) turned out not to handle .ts after all
    if ((error as { code?: unknown } | null)?.code === 'ERR_UNKNOWN_FILE_EXTENSION' && isTypeScriptFile(file)) {
      throw new DependencyMissingError(
        `${file} is TypeScript and this process cannot import it: add tsx to the project's devDependencies, or set ${LOADER_VARIABLE}=tsx (or ts-node) to pick an installed loader`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * The export `name` of a loaded module, whatever its format: an ES module's named or default
 * export; for CommonJS, `module.exports.name` (also when Node's static analysis did not detect it
 * as a named export, as with esbuild's output) and, for `default`, the `exports.default` that
 * TypeScript, Babel and esbuild emit for `export default` (marked `__esModule`), else module.exports.
 */
export function moduleExport(namespace: ModuleNamespace, name: string): unknown {
  // Node 23+ also exposes a CommonJS module's module.exports under this name
  const commonJs = namespace['module.exports'] ?? namespace['default'];
  if (name === 'default') {
    if (isObjectLike(commonJs) && commonJs['__esModule'] === true && 'default' in commonJs) return commonJs['default'];
    return namespace['default'];
  }
  if (name in namespace) return namespace[name];
  return isObjectLike(commonJs) ? commonJs[name] : undefined;
}
