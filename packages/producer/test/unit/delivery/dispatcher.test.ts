// Claim: the dispatcher sends every ready batch of a lane in one request (one batch per
// partition), never two requests for one partition at a time, merges the batches queued behind a
// busy partition into one (within batch.size and batch.num.messages, never out of order), gives
// each record base offset + index, retries retriable failures with backoff while within the
// deadline, and fails the rest with the cause attached. It reports a backlog while more records
// wait than max.in.flight full requests can carry. (A fake sendBatch stands in for KafkaJS: this
// is the unit level.)
import { hasErrorCode } from '@decanter/producer';
import { PartitionBatch } from '../../../src/batching/partition-batch';
import { ProduceRecord, type DeliverySink } from '../../../src/batching/produce-record';
import { Dispatcher, type DispatcherSettings, type RecordSettler, type SendBatchRequest } from '../../../src/delivery/dispatcher';
import type { VariantSettings } from '../../../src/delivery/variant-settings';
import { Monitor } from '../../../src/events';

const variant: VariantSettings = { key: 'v', acks: -1, compression: 'none', compressionType: 0, timeoutMs: 1_000, requestTimeoutMs: 1_000 };
const sink: DeliverySink = { delivered: () => undefined, reject: () => undefined };

function batch(topic: string, partition: number, n: number, deadline = Date.now() + 60_000, bytes = 10, first = 0, leader = 1): PartitionBatch {
  const b = new PartitionBatch(topic, partition, leader);
  for (let i = first; i < first + n; i += 1) b.add(new ProduceRecord({ topic, payload: `${i}` }, bytes, 0, deadline, sink));
  return b;
}

type Send = (r: SendBatchRequest) => Promise<Array<{ topicName: string; partition: number; errorCode: number; baseOffset?: string }>>;

function harness(send: Send, limits: Partial<DispatcherSettings> = {}) {
  const ok: Array<{ id: string; base: string | null }> = [];
  const failed: Array<{ n: number; error: Error }> = [];
  /** Every backlog report, in order. */
  const backlogs: boolean[] = [];
  /** Records the settler was told have left (their queue room released), settled or not. */
  const left: ProduceRecord[] = [];
  // Like the pipeline: a record settles once (ProduceRecord enforces it); only outcomes are logged.
  const reject = (records: readonly ProduceRecord[], error: Error): void => {
    const n = records.filter((r) => r.reject(error)).length;
    if (n > 0) failed.push({ n, error });
  };
  const settler: RecordSettler = {
    succeeded: (b, base) => {
      b.records.forEach((r, i) => r.delivered(b.topic, b.partition, base, i));
      left.push(...b.records);
      ok.push({ id: `${b.topic}/${b.partition}:${b.records.length}`, base });
    },
    failed: (records, error) => {
      left.push(...records);
      reject(records, error);
    },
    expired: reject,
    metadataStale: () => undefined,
    backlog: (on) => backlogs.push(on),
  };
  const d = new Dispatcher(
    { producerId: 'p', maxInFlight: 5, retryBackoffMs: 5, retryBackoffMaxMs: 20, maxRequestBytes: 1 << 24, batchSizeBytes: 1 << 20, batchMaxMessages: 500, idempotent: false, ...limits },
    send,
    settler,
    new Monitor(),
  );
  /** Queues a batch and asks for a drain at the end of the turn, as a size-sealed batch does. */
  const offer = (b: PartitionBatch): void => {
    d.ready(b, variant);
    d.drainSoon();
  };
  return { d, offer, ok, failed, backlogs, left };
}

/** A fake broker that answers each request when told to, with base offset 100 per partition. */
function heldRequests() {
  const requests: string[][] = [];
  const pending: Array<() => void> = [];
  const send: Send = (r) => {
    requests.push(r.topicMessages.map((t) => `${t.topic}/${t.messages[0]?.partition}:${t.messages.map((m) => String(m.value)).join(',')}`));
    return new Promise((resolve) => pending.push(() => resolve(r.topicMessages.map((t) => ({ topicName: t.topic, partition: t.messages[0]?.partition ?? -1, errorCode: 0, baseOffset: '100' })))));
  };
  return { requests, send, answer: () => pending.shift()?.() };
}

