// The sticky assignment under random groups (fast-check): every partition of a topic goes to
// exactly one member subscribed to it; members of a topic differ by at most one partition of it;
// a member keeps what it held as long as its quota allows (so moves are the fewest balance
// needs); and with no claims at all it is still balanced.
import fc from 'fast-check';
import { movedPartitions, stickyAssignment, type Assignment, type StickyMember } from '../../../src/connection/sticky-assignment';

const TOPICS = ['a', 'b', 'c'];

interface Scenario {
  partitions: Record<string, number>;
  members: StickyMember[];
}

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    partitions: fc.record({ a: fc.integer({ min: 0, max: 24 }), b: fc.integer({ min: 0, max: 8 }), c: fc.integer({ min: 0, max: 3 }) }),
    members: fc.uniqueArray(
      fc.record({
        memberId: fc.string({ minLength: 1, maxLength: 6 }),
        topics: fc.subarray(TOPICS, { minLength: 1 }),
        previous: fc.record({ a: fc.uniqueArray(fc.integer({ min: 0, max: 30 })), b: fc.uniqueArray(fc.integer({ min: 0, max: 10 })), c: fc.uniqueArray(fc.integer({ min: 0, max: 4 })) }),
      }),
      { minLength: 1, maxLength: 7, selector: (m) => m.memberId },
    ),
  })
  .map((s) => s);

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function checkBalanced(s: Scenario, result: Assignment): void {
  for (const topic of TOPICS) {
    const subscribers = s.members.filter((m) => m.topics.includes(topic));
    const counts = subscribers.map((m) => result.get(m.memberId)?.[topic]?.length ?? 0);
    const owned = [...result.entries()].flatMap(([id, topics]) => (topics[topic] ?? []).map((p) => ({ id, p })));
    if (subscribers.length === 0) {
      expect(owned).toEqual([]);
      continue;
    }
    // each partition exactly once, to a subscriber
    expect(owned.map((o) => o.p).sort((x, y) => x - y)).toEqual(range(s.partitions[topic]!));
    for (const o of owned) expect(subscribers.map((m) => m.memberId)).toContain(o.id);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  }
}

test('balanced, complete and subscription-aware whatever the claims', () => {
  fc.assert(
    fc.property(scenario, (s) => {
      checkBalanced(s, stickyAssignment(s.members, (t) => range(s.partitions[t]!)));
    }),
    { numRuns: 400 },
  );
});

test('a member keeps its claims up to its quota: a valid balanced claim set is kept as it is', () => {
  fc.assert(
    fc.property(scenario, (s) => {
      const first = stickyAssignment(s.members, (t) => range(s.partitions[t]!));
      // everyone rejoins claiming what they got: nothing moves
      const again = s.members.map((m) => ({ ...m, previous: first.get(m.memberId)! }));
      expect(movedPartitions(first, stickyAssignment(again, (t) => range(s.partitions[t]!)))).toBe(0);
    }),
    { numRuns: 300 },
  );
});

test('adding a member to N moves only what the new quota needs: about P/(N+1) partitions', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 48 }), (n, partitions) => {
      const members = range(n).map((i) => ({ memberId: `m${i}`, topics: ['a'], previous: {} }));
      const before = stickyAssignment(members, () => range(partitions));
      const joined = [...members.map((m) => ({ ...m, previous: before.get(m.memberId)! })), { memberId: 'new', topics: ['a'], previous: {} }];
      const after = stickyAssignment(joined, () => range(partitions));
      // only the partitions the newcomer takes move
      expect(movedPartitions(before, after)).toBe(after.get('new')?.['a']?.length ?? 0);
      const taken = after.get('new')?.['a']?.length ?? 0;
      expect(taken).toBeGreaterThanOrEqual(Math.floor(partitions / (n + 1)));
      expect(taken).toBeLessThanOrEqual(Math.ceil(partitions / (n + 1)));
    }),
    { numRuns: 300 },
  );
});

test('a member leaving: its partitions spread over the others, nothing else moves', () => {
  const members = range(4).map((i) => ({ memberId: `m${i}`, topics: ['a'], previous: {} }));
  const before = stickyAssignment(members, () => range(8));
  const remaining = members.slice(0, 3).map((m) => ({ ...m, previous: before.get(m.memberId)! }));
  const after = stickyAssignment(remaining, () => range(8));
  expect(movedPartitions(before, after)).toBe(2); // m3's two partitions
  expect([...after.values()].map((t) => t['a']!.length).sort()).toEqual([2, 3, 3]);
});

test('round-robin would move most partitions on the same step (the difference the sticky one makes)', () => {
  // what KafkaJS-style round-robin gives 3 then 4 members of 12 partitions
  const rr = (n: number): Assignment => new Map(range(n).map((i) => [`m${i}`, { a: range(12).filter((p) => p % n === i) }]));
  const members = range(3).map((i) => ({ memberId: `m${i}`, topics: ['a'], previous: rr(3).get(`m${i}`)! }));
  const sticky = stickyAssignment([...members, { memberId: 'm3', topics: ['a'], previous: {} }], () => range(12));
  expect(movedPartitions(rr(3), rr(4))).toBe(9);
  expect(movedPartitions(rr(3), sticky)).toBe(3);
});
