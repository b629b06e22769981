// Claim: the application buffer takes only messages that could be produced: buffer() and
// bufferMany() check each message at once (bufferMany all or none), so one bad message can never
// make a later flush, or close(), drop the others. (No broker: nothing is flushed here.)
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
