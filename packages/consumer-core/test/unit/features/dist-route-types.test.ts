// The route types users compile against are the BUILT declarations (dist/*.d.ts, reached through
// package.json "exports"): the built-in features' keys (declared by declaration merging in their
// own modules) must be in them, a feature package must be able to add its own, and the ./features
// entry must resolve. Compiles each fixture of fixtures/dist-types with tsc on its own (one pulling
// in a module would hide its absence from the other), under both module resolutions users have.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../../../..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const fixture = (name: string): string => join(__dirname, 'fixtures', 'dist-types', name);

test.each([
  ['routes.ts', 'node16', 'node16'],
  ['routes.ts', 'commonjs', 'node10'],
  ['feature-package.ts', 'node16', 'node16'],
  ['feature-package.ts', 'commonjs', 'node10'],
] as const)('%s type-checks against the built declarations (module %s, resolution %s)', (file, module, resolution) => {
  const dir = mkdtempSync(join(tmpdir(), 'decanter-dist-types-'));
  try {
    // no "paths": @decanter/consumer-core resolves through node_modules to the package's dist
    const config = { compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, target: 'es2022', module, moduleResolution: resolution, types: ['node'], typeRoots: [join(root, 'node_modules/@types')] }, files: [fixture(file)] };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config));
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      output = (error as { stdout?: string }).stdout ?? String(error);
    }
    expect({ 'compiler errors against the built declarations': output }).toEqual({ 'compiler errors against the built declarations': '' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
