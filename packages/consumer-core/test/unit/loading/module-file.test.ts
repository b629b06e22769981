// Where a route's module is: an absolute path, a file: URL string or a URL object (the ES module
// way, from import.meta.url) all name the file; a relative path or another URL names none.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { modulePathOf, resolveModuleFile } from '../../../src/loading/module-file';
import { moduleFormat } from '../../../src/loading/module-format';

const fixture = join(__dirname, '..', 'fixtures', 'noop-consumer.ts');

test('absolute paths, file: URL strings and URL objects name a path', () => {
  expect(modulePathOf(fixture)).toBe(fixture);
  expect(modulePathOf(pathToFileURL(fixture).href)).toBe(fixture);
  expect(modulePathOf(pathToFileURL(fixture))).toBe(fixture);
  expect(modulePathOf(new URL('../fixtures/noop-consumer.ts', pathToFileURL(__filename)))).toBe(fixture);
});

test('relative paths, other URLs and non-strings name none', () => {
  for (const location of ['./orders-consumer', 'orders-consumer', '', 'https://example.com/x.js', new URL('https://example.com/x.js'), 'file://server/share/x.js', 42, null]) {
    expect(modulePathOf(location)).toBeUndefined();
  }
});

test('the file is found with the extensions Node and the TypeScript loaders try', () => {
  expect(resolveModuleFile(fixture.replace(/\.ts$/, ''))).toBe(fixture);
  expect(resolveModuleFile(join(__dirname, 'no-such-module'))).toBeUndefined();
});

test('the module format follows the extension, then the nearest package.json', () => {
  expect(moduleFormat('/x/a.mts')).toBe('module');
  expect(moduleFormat('/x/a.cts')).toBe('commonjs');
  expect(moduleFormat(fixture)).toBe('commonjs'); // the repository's package.json has no "type"
});
