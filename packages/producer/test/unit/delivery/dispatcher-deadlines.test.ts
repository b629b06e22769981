// Claim: every record settles by its delivery deadline (+ the timer's margin) wherever it is —
// waiting behind a busy partition, or in a request KafkaJS has not answered — with
// DELIVERY_TIMED_OUT saying whether the broker may have written it (possiblyPersisted); a late
// answer gives it no second outcome; its partition sends nothing else until KafkaJS has answered,
// and it keeps its queue room until then. With idempotence a batch that may have been written is
// resent exactly (failed records included: KafkaJS reuses its sequence numbers), until the broker
// answers it for good or the dispatcher stops; without, the failed records are not resent.
// (A fake sendBatch stands in for KafkaJS: this is the unit level.)
import { hasErrorCode, type DeliveryError } from '@decanter/producer';
import { PartitionBatch } from '../../../src/batching/partition-batch';
import { ProduceRecord, type DeliverySink } from '../../../src/batching/produce-record';
import { Dispatcher, type DispatcherSettings, type RecordSettler, type SendBatchRequest } from '../../../src/delivery/dispatcher';
import type { VariantSettings } from '../../../src/delivery/variant-settings';
import { Monitor } from '../../../src/events';

/** How late a timer may fire on a loaded test machine (the documented margin is the event loop's delay). */
const MARGIN_MS = 100;

