import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DependencyMissingError } from '../errors';

/**
 * The file piscina starts in each worker thread: always the BUILT worker (dist/processing/worker.js).
 * Under ts-jest this module runs from src/, where worker.ts cannot be loaded by a plain worker
 * thread (Jest's transform does not apply there), so the path is redirected to dist/.
 */
export function workerEntryPath(): string {
  if (__filename.endsWith('.js')) return join(__dirname, 'worker.js');
  const built = resolve(__dirname, '..', '..', 'dist', 'processing', 'worker.js');
  if (!existsSync(built)) {
    throw new DependencyMissingError(
      `The worker entry ${built} is missing: build @decanter/consumer-core first (pnpm build).`,
    );
  }
  return built;
}
