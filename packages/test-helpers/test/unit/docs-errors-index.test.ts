// Claim: docs/errors.md lists every error code of every package, and nothing that is not a code —
// adding a code without documenting it (or removing one) fails here.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PRODUCER_ERROR_CODES } from '@decanter/producer';
import { ConsumerErrorCodes } from '@decanter/consumer-core';

const doc = readFileSync(resolve(__dirname, '../../../../docs/errors.md'), 'utf8');
const codesIn = (section: string): string[] => {
  const start = doc.indexOf(`## ${section}`);
  const end = doc.indexOf('\n## ', start + 1);
  return [...doc.slice(start, end < 0 ? undefined : end).matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!);
};

test('every producer code, and only those', () => {
  expect(codesIn('@decanter/producer').sort()).toEqual([...PRODUCER_ERROR_CODES].sort());
});

test('every consumer code, and only those', () => {
  expect(codesIn('@decanter/consumer-core').sort()).toEqual([...ConsumerErrorCodes].sort());
});