const variant: VariantSettings = { key: 'v', acks: -1, compression: 'none', compressionType: 0, timeoutMs: 1_000, requestTimeoutMs: 1_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Result = Array<{ topicName: string; partition: number; errorCode: number; baseOffset?: string }>;

interface Outcome {
  payload: string;
  kind: 'delivered' | 'failed';
  at: number;
  offset?: string | null;
  error?: DeliveryError;
}

/** A record whose sink logs every outcome it is given (a second one would show up here). */
function recorder() {
  const outcomes: Outcome[] = [];
  const record = (payload: string, deadline: number, partition = 0): ProduceRecord => {
    const sink: DeliverySink = {
      delivered: (_t, _p, base, index) => outcomes.push({ payload, kind: 'delivered', at: Date.now(), offset: base === null ? null : String(Number(base) + index) }),
      reject: (error) => outcomes.push({ payload, kind: 'failed', at: Date.now(), error: error as DeliveryError }),
    };
    const r = new ProduceRecord({ topic: 't', payload, partition }, 10, 0, deadline, sink);
    return r;
  };
  return { outcomes, record };
}

/** A dispatcher whose settler behaves like the pipeline's: it settles records once, and counts the ones that left. */
function harness(send: (r: SendBatchRequest) => Promise<Result>, settings: Partial<DispatcherSettings> = {}) {
  const left: ProduceRecord[] = [];
  const settler: RecordSettler = {
    succeeded: (b, base) => {
      b.records.forEach((r, i) => r.delivered(b.topic, b.partition, base, i));
      left.push(...b.records);
    },
    failed: (records, error) => {
      for (const r of records) r.reject(error);
      left.push(...records);
    },
    expired: (records, error) => {
      for (const r of records) r.reject(error);
    },
    metadataStale: () => undefined,
    backlog: () => undefined,
  };
  const d = new Dispatcher(
    { producerId: 'p', maxInFlight: 5, retryBackoffMs: 5, retryBackoffMaxMs: 20, maxRequestBytes: 1 << 24, batchSizeBytes: 1 << 20, batchMaxMessages: 500, idempotent: false, ...settings },
    send,
    settler,
    new Monitor(),
  );
  const offer = (partition: number, ...records: ProduceRecord[]): PartitionBatch => {
    const b = new PartitionBatch('t', partition, 1);
    for (const r of records) b.add(r);
    d.ready(b, variant);
    d.drainSoon();
    return b;
  };
  return { d, offer, left };
}

/** A fake KafkaJS that answers each request only when told to. */
function heldBroker() {
  const requests: string[][] = [];
  const pending: Array<{ resolve: (r: Result) => void; reject: (e: Error) => void; request: SendBatchRequest }> = [];
  const send = (request: SendBatchRequest): Promise<Result> => {
    requests.push(request.topicMessages.map((t) => `${t.topic}/${t.messages[0]?.partition}:${t.messages.map((m) => String(m.value)).join(',')}`));
    return new Promise((resolve, reject) => pending.push({ resolve, reject, request }));
  };
  const ok = (baseOffset = '100'): void => {
    const p = pending.shift();
    p?.resolve(p.request.topicMessages.map((t) => ({ topicName: t.topic, partition: t.messages[0]?.partition ?? -1, errorCode: 0, baseOffset })));
  };
  const fail = (error: Error): void => pending.shift()?.reject(error);
  return { requests, send, ok, fail, get waiting() { return pending.length; } };
}

const requestTimeout = () => Object.assign(new Error('Request Produce(key: 0, version: 7) timed out'), { name: 'KafkaJSRequestTimeoutError', retriable: true });
const refused = () => Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSConnectionError', code: 'ECONNREFUSED', retriable: true });

it('a record whose request is never answered settles at its deadline, possibly persisted, and keeps its room', async () => {
  const broker = heldBroker();
  const { outcomes, record } = recorder();
  const { offer, left } = harness(broker.send);
  const deadline = Date.now() + 150;
  offer(0, record('a', deadline), record('b', deadline));
  await sleep(20);
  expect(broker.requests).toEqual([['t/0:a,b']]);
  await sleep(250);
  expect(outcomes.map((o) => [o.payload, o.kind])).toEqual([['a', 'failed'], ['b', 'failed']]);
  for (const o of outcomes) {
    expect(o.at - deadline).toBeLessThanOrEqual(MARGIN_MS);
    expect(o.at).toBeGreaterThanOrEqual(deadline);
    expect(hasErrorCode(o.error, 'DELIVERY_TIMED_OUT')).toBe(true);
    expect(o.error?.possiblyPersisted).toBe(true);
    expect(o.error?.message).toMatch(/still in flight.*may have written it/);
  }
  // KafkaJS still holds them: their queue room is not released yet
  expect(left).toEqual([]);
});

it('a late success gives no second outcome, and settles what is left of the request at its own offsets', async () => {
  const broker = heldBroker();
  const { outcomes, record } = recorder();
  const { offer, left } = harness(broker.send);
  offer(0, record('early', Date.now() + 50), record('late', Date.now() + 60_000));
  await sleep(150);
  expect(outcomes.map((o) => [o.payload, o.kind])).toEqual([['early', 'failed']]);
  broker.ok('40');
  await sleep(20);
  // 'early' keeps its failure; 'late' gets offset 41 (its index in the batch as sent)
  expect(outcomes.map((o) => [o.payload, o.kind, o.offset])).toEqual([
    ['early', 'failed', undefined],
    ['late', 'delivered', '41'],
  ]);
  expect(left.map((r) => String(r.value))).toEqual(['early', 'late']); // both left once the request was answered
});

it('its partition sends nothing else until KafkaJS answers; a batch waiting behind it settles at its own deadline, never sent', async () => {
  const broker = heldBroker();
  const { outcomes, record } = recorder();
  const { offer } = harness(broker.send);
  offer(0, record('first', Date.now() + 50));
  await sleep(10);
  const waitingDeadline = Date.now() + 120;
  offer(0, record('behind', waitingDeadline));
  await sleep(250);
  expect(broker.requests).toEqual([['t/0:first']]); // 'behind' never went: its partition was busy
  const behind = outcomes.find((o) => o.payload === 'behind');
  expect(behind?.kind).toBe('failed');
  expect(behind!.at - waitingDeadline).toBeLessThanOrEqual(MARGIN_MS);
  expect(behind?.error?.possiblyPersisted).toBe(false); // never sent: certainly not written
  broker.ok();
  await sleep(20);
  expect(outcomes).toHaveLength(2); // the late answer settled nothing twice
});

it('a late failure gives no second outcome, and without idempotence the failed records are not resent', async () => {
  const broker = heldBroker();
  const { outcomes, record } = recorder();
  const { offer, left } = harness(broker.send);
  offer(0, record('gone', Date.now() + 50), record('stays', Date.now() + 60_000));
  await sleep(150);
  broker.fail(requestTimeout());
  await sleep(50);
  expect(broker.requests).toEqual([['t/0:gone,stays'], ['t/0:stays']]);
  broker.ok('7');
  await sleep(20);
  expect(outcomes.map((o) => [o.payload, o.kind, o.offset])).toEqual([
    ['gone', 'failed', undefined],
    ['stays', 'delivered', '7'],
  ]);
  expect(left).toHaveLength(2);
});

it('with idempotence a batch that may have been written is resent exactly, its failed records included', async () => {
  const broker = heldBroker();
  const { outcomes, record } = recorder();
  const { offer } = harness(broker.send, { idempotent: true });
  offer(0, record('gone', Date.now() + 50), record('stays', Date.now() + 60_000));
  await sleep(150);
  broker.fail(requestTimeout()); // the broker may have written it: same records, same sequence numbers
  await sleep(50);
  expect(broker.requests).toEqual([['t/0:gone,stays'], ['t/0:gone,stays']]);
  broker.ok('7');
  await sleep(20);
  // the resend's answer counts for 'stays' only, at its index in the batch as sent
  expect(outcomes.map((o) => [o.payload, o.kind, o.offset])).toEqual([
    ['gone', 'failed', undefined],
    ['stays', 'delivered', '8'],
  ]);
});

it('with idempotence a batch certainly not written (the connection was refused) is trimmed like any other', async () => {
  const broker = heldBroker();
  const { record } = recorder();
  const { offer } = harness(broker.send, { idempotent: true });
  offer(0, record('gone', Date.now() + 50), record('stays', Date.now() + 60_000));
  await sleep(150);
  broker.fail(refused());
  await sleep(50);
  expect(broker.requests).toEqual([['t/0:gone,stays'], ['t/0:stays']]);
  broker.ok();
});

it('with idempotence the resends go on after every record failed, until the broker answers; stop() ends them', async () => {
  let calls = 0;
  const { outcomes, record } = recorder();
  const { d, offer, left } = harness(async () => {
    calls += 1;
    throw requestTimeout();
  }, { idempotent: true });
  offer(0, record('a', Date.now() + 30));
  await sleep(200);
  expect(outcomes.map((o) => [o.payload, o.kind])).toEqual([['a', 'failed']]);
  expect(outcomes[0]?.error?.possiblyPersisted).toBe(true);
  const resends = calls;
  expect(resends).toBeGreaterThan(3); // still resolving its sequence numbers
  expect(left).toEqual([]); // and still holding the record
  expect(d.busy).toBe(true);
  d.stop();
  await sleep(60);
  expect(calls).toBe(resends);
  expect(left).toHaveLength(1);
  expect(d.busy).toBe(false);
  expect(outcomes).toHaveLength(1);
});

it('a record already past its deadline when it could be sent fails without being sent', async () => {
  const broker = heldBroker();
  const { outcomes, record } = recorder();
  const { offer } = harness(broker.send);
  offer(0, record('stale', Date.now() - 1));
  offer(1, record('fresh', Date.now() + 60_000));
  await sleep(30);
  expect(broker.requests).toEqual([['t/1:fresh']]);
  expect(outcomes.map((o) => [o.payload, o.kind, o.error?.possiblyPersisted])).toEqual([['stale', 'failed', false]]);
  broker.ok();
});

it('a deadline that passes while a retry is in flight names why the attempt before failed, as message and cause', async () => {
  const broker = heldBroker();
  const { outcomes, record } = recorder();
  const { offer } = harness(broker.send);
  const deadline = Date.now() + 150;
  offer(0, record('r', deadline));
  await sleep(10);
  const notEnoughReplicas = Object.assign(new Error('Broker: Not enough in-sync replicas'), { name: 'KafkaJSProtocolError', type: 'NOT_ENOUGH_REPLICAS', retriable: true });
  broker.fail(notEnoughReplicas); // attempt 1 refused; attempt 2 goes out and is never answered
  await sleep(250);
  expect(broker.requests).toHaveLength(2);
  expect(outcomes.map((o) => [o.payload, o.kind])).toEqual([['r', 'failed']]);
  const error = outcomes[0]?.error;
  expect(hasErrorCode(error, 'DELIVERY_TIMED_OUT')).toBe(true);
  expect(error?.message).toMatch(/attempt 2\) was still in flight; the previous attempt failed: Broker: Not enough in-sync replicas/);
  expect(error?.cause).toBe(notEnoughReplicas);
});
