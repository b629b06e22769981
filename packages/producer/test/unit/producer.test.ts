// Claim: the application buffer takes only messages that could be produced: buffer() and
// bufferMany() check each message at once (bufferMany all or none), so one bad message can never
// make a later flush, or close(), drop the others; and a flush that finds the queue full midway
// fails with QUEUE_FULL while the buffer keeps what found no room. (No broker: the address is
// closed, so queued messages wait for metadata and then time out.)
import { hasErrorCode, Producer, type ProduceMessage } from '@decanter/producer';

const producer = new Producer({ kafka: { 'bootstrap.servers': '127.0.0.1:1', 'message.max.bytes': 1_000 } });

it('buffer() refuses a message produce would refuse, and keeps the good ones', () => {
  producer.buffer({ topic: 't', payload: 'ok' });
  expect(() => producer.buffer({ topic: 't', payload: 42 } as unknown as ProduceMessage)).toThrow(/message\.payload must be a Buffer, a string or null/);
  let tooLarge: unknown;
  try {
    producer.buffer({ topic: 't', payload: Buffer.alloc(5_000) });
  } catch (error) {
    tooLarge = error;
  }
  expect(hasErrorCode(tooLarge, 'MESSAGE_TOO_LARGE')).toBe(true);
  expect(producer.bufferedCount).toBe(1);
});

it('bufferMany() buffers all or none', () => {
  const before = producer.bufferedCount;
  expect(() => producer.bufferMany([{ topic: 't', payload: 'a' }, { topic: '', payload: 'b' }])).toThrow(/message\.topic must be a non-empty string/);
  expect(producer.bufferedCount).toBe(before);
  producer.bufferMany([{ topic: 't', payload: 'a' }, { topic: 't', payload: null }]);
  expect(producer.bufferedCount).toBe(before + 2);
});

it('a flush that fills the queue midway fails with QUEUE_FULL and keeps the rest in the buffer', async () => {
  const small = new Producer({
    kafka: { 'bootstrap.servers': '127.0.0.1:1', 'queue.buffering.max.messages': 2, 'message.timeout.ms': 300, 'retry.backoff.ms': 50 },
    maxWaitTimeoutMs: 50,
  });
  small.bufferMany(['a', 'b', 'c', 'd'].map((payload) => ({ topic: 't', payload })));
  const error = await small.flushAsync().catch((e: unknown) => e);
  expect(hasErrorCode(error, 'QUEUE_FULL')).toBe(true);
  expect((error as Error).message).toMatch(/2 of the 4 buffered messages were queued, the other 2 stay in the buffer$/);
  expect(small.bufferedCount).toBe(2);
  const failures: string[] = [];
  small.on('error.occurred', (e) => failures.push(`${e.type}: ${String(e.message?.payload ?? '')}`));
  await small.close(); // queues the two left when room frees up; all four time out (no broker)
  expect(small.bufferedCount).toBe(0);
  expect(failures.filter((f) => f.startsWith('message.delivery')).sort()).toEqual(['message.delivery: a', 'message.delivery: b', 'message.delivery: c', 'message.delivery: d']);
}, 60_000);
