// Claim: acks 0, 1 and all each deliver; acks 0 resolves once the request is written and reports
// no offset, acks 1 / all report the offsets the broker assigned.
import { topicMessageCount, waitUntil } from '@decanter/test-helpers';
import { cleanUp, newProducer, topic } from './support';

afterAll(cleanUp);

it.each([
  [0, null],
  [1, 'offsets'],
  [-1, 'offsets'],
  ['all', 'offsets'],
] as const)('acks %p', async (acks, expectOffsets) => {
  const t = await topic(`acks-${acks}`);
  const producer = newProducer({ 'request.required.acks': acks, 'queue.buffering.max.ms': 1 });
  const reports = await producer.produceManySync(Array.from({ length: 25 }, (_, i) => ({ topic: t, payload: `a-${i}` })));
  if (expectOffsets === null) {
    expect(reports.every((r) => r.offset === null)).toBe(true);
  } else {
    expect(reports.map((r) => r.offset)).toEqual(Array.from({ length: 25 }, (_, i) => String(i)));
  }
  await waitUntil('all 25 messages in the topic', async () => (await topicMessageCount(t)) === 25);
});

it("the 'acks' alias and variants override the producer's acks", async () => {
  const t = await topic('acks-variant');
  const producer = newProducer({ acks: 1 });
  expect((await producer.produceSync({ topic: t, payload: 'x' })).offset).toBe('0');
  expect((await producer.variant({ acks: 0 }).produceSync({ topic: t, payload: 'y' })).offset).toBeNull();
});
