// Claim: linger (queue.buffering.max.ms) and batch.size decide how messages become Produce
// requests. Linger 0 sends each awaited message at once (no waiting, one request each) while
// messages produced together share one, and messages produced while their partition's request is
// in flight leave together in the next one; a linger collects every message produced within
// it into one request; a batch that reaches batch.size goes without waiting for the linger.
// Counted with KafkaJS's own request instrumentation, never with wall time.
import { cleanUp, countProduceRequests, newProducer, topic } from './support';

afterAll(cleanUp);

describe('batching', () => {
  it('linger 0: one request per awaited produceSync, one request for a same-tick produceMany', async () => {
    const t = await topic('linger0');
    const producer = newProducer({ 'queue.buffering.max.ms': 0 });
    await producer.connect();
    await producer.produceSync({ topic: t, payload: 'warm-up' }); // loads metadata
    const requests = countProduceRequests(producer);
    for (let i = 0; i < 10; i += 1) await producer.produceSync({ topic: t, payload: `one-${i}` });
    expect(requests.count).toBe(10);
    const reports = await producer.produceManySync(Array.from({ length: 10 }, (_, i) => ({ topic: t, payload: `many-${i}` })));
    expect(requests.count).toBe(11);
    expect(reports.map((r) => Number(r.offset))).toEqual(Array.from({ length: 10 }, (_, i) => 11 + i));
  });

  it('linger 0: messages produced one by one while their partition is busy leave together, in order', async () => {
    const t = await topic('linger0-busy');
    const producer = newProducer({ 'queue.buffering.max.ms': 0 });
    await producer.connect();
    await producer.produceSync({ topic: t, partition: 0, payload: 'warm-up' });
    const requests = countProduceRequests(producer);
    const handles = [];
    // Each awaited produceAsync ends a synchronous run (its own sealed batch); the first goes at
    // once and the rest queue behind it, to be merged.
    for (let i = 0; i < 200; i += 1) handles.push(await producer.produceAsync({ topic: t, partition: 0, payload: `m-${i}` }));
    const reports = await Promise.all(handles.map((h) => h.wait()));
    expect(reports.map((r) => Number(r.offset))).toEqual(Array.from({ length: 200 }, (_, i) => 1 + i));
    expect(requests.count).toBeGreaterThanOrEqual(2);
    expect(requests.count).toBeLessThanOrEqual(5);
  });

  it('a linger collects messages produced one by one within it into one request', async () => {
    const t = await topic('linger');
    const producer = newProducer({ 'queue.buffering.max.ms': 1_000 });
    await producer.connect();
    await producer.produceSync({ topic: t, payload: 'warm-up' });
    const requests = countProduceRequests(producer);
    const handles = [];
    for (let i = 0; i < 20; i += 1) handles.push(await producer.produceAsync({ topic: t, payload: `m-${i}` }));
    expect(requests.count).toBe(0); // all lingering
    const reports = await Promise.all(handles.map((h) => h.wait()));
    expect(requests.count).toBe(1);
    expect(new Set(reports.map((r) => r.partition)).size).toBe(1);
  });

  it('a batch that reaches batch.size is sent without waiting for the linger', async () => {
    const t = await topic('batch-size');
    // Each message is 100 bytes of payload + 32 bytes of counted overhead = 132: five fill 660.
    const producer = newProducer({ 'queue.buffering.max.ms': 600_000, 'batch.size': 660 });
    await producer.connect();
    const dispatched: number[] = [];
    producer.on('request.dispatched', (e) => dispatched.push(e.messageCount));
    const payload = Buffer.alloc(100, 'b');
    const requests = countProduceRequests(producer);
    const handles = [];
    for (let i = 0; i < 22; i += 1) handles.push(await producer.produceAsync({ topic: t, payload }));
    // 20 of the 22 are in four full batches: they are acknowledged although the linger is 10 min.
    const reports = await Promise.all(handles.slice(0, 20).map((h) => h.wait()));
    expect(reports.map((r) => Number(r.offset))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(dispatched).toEqual([5, 5, 5, 5]);
    expect(requests.count).toBe(4);
    expect(producer.queued).toBe(2); // the open batch still lingers
    await producer.close(); // ... until close flushes it
    expect(dispatched).toEqual([5, 5, 5, 5, 2]);
    expect((await handles[21]?.wait())?.offset).toBe('21');
  });

  it('keyless messages stick to one partition per batch instead of scattering', async () => {
    const t = await topic('sticky', 6);
    const producer = newProducer({ 'queue.buffering.max.ms': 0 });
    const reports = await producer.produceManySync(Array.from({ length: 60 }, (_, i) => ({ topic: t, payload: `k-${i}` })));
    expect(new Set(reports.map((r) => r.partition)).size).toBe(1);
  });
});