// The dispatcher drains on setImmediate; a bare setTimeout(0) may fire before or after it (Node
// leaves that order open outside I/O callbacks), which made this test flaky under load.
const flush = () => new Promise((r) => setImmediate(() => setTimeout(r, 0)));

it('one request per drain with one batch per partition; a partition waits for its request in flight', async () => {
  const requests: string[][] = [];
  const pending: Array<() => void> = [];
  const { offer, ok } = harness((r) => {
    requests.push(r.topicMessages.map((t) => `${t.topic}/${t.messages[0]?.partition}`));
    return new Promise((resolve) => pending.push(() => resolve(r.topicMessages.map((t, i) => ({ topicName: t.topic, partition: t.messages[0]?.partition ?? -1, errorCode: 0, baseOffset: String(100 * (i + 1)) })))));
  });
  offer(batch('t', 0, 3));
  offer(batch('t', 1, 2));
  await flush();
  offer(batch('t', 0, 4)); // same partition: must wait
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

it('merges the batches queued behind a busy partition into its next request, in order', async () => {
  const { requests, send, answer } = heldRequests();
  const { offer, ok } = harness(send);
  offer(batch('t', 0, 1, undefined, 10, 0));
  offer(batch('t', 1, 1, undefined, 10, 9));
  await flush();
  // Produced one by one while the first request is in flight (linger 0 seals each on its own).
  for (let i = 1; i <= 3; i += 1) offer(batch('t', 0, 1, undefined, 10, i));
  await flush();
  expect(requests).toEqual([['t/0:0', 't/1:9']]);
  answer();
  await flush();
  expect(requests).toEqual([['t/0:0', 't/1:9'], ['t/0:1,2,3']]);
  answer();
  await flush();
  expect(ok).toEqual([
    { id: 't/0:1', base: '100' },
    { id: 't/1:1', base: '100' },
    { id: 't/0:3', base: '100' },
  ]);
});

it('merges within batch.num.messages and batch.size; a batch that must wait holds back the later ones of its partition', async () => {
  const { requests, send, answer } = heldRequests();
  const { offer } = harness(send, { batchMaxMessages: 3, batchSizeBytes: 1_000 });
  offer(batch('t', 0, 1, undefined, 10, 0));
  await flush();
  offer(batch('t', 0, 2, undefined, 10, 1)); // records 1,2
  offer(batch('t', 0, 2, undefined, 10, 3)); // 3,4: would make 4 > batch.num.messages
  offer(batch('t', 0, 1, undefined, 10, 5)); // 5 would fit, but must not overtake 3,4
  answer();
  await flush();
  expect(requests.slice(1)).toEqual([['t/0:1,2']]);
  answer();
  await flush();
  expect(requests.slice(2)).toEqual([['t/0:3,4,5']]);

  const sized = heldRequests();
  const bySize = harness(sized.send, { batchSizeBytes: 25 });
  bySize.offer(batch('u', 0, 1, undefined, 10, 0));
  await flush();
  bySize.offer(batch('u', 0, 2, undefined, 10, 1)); // 20 bytes
  bySize.offer(batch('u', 0, 1, undefined, 10, 3)); // 20 + 10 > batch.size 25
  bySize.offer(batch('u', 0, 1, undefined, 5, 4)); // 20 + 5 would fit, but must not overtake 3
  sized.answer();
  await flush();
  expect(sized.requests.slice(1)).toEqual([['u/0:1,2']]);
});

it('a partition left out of a full request holds back its later, smaller batches', async () => {
  const { requests, send, answer } = heldRequests();
  const { offer } = harness(send, { maxRequestBytes: 25, batchSizeBytes: 12 });
  offer(batch('t', 1, 2, undefined, 10, 0)); // 20 bytes
  offer(batch('t', 0, 1, undefined, 10, 2)); // 20 + 10 > 25: next request
  offer(batch('t', 0, 1, undefined, 5, 3)); // cannot merge (15 > batch.size 12); 20 + 5 would fit, but must not overtake 2
  await flush();
  expect(requests).toEqual([['t/1:0,1'], ['t/0:2']]);
  answer();
  answer();
  await flush();
  expect(requests.slice(2)).toEqual([['t/0:3']]);
  answer();
});

it('merges each message produced behind a busy partition at once, in batches of batch.num.messages', async () => {
  const { requests, send, answer } = heldRequests();
  const { offer } = harness(send, { batchMaxMessages: 4 });
  offer(batch('t', 0, 1, undefined, 10, 0));
  await flush();
  for (let i = 1; i <= 10; i += 1) offer(batch('t', 0, 1, undefined, 10, i));
  for (let i = 0; i < 4; i += 1) {
    answer();
    await flush();
  }
  expect(requests).toEqual([['t/0:0'], ['t/0:1,2,3,4'], ['t/0:5,6,7,8'], ['t/0:9,10']]);
});

it("keeps a partition's order when its leader changes while its batches wait", async () => {
  const { requests, send, answer } = heldRequests();
  const { offer } = harness(send, { batchMaxMessages: 1 });
  offer(batch('u', 0, 1, undefined, 10, 7, 2)); // makes the lane of leader 2 the older one
  offer(batch('t', 0, 1, undefined, 10, 0, 1));
  await flush();
  offer(batch('t', 0, 1, undefined, 10, 1, 1)); // waits behind 0, sealed for leader 1
  offer(batch('t', 0, 1, undefined, 10, 2, 2)); // sealed after the leader moved to 2
  for (let i = 0; i < 4; i += 1) {
    answer();
    await flush();
  }
  const t0 = requests.flat().filter((r) => r.startsWith('t/0'));
  expect(t0).toEqual(['t/0:0', 't/0:1', 't/0:2']);
});

it('a retry times out only the records past their deadline and sends the rest, with their own offsets', async () => {
  let calls = 0;
  const sent: string[] = [];
  const { offer, ok, failed } = harness(async (r) => {
    calls += 1;
    sent.push(r.topicMessages.map((t) => t.messages.map((m) => String(m.value)).join(',')).join('|'));
    if (calls === 1) throw Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' });
    return [{ topicName: 't', partition: 0, errorCode: 0, baseOffset: '40' }];
  }, { retryBackoffMs: 80, retryBackoffMaxMs: 80 });
  const b = new PartitionBatch('t', 0, 1);
  // sent at once, and due before the retry (backoff 80 ms): it times out when the first attempt fails
  b.add(new ProduceRecord({ topic: 't', payload: 'old' }, 10, 0, Date.now() + 40, sink));
  b.add(new ProduceRecord({ topic: 't', payload: 'young' }, 10, 0, Date.now() + 60_000, sink));
  offer(b);
  await new Promise((r) => setTimeout(r, 200));
  expect(sent).toEqual(['old,young', 'young']);
  expect(failed.map((f) => [f.n, hasErrorCode(f.error, 'DELIVERY_TIMED_OUT')])).toEqual([[1, true]]);
  expect(ok).toEqual([{ id: 't/0:1', base: '40' }]);
});

it('retries a retriable failure until it succeeds', async () => {
  let calls = 0;
  const { offer, ok, failed } = harness(async (r) => {
    calls += 1;
    if (calls < 3) throw Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' });
    return [{ topicName: 't', partition: r.topicMessages[0]?.messages[0]?.partition ?? 0, errorCode: 0, baseOffset: '7' }];
  });
  offer(batch('t', 0, 2));
  await new Promise((r) => setTimeout(r, 100));
  expect(calls).toBe(3);
  expect(ok).toEqual([{ id: 't/0:2', base: '7' }]);
  expect(failed).toEqual([]);
});

it('fails with DELIVERY_TIMED_OUT (cause attached) when retries would pass the deadline', async () => {
  const cause = Object.assign(new Error('Request timed out'), { name: 'KafkaJSRequestTimeoutError' });
  const { offer, failed } = harness(async () => {
    throw cause;
  });
  offer(batch('t', 0, 2, Date.now() + 30));
  await new Promise((r) => setTimeout(r, 150));
  expect(failed).toHaveLength(1);
  expect(hasErrorCode(failed[0]?.error, 'DELIVERY_TIMED_OUT')).toBe(true);
  expect(failed[0]?.error.cause).toBe(cause);
});

it('fails at once with DELIVERY_FAILED on a non-retriable error', async () => {
  const cause = Object.assign(new Error('Invalid record'), { name: 'KafkaJSProtocolError', retriable: false, type: 'INVALID_RECORD' });
  let calls = 0;
  const { offer, failed } = harness(async () => {
    calls += 1;
    throw Object.assign(new Error('wrapped'), { name: 'KafkaJSNonRetriableError', cause });
  });
  offer(batch('t', 0, 2));
  await flush();
  await flush();
  expect(calls).toBe(1);
  expect(hasErrorCode(failed[0]?.error, 'DELIVERY_FAILED')).toBe(true);
});

it('retries a batch KafkaJS left out of the request (a partition its metadata did not know yet), and settles the rest', async () => {
  let calls = 0;
  const { offer, ok, failed } = harness(async (r) => {
    calls += 1;
    // first request: KafkaJS answers for t/0 only; t/1 was not sent
    return r.topicMessages
      .filter((t) => calls > 1 || t.messages[0]?.partition === 0)
      .map((t) => ({ topicName: t.topic, partition: t.messages[0]?.partition ?? -1, errorCode: 0, baseOffset: String(100 * calls) }));
  });
  offer(batch('t', 0, 2));
  offer(batch('t', 1, 3));
  for (let i = 0; i < 5 && ok.length < 2; i += 1) await new Promise((r) => setTimeout(r, 20));
  expect(failed).toEqual([]);
  expect(ok).toEqual([
    { id: 't/0:2', base: '100' },
    { id: 't/1:3', base: '200' },
  ]);
  expect(calls).toBe(2);
});

it('fails a request refused for a misconfiguration at once, naming the settings to check', async () => {
  // Node's TLS error inside KafkaJS's (retriable) connection error: a retry cannot fix it.
  const tls = Object.assign(new Error('Connection error: self-signed certificate'), { name: 'KafkaJSConnectionError', code: 'DEPTH_ZERO_SELF_SIGNED_CERT', retriable: true });
  let calls = 0;
  const { offer, failed } = harness(async () => {
    calls += 1;
    throw Object.assign(new Error('Connection error: self-signed certificate'), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, cause: tls });
  });
  offer(batch('t', 0, 2));
  await flush();
  await flush();
  expect(calls).toBe(1);
  expect(hasErrorCode(failed[0]?.error, 'DELIVERY_FAILED')).toBe(true);
  expect(failed[0]?.error.message).toMatch(/ssl\.ca\.location.*self-signed certificate/);
});

it('reports a backlog while more records wait than max.in.flight full requests of the waiting partitions carry', async () => {
  const { send, answer, requests } = heldRequests();
  // One request in flight at a time, batches of up to 2 records: a full request carries 2 records
  // of each waiting partition.
  const { offer, backlogs } = harness(send, { maxInFlight: 1, batchMaxMessages: 2 });
  offer(batch('t', 0, 1));
  await flush();
  expect(requests).toHaveLength(1);
  offer(batch('t', 1, 1)); // waits for the in-flight slot: 1 record < 1 x 1 partition x 2
  await flush();
  expect(backlogs).toEqual([]);
  offer(batch('t', 1, 1, undefined, 10, 1)); // merged: 2 records of 1 partition, a full request
  expect(backlogs).toEqual([true]);
  offer(batch('t', 2, 1)); // a second waiting partition: 3 records < 1 x 2 partitions x 2
  expect(backlogs).toEqual([true, false]);
  offer(batch('t', 0, 1, undefined, 10, 1)); // a third: 4 < 6
  offer(batch('t', 2, 1, undefined, 10, 1)); // 5 < 6
  expect(backlogs).toEqual([true, false]);
  offer(batch('t', 0, 1, undefined, 10, 2)); // 6: one full request of the three
  expect(backlogs).toEqual([true, false, true]);
  answer();
  await flush();
  // The slot freed and the next request took every waiting record: no backlog.
  expect(requests[1]).toEqual(['t/1:0,1', 't/2:0,1', 't/0:1,2']);
  expect(backlogs).toEqual([true, false, true, false]);
});

it('reports a backlog by bytes too (batch.size)', async () => {
  const { send } = heldRequests();
  const { offer, backlogs } = harness(send, { maxInFlight: 1, batchMaxMessages: 1_000, batchSizeBytes: 100 });
  offer(batch('t', 0, 1, undefined, 50));
  await flush();
  offer(batch('t', 1, 1, undefined, 60));
  expect(backlogs).toEqual([]);
  offer(batch('t', 1, 1, undefined, 40, 1));
  expect(backlogs).toEqual([true]);
});
