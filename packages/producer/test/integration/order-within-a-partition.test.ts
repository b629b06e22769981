// Claim: messages of one partition are written in the order they were produced, even with many
// small batches, several requests in flight and asynchronous compression (which could let a
// later request overtake an earlier one inside KafkaJS): a partition never has two requests in
// flight. Offsets grow with produce order and a consumer reads the same order.
import { cleanUp, newProducer, readTopic, topic } from './support';

afterAll(cleanUp);

it('keeps produce order per partition', async () => {
  const t = await topic('order', 3);
  const producer = newProducer({
    'queue.buffering.max.ms': 0,
    'batch.num.messages': 7,
    'max.in.flight.requests.per.connection': 5,
    'compression.codec': 'gzip',
  });
  let maxBatchesPerRequest = 0;
  producer.on('request.dispatched', (e) => (maxBatchesPerRequest = Math.max(maxBatchesPerRequest, e.batches.length)));
  const handles = [];
  for (let i = 0; i < 600; i += 1) {
    // bursts of 60 in one tick, so batches queue up behind in-flight requests
    handles.push(producer.produceAsync({ topic: t, key: `k${i % 3}`, payload: `${i % 3}:${i}` }));
    if (i % 60 === 59) await new Promise((r) => setImmediate(r));
  }
  const reports = await Promise.all((await Promise.all(handles)).map((h) => h.wait()));
  expect(maxBatchesPerRequest).toBeGreaterThan(1); // requests did carry several partitions
  for (const key of [0, 1, 2]) {
    const mine = reports.filter((_, i) => i % 3 === key);
    const offsets = mine.map((r) => Number(r.offset));
    expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  }
  const read = await readTopic(t, (records) => records.length >= 600);
  for (const partition of [0, 1, 2]) {
    const values = read.filter((r) => r.partition === partition).map((r) => Number(r.value?.split(':')[1]));
    expect(values).toEqual([...values].sort((a, b) => a - b));
  }
});
