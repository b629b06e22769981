// Claim: an alias stands for its setting (the key the user wrote is remembered for messages), and
// both names set to different values is one issue naming both.
import { resolveAliases } from '@decanter/producer';

const path = (key: string): string => `kafka['${key}']`;

it('moves an alias to its name and remembers what was written', () => {
  const r = resolveAliases({ 'linger.ms': 5, other: 1 }, { 'linger.ms': 'queue.buffering.max.ms' }, path);
  expect(r.values).toEqual({ 'queue.buffering.max.ms': 5, other: 1 });
  expect(r.written('queue.buffering.max.ms')).toBe('linger.ms');
  expect(r.written('other')).toBe('other');
  expect(r.issues).toEqual([]);
});

it('reports a conflict naming both keys, unless `same` says the values agree', () => {
  const aliases = { acks: 'request.required.acks' };
  const conflict = resolveAliases({ acks: 1, 'request.required.acks': 0 }, aliases, path);
  expect(conflict.issues).toEqual([{ path: "kafka['request.required.acks']", rule: "conflicts with its alias kafka['acks'] (1)", value: 0 }]);
  expect(conflict.values).toEqual({ 'request.required.acks': 0 });
  const agree = resolveAliases({ acks: 'all', 'request.required.acks': -1 }, aliases, path, (_n, a, b) => (a === 'all' ? -1 : a) === (b === 'all' ? -1 : b));
  expect(agree.issues).toEqual([]);
});
