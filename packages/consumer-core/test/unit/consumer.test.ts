import { Consumer, Message, type Messages } from '@decanter/consumer-core';
import { beginJob, endJob, isConsumerClass } from '../../src/consumer';

class Probe extends Consumer {
  override consume(): void {}
}

function batch(offsets: number[]): Messages {
  const list = offsets.map((offset) => new Message('t', 0, { offset, timestamp: 0, key: null, value: null, headers: {} }, () => null));
  return Object.assign(list, {
    metadata: {
      topic: 't',
      partition: 0,
      consumerGroup: 'g',
      size: list.length,
      firstOffset: offsets[0]!,
      lastOffset: offsets[offsets.length - 1]!,
      readyAt: 0,
      startedAt: 0,
      consumptionLag: 0,
      processingLag: 0,
    },
  });
}

test('markAsConsumed records offset + 1, only moving forward, only inside the batch', () => {
  const consumer = new Probe();
  const b = batch([10, 11, 12]);
  const requests = beginJob(consumer, () => b, b.metadata);
  expect(consumer.markAsConsumed({ offset: 11 })).toBe(true);
  expect(consumer.markAsConsumed({ offset: 10 })).toBe(true);
  expect(requests.markedOffset).toBe(12);
  expect(consumer.markAsConsumed({ offset: 13 })).toBe(false);
  expect(consumer.markAsConsumed({ offset: 9 })).toBe(false);
  endJob(consumer);
  expect(consumer.markAsConsumed({ offset: 12 })).toBe(false);
});

test('seek and pause become requests for the main thread', () => {
  const consumer = new Probe();
  const b = batch([10, 11]);
  const requests = beginJob(consumer, () => b, b.metadata);
  consumer.pause(undefined, 500);
  expect(requests.pause).toEqual({ offset: 10, timeoutMs: 500 });
  consumer.seek(3);
  expect(requests.pause).toEqual({ offset: 3, timeoutMs: 0 });
});

test('pause() refuses a length Node cannot time, naming timeoutMs', () => {
  const consumer = new Probe();
  const b = batch([10]);
  const requests = beginJob(consumer, () => b, b.metadata);
  for (const bad of [-1, Number.NaN, 2 ** 31]) expect(() => consumer.pause(10, bad)).toThrow(/pause\(\): timeoutMs must be a number of ms from 0 to 2147483647, or Infinity/);
  expect(requests.pause).toBeNull();
  consumer.pause(10, Infinity);
  expect(requests.pause).toEqual({ offset: 10, timeoutMs: Infinity });
  endJob(consumer);
});

test('pause() and seek() refuse an offset that is not an integer >= 0 (KafkaJS reads -1 and -2 as the ends)', () => {
  const consumer = new Probe();
  const b = batch([10]);
  const requests = beginJob(consumer, () => b, b.metadata);
  for (const bad of [-1, -2, 1.5, Number.NaN]) {
    expect(() => consumer.seek(bad)).toThrow(/offset must be an integer >= 0/);
    expect(() => consumer.pause(bad)).toThrow(/offset must be an integer >= 0/);
  }
  expect(requests.pause).toBeNull();
  consumer.seek(0);
  expect(requests.pause).toEqual({ offset: 0, timeoutMs: 0 });
  endJob(consumer);
});

test('this.messages is built once, on first use: marking and pausing do not need it', () => {
  const consumer = new Probe();
  const b = batch([10, 11]);
  let builds = 0;
  const requests = beginJob(consumer, () => ((builds += 1), b), b.metadata);
  expect(consumer.markAsConsumed({ offset: 11 })).toBe(true);
  consumer.pause(undefined, 5);
  expect(requests.pause).toEqual({ offset: 10, timeoutMs: 5 });
  expect(builds).toBe(0);
  expect(consumer.messages).toBe(b);
  expect(consumer.messages).toBe(b);
  expect(builds).toBe(1);
  endJob(consumer);
});

test('this.messages outside consume() is an error; subclasses are recognised by brand', () => {
  expect(() => new Probe().messages).toThrow('only available while consume() runs');
  expect(() => new Probe().pause()).toThrow('pause() without an offset is only available while consume() runs');
  expect(() => new Probe().pause(5)).not.toThrow(); // outside a job a pause with an offset is a no-op
  expect(isConsumerClass(Probe)).toBe(true);
  expect(isConsumerClass(class {})).toBe(false);
});

test('this.producer without an app producer rejects with PRODUCER_UNAVAILABLE', async () => {
  await expect(new Probe().producer.produceSync({ topic: 't', payload: 'x' })).rejects.toMatchObject({ code: 'PRODUCER_UNAVAILABLE' });
});
