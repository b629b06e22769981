// From what a route names as its module — an absolute path, a `file:` URL string or a URL object
// (`new URL('./orders-consumer.js', import.meta.url)`, the ES module way) — to the file on disk.
// Runs at construction (routing/router.ts), so a wrong path fails before anything connects.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MODULE_EXTENSIONS = ['', '.js', '.cjs', '.mjs', '.ts', '.cts', '.mts', '/index.js', '/index.mjs', '/index.ts', '/index.mts'];

/** The rule a module location must follow, as the configuration error states it. */
export const MODULE_LOCATION_RULE =
  "must be an absolute path or a file: URL (CommonJS: join(__dirname, 'orders-consumer'); ES module: new URL('./orders-consumer.js', import.meta.url))";

/** A URL object, of this realm or another (a test sandbox's, another copy's): by its tag, not instanceof. */
export function isUrl(value: unknown): value is URL {
  return Object.prototype.toString.call(value) === '[object URL]';
}

/** The absolute path a module location names, or undefined when it names none (relative, not a file: URL, not a string or URL). */
export function modulePathOf(location: unknown): string | undefined {
  const url = isUrl(location) ? new URL(location.href) : typeof location === 'string' && /^file:/i.test(location) ? tryUrl(location) : undefined;
  if (url !== undefined) {
    try {
      return url.protocol === 'file:' ? fileURLToPath(url) : undefined;
    } catch {
      return undefined; // a file: URL with a host (file://server/share) names no local file
    }
  }
  if (typeof location !== 'string' || location.trim() === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return undefined;
  return isAbsolute(location) ? location : undefined;
}

function tryUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** Finds the file a module path names, trying the extensions Node and the TypeScript loaders would. */
export function resolveModuleFile(path: string): string | undefined {
  for (const ext of MODULE_EXTENSIONS) {
    const candidate = ext.startsWith('/') ? join(path, ext.slice(1)) : path + ext;
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}
