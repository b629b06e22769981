// Claim: messages of different variants (acks / compression / timeout) produced at the same moment
// to the same partition go in separate Produce requests, each with its own settings; messages of
// the same variant still share one.
import { cleanUp, countProduceRequests, newProducer, topic } from './support';

afterAll(cleanUp);

it('keeps variants apart on the one connection', async () => {
  const t = await topic('variants');
  const producer = newProducer({ 'queue.buffering.max.ms': 200 });
  await producer.connect();
  await producer.produceSync({ topic: t, payload: 'warm-up' });
  const gzip = producer.variant({ compression: 'gzip' });
  const fast = producer.variant({ acks: 1, timeoutMs: 10_000 });
  const dispatched: Array<{ compression: string; acks: number; count: number }> = [];
  producer.on('request.dispatched', (e) => dispatched.push({ compression: e.compression, acks: e.acks, count: e.messageCount }));
  const requests = countProduceRequests(producer);
  const all = await Promise.all([
    producer.produceManyAsync([{ topic: t, payload: 'plain-1' }, { topic: t, payload: 'plain-2' }]),
    gzip.produceManyAsync([{ topic: t, payload: 'gzip-1' }, { topic: t, payload: 'gzip-2' }, { topic: t, payload: 'gzip-3' }]),
    fast.produceManyAsync([{ topic: t, payload: 'fast-1' }]),
  ]);
  const reports = await Promise.all(all.flat().map((h) => h.wait()));
  expect(new Set(reports.map((r) => r.offset)).size).toBe(6);
  expect(requests.count).toBe(3);
  expect(dispatched.sort((a, b) => a.count - b.count)).toEqual([
    { compression: 'none', acks: 1, count: 1 },
    { compression: 'none', acks: -1, count: 2 },
    { compression: 'gzip', acks: -1, count: 3 },
  ]);
});
