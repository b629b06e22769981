// Claim: close() loses nothing it accepted: it flushes the application buffer and every queued
// (lingering) message, waits for in-flight requests, then disconnects; produce after close is a
// clear PRODUCER_CLOSED error, and close() is idempotent.
import { topicMessageCount } from '@decanter/test-helpers';
import { hasErrorCode, LoggerListener } from '@decanter/producer';
import { cleanUp, newProducer, readTopic, topic } from './support';

afterAll(cleanUp);

it('flushes buffered and lingering messages on close', async () => {
  const t = await topic('close', 3);
  const producer = newProducer({ 'queue.buffering.max.ms': 600_000 }, { id: 'closer' });
  const lines: string[] = [];
  new LoggerListener({ info: (l) => lines.push(l), error: (l) => lines.push(l) }).attach(producer.monitor);
  const handles = await producer.produceManyAsync(Array.from({ length: 100 }, (_, i) => ({ topic: t, key: `k${i}`, payload: `async-${i}` })));
  producer.bufferMany(Array.from({ length: 10 }, (_, i) => ({ topic: t, payload: `buffered-${i}` })));
  producer.buffer({ topic: t, payload: 'buffered-last' });
  expect(producer.bufferedCount).toBe(11);
  expect(await topicMessageCount(t)).toBe(0);

  await Promise.all([producer.close(), producer.close()]);
  expect(producer.state).toBe('closed');
  const reports = await Promise.all(handles.map((h) => h.wait()));
  expect(reports.every((r) => r.offset !== null)).toBe(true);
  expect(await topicMessageCount(t)).toBe(111);
  const read = await readTopic(t, (records) => records.length >= 111);
  expect(read.filter((r) => r.value?.startsWith('buffered-')).length).toBe(11);

  const after = await producer.produceSync({ topic: t, payload: 'late' }).catch((e: unknown) => e);
  expect(hasErrorCode(after, 'PRODUCER_CLOSED')).toBe(true);
  expect(() => producer.buffer({ topic: t, payload: 'late' })).toThrow(/closed/);
  expect(lines).toContain(`[closer] Async producing of 100 messages to 1 topic took ${lines.find((l) => l.startsWith('[closer] Async producing of 100'))?.split(' took ')[1]}`);
  expect(lines.some((l) => /^\[closer\] Sync flushing of 11 messages from the buffer took \d+\.\d\d ms$/.test(l))).toBe(true);
  expect(lines.some((l) => /^\[closer\] Closing producer took \d+\.\d\d ms$/.test(l))).toBe(true);
});

it('prints the WaterDrop-style line for a sync produce', async () => {
  const t = await topic('log-line');
  const producer = newProducer({}, { id: 'orders-producer' });
  const lines: string[] = [];
  new LoggerListener({ info: (l) => lines.push(l), error: (l) => lines.push(l) }).attach(producer.monitor);
  await producer.produceSync({ topic: t, payload: 'x' });
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^\\[orders-producer\\] Sync producing of a message to '${t}' took \\d+\\.\\d\\d ms$`));
});
