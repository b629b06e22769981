// Claim: fetched batches are packed into the prefetch buffer at the end of the event-loop turn
// they were queued in, oldest first, each reported (onFetched, listener.batch.received); queued
// bytes count as they will be held, so wouldFillBuffer says when packing must not wait; a
// discarded partition's batches never reach the buffer; a batch that cannot be packed stops the
// packing there (nothing after it is packed) and is reported to onPackFailed.
import type { EachBatchPayload } from 'kafkajs';
import { FetchedBatches } from '../../../src/connection/fetched-batches';
import { PrefetchBuffer } from '../../../src/connection/prefetch-buffer';
import { Monitor } from '../../../src/instrumentation/monitor';
import { PackedChunk } from '../../../src/messages/packed-chunk';
import { kafkaJsMessages } from './support';

type Batch = EachBatchPayload['batch'];
const scope = { consumerGroup: 'cg', subscriptionGroup: 'sg', connection: 0 };

function batchOf(partition: number, from: number, count: number, size = 10): Batch {
  const messages = kafkaJsMessages(from, count, size);
  return { topic: 't', partition, highWatermark: String(from + count + 100), messages } as unknown as Batch;
}

function setUp(limitBytes = 1_000_000): {
  fetched: FetchedBatches;
  buffer: PrefetchBuffer;
  log: string[];
  received: number[];
} {
  const buffer = new PrefetchBuffer(limitBytes);
  const monitor = new Monitor();
  const received: number[] = [];
  monitor.on('listener.batch.received', (e) => received.push(e.firstOffset));
  const log: string[] = [];
  const fetched = new FetchedBatches(buffer, monitor, scope, {
    onFetched: (topic, partition, lastOffset) => log.push(`fetched ${topic}/${partition}@${lastOffset}`),
    onPackFailed: (topic, partition) => log.push(`failed ${topic}/${partition}`),
  });
  return { fetched, buffer, log, received };
}

const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

it('packs at the end of the turn, oldest first, and reports each batch', async () => {
  const { fetched, buffer, log, received } = setUp();
  fetched.queue(batchOf(0, 0, 2));
  fetched.queue(batchOf(1, 5, 1));
  fetched.queue(batchOf(0, 2, 3));
  expect(buffer.count).toBe(0);
  expect(fetched.has('t', 0)).toBe(true);
  await endOfTurn();
  expect(buffer.count).toBe(6);
  expect(log).toEqual(['fetched t/0@1', 'fetched t/1@5', 'fetched t/0@4']);
  expect(received).toEqual([0, 5, 2]);
  expect(fetched.has('t', 0)).toBe(false);
});

it('counts queued bytes as they will be held: wouldFillBuffer before anything is packed', () => {
  const one = PackedChunk.sizeOf(batchOf(0, 0, 1).messages[0]!);
  const { fetched } = setUp(one * 3);
  fetched.queue(batchOf(0, 0, 2));
  expect(fetched.wouldFillBuffer).toBe(false);
  fetched.queue(batchOf(1, 0, 1));
  expect(fetched.wouldFillBuffer).toBe(true);
  fetched.discard('t', 1); // its bytes no longer count
  expect(fetched.wouldFillBuffer).toBe(false);
  fetched.clear();
});

it("a discarded partition's queued batches never reach the buffer", async () => {
  const { fetched, buffer, log } = setUp();
  fetched.queue(batchOf(0, 0, 2));
  fetched.queue(batchOf(1, 0, 2));
  fetched.discard('t', 0);
  await endOfTurn();
  expect(log).toEqual(['fetched t/1@1']);
  expect(buffer.countFor('t', 0)).toBe(0);
});

it('a batch that cannot be packed stops the packing there and is reported', async () => {
  const { fetched, buffer, log } = setUp();
  fetched.queue(batchOf(0, 0, 2));
  fetched.queue(batchOf(0, 2, 1));
  fetched.queue(batchOf(0, 3, 1));
  const pack = PackedChunk.pack.bind(PackedChunk);
  let calls = 0;
  const spy = jest.spyOn(PackedChunk, 'pack').mockImplementation((messages) => {
    calls += 1;
    if (calls === 2) throw new RangeError('Array buffer allocation failed'); // the copy's allocation
    return pack(messages);
  });
  await endOfTurn();
  spy.mockRestore();
  expect(log).toEqual(['fetched t/0@1', 'failed t/0']);
  expect(buffer.count).toBe(2);
});

it('clear() packs nothing more', async () => {
  const { fetched, buffer } = setUp();
  fetched.queue(batchOf(0, 0, 2));
  fetched.clear();
  await endOfTurn();
  expect(buffer.count).toBe(0);
});
