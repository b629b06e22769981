// Whether Node runs a file as CommonJS or as an ES module, decided as Node decides it: the
// extension (.cjs/.cts, .mjs/.mts), else the `type` of the nearest package.json. Used to pick how a
// TypeScript file is loaded (module-loader.ts); it never reads the file itself.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type ModuleFormat = 'commonjs' | 'module';

export function moduleFormat(file: string): ModuleFormat {
  if (/\.c[jt]s$/.test(file)) return 'commonjs';
  if (/\.m[jt]s$/.test(file)) return 'module';
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type === 'module' ? 'module' : 'commonjs';
      } catch {
        return 'commonjs'; // Node refuses an unreadable package.json later, with its own message
      }
    }
    if (dirname(dir) === dir) return 'commonjs';
  }
}

/** `.ts`, `.cts`, `.mts`: files that need a TypeScript loader (or Node's type stripping). */
export function isTypeScriptFile(file: string): boolean {
  return /\.[cm]?ts$/.test(file);
}
