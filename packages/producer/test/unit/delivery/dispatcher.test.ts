// Claim: the dispatcher sends every ready batch of a lane in one request (one batch per
// partition), never two requests for one partition at a time, gives each record base offset +
// index, retries retriable failures with backoff while within the deadline, and fails the rest
// with the cause attached. (A fake sendBatch stands in for KafkaJS: this is the unit level.)
import { hasErrorCode } from '@decanter/producer';
import { PartitionBatch } from '../../../src/batching/partition-batch';
import { ProduceRecord, type DeliverySink } from '../../../src/batching/produce-record';
import { Dispatcher, isRetriable, type RecordSettler, type SendBatchRequest } from '../../../src/delivery/dispatcher';
import type { VariantSettings } from '../../../src/delivery/variant-settings';
import { Monitor } from '../../../src/events';

const variant: VariantSettings = { key: 'v', acks: -1, compression: 'none', compressionType: 0, timeoutMs: 1_000, requestTimeoutMs: 1_000 };
const sink: DeliverySink = { delivered: () => undefined, reject: () => undefined };

function batch(topic: string, partition: number, n: number, deadline = Date.now() + 60_000): PartitionBatch {
  const b = new PartitionBatch(topic, partition, 1);
  for (let i = 0; i < n; i += 1) b.add(new ProduceRecord({ topic, payload: `${i}` }, 10, 0, deadline, sink));
  return b;
}

function harness(send: (r: SendBatchRequest) => Promise<Array<{ topicName: string; partition: number; errorCode: number; baseOffset?: string }>>) {
  const ok: Array<{ id: string; base: string | null }> = [];
  const failed: Array<{ n: number; error: Error }> = [];
  const settler: RecordSettler = {
    succeeded: (b, base) => ok.push({ id: `${b.topic}/${b.partition}:${b.records.length}`, base }),
    failed: (records, error) => failed.push({ n: records.length, error }),
    metadataStale: () => undefined,
  };
  const d = new Dispatcher({ producerId: 'p', maxInFlight: 5, retryBackoffMs: 5, retryBackoffMaxMs: 20, maxRequestBytes: 1 << 24 }, send, settler, new Monitor());
  return { d, ok, failed };
}

// The dispatcher drains on setImmediate; a bare setTimeout(0) may fire before or after it (Node
// leaves that order open outside I/O callbacks), which made this test flaky under load.
const flush = () => new Promise((r) => setImmediate(() => setTimeout(r, 0)));

it('one request per drain with one batch per partition; a partition waits for its request in flight', async () => {
  const requests: string[][] = [];
  const pending: Array<() => void> = [];
  const { d, ok } = harness((r) => {
    requests.push(r.topicMessages.map((t) => `${t.topic}/${t.messages[0]?.partition}`));
    return new Promise((resolve) => pending.push(() => resolve(r.topicMessages.map((t, i) => ({ topicName: t.topic, partition: t.messages[0]?.partition ?? -1, errorCode: 0, baseOffset: String(100 * (i + 1)) })))));
  });
  d.ready(batch('t', 0, 3), variant);
  d.ready(batch('t', 1, 2), variant);
  d.ready(batch('t', 0, 4), variant); // same partition: must wait
  await flush();
  expect(requests).toEqual([['t/0', 't/1']]);
  pending.shift()?.();
  await flush();
  expect(ok).toEqual([{ id: 't/0:3', base: '100' }, { id: 't/1:2', base: '200' }]);
  expect(requests).toEqual([['t/0', 't/1'], ['t/0']]);
  pending.shift()?.();
  await flush();
  expect(ok[2]).toEqual({ id: 't/0:4', base: '100' });
});

it('retries a retriable failure until it succeeds', async () => {
  let calls = 0;
  const { d, ok, failed } = harness(async (r) => {
    calls += 1;
    if (calls < 3) throw Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' });
    return [{ topicName: 't', partition: r.topicMessages[0]?.messages[0]?.partition ?? 0, errorCode: 0, baseOffset: '7' }];
  });
  d.ready(batch('t', 0, 2), variant);
  await new Promise((r) => setTimeout(r, 100));
  expect(calls).toBe(3);
  expect(ok).toEqual([{ id: 't/0:2', base: '7' }]);
  expect(failed).toEqual([]);
});

it('fails with DELIVERY_TIMED_OUT (cause attached) when retries would pass the deadline', async () => {
  const cause = Object.assign(new Error('Request timed out'), { name: 'KafkaJSRequestTimeoutError' });
  const { d, failed } = harness(async () => {
    throw cause;
  });
  d.ready(batch('t', 0, 2, Date.now() + 30), variant);
  await new Promise((r) => setTimeout(r, 150));
  expect(failed).toHaveLength(1);
  expect(hasErrorCode(failed[0]?.error, 'DELIVERY_TIMED_OUT')).toBe(true);
  expect(failed[0]?.error.cause).toBe(cause);
});

it('fails at once with DELIVERY_FAILED on a non-retriable error', async () => {
  const cause = Object.assign(new Error('Invalid record'), { name: 'KafkaJSProtocolError', retriable: false, type: 'INVALID_RECORD' });
  let calls = 0;
  const { d, failed } = harness(async () => {
    calls += 1;
    throw Object.assign(new Error('wrapped'), { name: 'KafkaJSNonRetriableError', cause });
  });
  d.ready(batch('t', 0, 2), variant);
  await flush();
  await flush();
  expect(calls).toBe(1);
  expect(hasErrorCode(failed[0]?.error, 'DELIVERY_FAILED')).toBe(true);
});

it('classifies KafkaJS errors by their root cause', () => {
  const root = Object.assign(new Error('x'), { name: 'KafkaJSConnectionClosedError' });
  expect(isRetriable(Object.assign(new Error('outer'), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, cause: root }))).toBe(true);
  expect(isRetriable(Object.assign(new Error('outer'), { cause: Object.assign(new Error('y'), { retriable: false }) }))).toBe(false);
  expect(isRetriable(new TypeError('bug'))).toBe(false);
});
