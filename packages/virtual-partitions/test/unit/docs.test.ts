// Keeps the shared docs in sync with this package: docs/errors.md lists every error code of
// @decanter/virtual-partitions (and only those) and its error.occurred type; docs/instrumentation.md
// names the package's event with every field of its payload, and every field of its partition
// statistics.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualPartitionsErrorCodes } from '@decanter/virtual-partitions';

const read = (...path: string[]): string => readFileSync(join(__dirname, '..', '..', ...path), 'utf8');
const errorsDoc = read('..', '..', 'docs', 'errors.md');
const instrumentationDoc = read('..', '..', 'docs', 'instrumentation.md');

/** Field names of `interface <name> { … }` in a source file of this package. */
function fieldsOf(file: string, name: string): string[] {
  const body = new RegExp(`export interface ${name} \\{([^}]+)\\}`).exec(read('src', file))?.[1] ?? '';
  return [...body.matchAll(/^ {2}(?:readonly )?([a-zA-Z]+)\??:/gm)].map((m) => m[1]!);
}

test('docs/errors.md lists every code of @decanter/virtual-partitions, and only those', () => {
  const start = errorsDoc.indexOf('## @decanter/virtual-partitions');
  expect(start).toBeGreaterThan(0);
  const end = errorsDoc.indexOf('\n## ', start + 1);
  const section = errorsDoc.slice(start, end < 0 ? undefined : end);
  const codes = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!);
  expect(codes.sort()).toEqual([...VirtualPartitionsErrorCodes].sort());
});

test.each([
  ['errors.md', errorsDoc],
  ['instrumentation.md', instrumentationDoc],
])("docs/%s names the error.occurred type 'virtual_partitions.partitioner.error'", (_, doc) => {
  expect(doc).toContain('`virtual_partitions.partitioner.error`');
});

test('docs/instrumentation.md documents virtual_partitions.distributed with every payload field', () => {
  const fields = fieldsOf('feature.ts', 'VirtualPartitionsDistributedEvent');
  expect(fields).toEqual(expect.arrayContaining(['messages', 'skipped', 'virtualPartitions', 'skew', 'collapsed']));
  expect(instrumentationDoc).toContain('`virtual_partitions.distributed`');
  const missing = fields.filter((f) => !instrumentationDoc.includes(`\`${f}\``));
  expect({ 'payload fields missing from docs/instrumentation.md': missing }).toEqual({
    'payload fields missing from docs/instrumentation.md': [],
  });
});

test('docs/instrumentation.md documents every field of the virtualPartitions partition statistics', () => {
  const fields = fieldsOf('strategy.ts', 'VirtualPartitionsStatistics');
  expect(fields.length).toBeGreaterThan(3);
  const block = /virtualPartitions: \{ ([^}]+) \}/.exec(instrumentationDoc)?.[1] ?? '';
  expect({
    'statistics fields in docs/instrumentation.md': block
      .split(',')
      .map((f) => f.trim())
      .sort(),
  }).toEqual({ 'statistics fields in docs/instrumentation.md': [...fields].sort() });
});
