// Builds the benchmark consumer classes (scripts/bench/consumers/*.ts) to plain CommonJS in
// scripts/bench/consumers/dist/ (git-ignored) once per run, so the framework's worker threads load
// them with require(). Without this each worker thread would register ts-node on its first job —
// about a second of compiler start-up landing inside the measured window.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

const source = join(__dirname, '..', 'consumers');
const out = join(source, 'dist');

/** Transpiles every consumer module; returns the absolute path of `name` (without extension) in the output. */
export function benchConsumerModule(name: string): string {
  buildOnce();
  return join(out, `${name}.js`);
}

let built = false;

function buildOnce(): void {
  if (built) return;
  mkdirSync(out, { recursive: true });
  for (const file of readdirSync(source).filter((f) => f.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(source, file), 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    writeFileSync(join(out, file.replace(/\.ts$/, '.js')), outputText);
  }
  built = true;
}
