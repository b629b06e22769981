// Claim: the lane queues keep a partition's batches in order in one lane, merge a sealed batch
// into the newest queued one of its partition while the batch limits allow, never take a
// partition that has a request in flight, fail records that waited past their deadline instead
// of handing them to a request, and report a backlog when more waits than max.in.flight full
// requests can take.
import { PartitionBatch } from '../../../src/batching/partition-batch';
import { ProduceRecord, type DeliverySink } from '../../../src/batching/produce-record';
import { LaneQueues } from '../../../src/delivery/lane-queues';
import type { VariantSettings } from '../../../src/delivery/variant-settings';

const sink: DeliverySink = { delivered: () => undefined, reject: () => undefined };
const variant = { key: 'default' } as VariantSettings;
const settings = { maxInFlight: 1, maxRequestBytes: 1_000_000, batchSizeBytes: 1_000, batchMaxMessages: 3 };

function batch(partition: number, count: number, deadline = Date.now() + 60_000, leader = 1): PartitionBatch {
  const b = new PartitionBatch('t', partition, leader);
  for (let i = 0; i < count; i += 1)
    b.add(new ProduceRecord({ topic: 't', payload: `p${partition}-${i}` }, 100, 0, deadline, sink));
  return b;
}

function queues(): { q: LaneQueues; backlog: boolean[]; expired: string[] } {
  const backlog: boolean[] = [];
  const expired: string[] = [];
  const q = new LaneQueues(settings, {
    backlog: (b) => backlog.push(b),
    expiredWhileWaiting: (b, records) => expired.push(`${b.partition}:${records.length}`),
  });
  return { q, backlog, expired };
}

it('merges into the newest queued batch of a partition within the limits, queues behind it beyond them', () => {
  const { q } = queues();
  const first = batch(0, 2);
  q.add(first, variant);
  q.add(batch(0, 1), variant); // 3 records: merged
  q.add(batch(0, 1), variant); // would be 4: queued behind
  const lane = q.lanes[0]!;
  expect(q.lanes).toHaveLength(1);
  expect(lane.ready.map((b) => b.records.length)).toEqual([3, 1]);
  expect(lane.ready[0]).toBe(first);
});

it('takes one batch per partition, none of a partition in flight, in order', () => {
  const { q } = queues();
  q.add(batch(0, 1), variant);
  q.add(batch(0, 3), variant); // behind partition 0's first
  q.add(batch(1, 1), variant);
  q.add(batch(2, 1), variant);
  const sending = new Set<string>(['t\u00002']);
  const taken = q.take(q.lanes[0]!, sending);
  expect(taken.map((b) => b.partition)).toEqual([0, 1]);
  expect([...sending].sort()).toEqual(['t\u00000', 't\u00001', 't\u00002']);
  expect(q.lanes[0]!.ready.map((b) => `${b.partition}:${b.records.length}`)).toEqual(['0:3', '2:1']);
});

it('fails records that waited past their deadline rather than sending them', () => {
  const { q, expired } = queues();
  q.add(batch(0, 2, Date.now() - 1), variant);
  q.add(batch(1, 1), variant);
  const taken = q.take(q.lanes[0]!, new Set());
  expect(expired).toEqual(['0:2']);
  expect(taken.map((b) => b.partition)).toEqual([1]);
});

it('sweep drops what expire emptied and returns the earliest deadline left', () => {
  const { q } = queues();
  const soon = Date.now() + 1_000;
  q.add(batch(0, 1, Date.now() - 1), variant);
  q.add(batch(1, 1, soon), variant);
  const next = q.sweep((b) => {
    if (b.records[0]!.deadline <= Date.now()) b.takeFirst(b.records.length);
  });
  expect(next).toBe(soon);
  expect(q.lanes[0]!.ready.map((b) => b.partition)).toEqual([1]);
  expect(q.hasReady).toBe(true);
});

it('reports a backlog past max.in.flight full requests, and its end', () => {
  const { q, backlog } = queues();
  q.add(batch(0, 3), variant); // 3 records waiting = 1 full request of 1 partition: a backlog
  q.checkBacklog();
  expect(backlog).toEqual([true]);
  q.take(q.lanes[0]!, new Set());
  q.recheckBacklog();
  expect(backlog).toEqual([true, false]);
});

it('never merges into a batch a request took, nor into one the sweep emptied', () => {
  const { q } = queues();
  const first = batch(0, 1);
  q.add(first, variant);
  expect(q.take(q.lanes[0]!, new Set())).toEqual([first]);
  const second = batch(0, 1);
  q.add(second, variant); // partition 0 has nothing waiting now: queued on its own
  expect(first.records).toHaveLength(1);
  expect(q.lanes[0]!.ready).toEqual([second]);
  q.sweep((b) => b.takeFirst(b.records.length)); // empties and drops it
  const third = batch(0, 1);
  q.add(third, variant);
  expect(q.lanes[0]!.ready).toEqual([third]);
  expect(second.records).toHaveLength(0);
});
