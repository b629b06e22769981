// The package's one real dynamic `import()`: how app files and consumer modules of any format
// (CommonJS, ES modules, top-level await) are loaded. It must stay a real import() in the built
// CommonJS code, whatever compiles or bundles it.
//
// Why `new Function` and not a plain `import()`: under `module: node16` (our tsconfig) tsc keeps
// import() as is in CommonJS output, but under `module: commonjs` — ts-node's and ts-jest's usual
// override, older build set-ups, bundlers targeting CommonJS — it silently becomes
// `Promise.resolve().then(() => require(s))`, which cannot load an ES module with top-level await.
// Code built by the Function constructor is never rewritten by a compiler. Its import() has no
// referrer, so callers pass absolute file: URLs only.

/** What `import()` resolves with: a module namespace (a CommonJS module's `module.exports` is its `default`). */
export type ModuleNamespace = Readonly<Record<string, unknown>>;

const importer = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<ModuleNamespace>;

/** `import(url)` for an absolute file: URL (see the file header for why it is built this way). */
export function dynamicImport(url: string): Promise<ModuleNamespace> {
  return importer(url);
}
