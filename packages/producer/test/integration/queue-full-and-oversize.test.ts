// Claim: the local queue is bounded. When queue.buffering.max.messages (or .kbytes) is reached,
// produce waits up to maxWaitTimeoutMs and then fails with QUEUE_FULL, and a waiting produce
// proceeds as soon as room frees up. A payload over message.max.bytes is refused before anything
// is sent, with an error naming its size and the limit.
import { topicMessageCount } from '@decanter/test-helpers';
import { hasErrorCode, MessageTooLargeError, QueueFullError } from '@decanter/producer';
import { cleanUp, countProduceRequests, newProducer, topic } from './support';

afterAll(cleanUp);

it('fails with QUEUE_FULL after maxWaitTimeoutMs, and recovers when room frees up', async () => {
  const t = await topic('queue-full');
  const producer = newProducer({ 'queue.buffering.max.ms': 600_000, 'queue.buffering.max.messages': 5 }, { maxWaitTimeoutMs: 200 });
  const handles = [];
  for (let i = 0; i < 5; i += 1) handles.push(await producer.produceAsync({ topic: t, payload: `q-${i}` }));
  const refused = await producer.produceAsync({ topic: t, payload: 'q-5' }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(QueueFullError);
  expect(hasErrorCode(refused, 'QUEUE_FULL')).toBe(true);
  expect((refused as Error).message).toContain('queue.buffering.max.messages=5');

  // A producer waiting for room gets in once the queue drains (close flushes the lingering five).
  const waiting = newProducer({ 'queue.buffering.max.ms': 600_000, 'queue.buffering.max.kbytes': 1 }, { maxWaitTimeoutMs: 30_000 });
  const big = Buffer.alloc(700, 'k');
  const first = await waiting.produceAsync({ topic: t, payload: big });
  const second = waiting.produceAsync({ topic: t, payload: big }); // 2 × 732 bytes > 1 KiB: waits
  let admitted = false;
  void second.then(() => (admitted = true));
  await new Promise((r) => setTimeout(r, 100));
  expect(admitted).toBe(false);
  await producer.close();
  await waiting.close(); // flushes `first`, which frees room for `second`, which close then also flushes
  expect((await first.wait()).offset).not.toBeNull();
  expect((await (await second).wait()).offset).not.toBeNull();
  expect(await topicMessageCount(t)).toBe(7);
  await Promise.all(handles.map((h) => h.wait()));
});

it('refuses a payload over message.max.bytes before sending, naming size and limit', async () => {
  const t = await topic('oversize');
  const producer = newProducer({ 'message.max.bytes': 1_000 });
  const requests = countProduceRequests(producer);
  const error = await producer.produceSync({ topic: t, payload: Buffer.alloc(2_000) }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MessageTooLargeError);
  expect((error as MessageTooLargeError).message).toBe(`Message of 2032 bytes exceeds message.max.bytes (1000 bytes) for topic '${t}'`);
  expect((error as MessageTooLargeError).sizeBytes).toBe(2032);
  expect(requests.count).toBe(0);
  // A batch of several messages refuses the whole batch and queues none of them.
  await expect(producer.produceManySync([{ topic: t, payload: 'ok' }, { topic: t, payload: Buffer.alloc(5_000) }])).rejects.toBeInstanceOf(MessageTooLargeError);
  expect(producer.queued).toBe(0);
  expect(await topicMessageCount(t)).toBe(0);
});
