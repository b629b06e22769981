// Claim: keyless messages stick to one partition of their topic (KIP-480) until that partition's
// batch is sealed, then move to another partition and stick there: a batch fills instead of
// scattering one message per partition. Sealing another partition's batch, or another topic's,
// does not move them; they only stick to partitions whose leader is known. In the pipeline, the
// accumulator's seal is what moves them. (A fake admin and a fake sendBatch stand in for KafkaJS:
// unit level.)
import type { Admin, PartitionMetadata } from 'kafkajs';
import { resolveProducerOptions, type DeliveryReport } from '@decanter/producer';
import { Partitioner } from '../../../src/batching/partitioner';
import { DeliveryPipeline } from '../../../src/delivery/delivery-pipeline';
import type { SendBatchRequest } from '../../../src/delivery/dispatcher';
import { QueueLimits } from '../../../src/delivery/queue-limits';
import { variant } from '../delivery/support';
import { Monitor } from '../../../src/events';
import { PartitionMetadataCache, type TopicPartitions } from '../../../src/metadata/partition-metadata-cache';

const STICKS = 'keyless messages stick to one partition until its batch is sealed';
const MOVES_ON = "sealing the sticky partition's batch moves keyless messages to another partition";
const STAYS = 'sealing a batch of another partition or topic leaves the sticky partition where it is';
const LEADER_KNOWN = 'keyless messages stick only to partitions whose leader is known';

/** `count` partitions, all led by broker 1 except those in `leaderless` (leader -1). */
function partitions(count: number, leaderless: readonly number[] = []): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 1,
    replicas: [1],
    isr: [1],
    partitionErrorCode: 0,
  }));
}

/** Topic metadata as PartitionMetadataCache builds it. */
function meta(topic: string, count: number, leaderless: readonly number[] = []): TopicPartitions {
  const all = partitions(count, leaderless);
  return {
    topic,
    partitions: all,
    available: all.filter((p) => p.leader >= 0).map((p) => p.partitionId),
    fetchedAt: Date.now(),
  };
}

/** The partitions of `n` keyless messages in a row. */
const keyless = (partitioner: Partitioner, m: TopicPartitions, n: number): number[] =>
  Array.from({ length: n }, () => partitioner.forKeyless(m.topic, m));

/** Runs of equal partitions in `picked`, as [partition, length]: [[3, 5]] is five in a row on partition 3. */
function runs(picked: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const p of picked) {
    const last = out[out.length - 1];
    if (last !== undefined && last[0] === p) last[1] += 1;
    else out.push([p, 1]);
  }
  return out;
}

/**
 * The lengths of the runs as one string (a compact diff when a test fails): `5 5 5` is one run of
 * five per batch, as when keyless messages stick until each seal.
 */
const lengths = (picked: readonly number[]): string =>
  runs(picked)
    .map(([, n]) => n)
    .join(' ');

describe('Partitioner.forKeyless / onBatchSealed', () => {
  it(STICKS, () => {
    // With 12 partitions a partitioner that picked per message would almost never repeat 100 times.
    const m = meta('t', 12);
    const picked = keyless(new Partitioner(), m, 100);
    expect({ [STICKS]: lengths(picked) }).toEqual({ [STICKS]: '100' });
  });

  it(`${MOVES_ON}, where they stick until that batch is sealed in turn`, () => {
    // Few partitions, many seals: a seal that could land on the same partition again would show.
    const m = meta('t', 4);
    const partitioner = new Partitioner();
    const picked: number[] = [];
    for (let batch = 0; batch < 40; batch += 1) {
      const run = keyless(partitioner, m, 5);
      picked.push(...run);
      partitioner.onBatchSealed('t', run[0] as number, m);
    }
    // One run of 5 per sealed batch (a partition repeated after a seal would merge two runs).
    expect({ [`${STICKS}; ${MOVES_ON}`]: lengths(picked) }).toEqual({
      [`${STICKS}; ${MOVES_ON}`]: Array(40).fill(5).join(' '),
    });
  });

  it(`${MOVES_ON}, even with two partitions`, () => {
    const m = meta('t', 2);
    const partitioner = new Partitioner();
    const picked: number[] = [];
    for (let batch = 0; batch < 10; batch += 1) {
      const p = partitioner.forKeyless('t', m);
      picked.push(p);
      partitioner.onBatchSealed('t', p, m);
    }
    const first = picked[0] as number;
    const alternating = picked.map((_, i) => (i % 2 === 0 ? first : 1 - first));
    expect({ [MOVES_ON]: picked }).toEqual({ [MOVES_ON]: alternating });
  });

  it(STAYS, () => {
    const t = meta('t', 12);
    const u = meta('u', 12);
    const partitioner = new Partitioner();
    const sticky = partitioner.forKeyless('t', t);
    const other = (sticky + 1) % 12;
    partitioner.onBatchSealed('t', other, t); // a keyed or explicit batch of another partition
    partitioner.onBatchSealed('u', sticky, u); // the same partition number of another topic
    expect({ [STAYS]: keyless(partitioner, t, 10) }).toEqual({ [STAYS]: Array(10).fill(sticky) });
  });

  it(LEADER_KNOWN, () => {
    // Only partition 3 of 6 has a leader: it is the one to stick to, before and after a seal.
    const m = meta('t', 6, [0, 1, 2, 4, 5]);
    const partitioner = new Partitioner();
    const picked: number[] = [];
    for (let batch = 0; batch < 5; batch += 1) {
      picked.push(...keyless(partitioner, m, 3));
      partitioner.onBatchSealed('t', 3, m);
    }
    expect({ [LEADER_KNOWN]: [...new Set(picked)] }).toEqual({ [LEADER_KNOWN]: [3] });
  });
});

describe('in the delivery pipeline', () => {
  /** A pipeline on a topic of `count` partitions whose fake sendBatch acknowledges every batch. */
  function pipelineOn(count: number, kafka: Record<string, unknown>) {
    const admin = {
      fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({
        topics: topics.map((name) => ({ name, partitions: partitions(count) })),
      }),
    } as unknown as Admin;
    const options = resolveProducerOptions({
      kafka: { 'bootstrap.servers': '127.0.0.1:1', 'allow.auto.create.topics': false, ...kafka },
    });
    const shared = {
      options,
      monitor: new Monitor(),
      limits: new QueueLimits(options.queueMaxMessages, options.queueMaxBytes, options.id),
      metadata: new PartitionMetadataCache(async () => admin, options.metadataMaxAgeMs, undefined),
      partitioner: new Partitioner(),
    };
    /** Every batch sent: `partition:payloads`. */
    const batches: string[] = [];
    const pipeline = new DeliveryPipeline(shared, async (request: SendBatchRequest) => {
      for (const t of request.topicMessages)
        batches.push(`${t.messages[0]?.partition}:${t.messages.map((m) => String(m.value)).join(',')}`);
      return request.topicMessages.map((t) => ({
        topicName: t.topic,
        partition: t.messages[0]?.partition ?? -1,
        errorCode: 0,
        baseOffset: '0',
      }));
    });
    return { pipeline, batches };
  }

  it(`${STICKS} (batch.num.messages), then move on`, async () => {
    const { pipeline, batches } = pipelineOn(12, { 'batch.num.messages': 4, 'queue.buffering.max.ms': 100 });
    const payloads = Array.from({ length: 12 }, (_, i) => `m${i}`);
    // Placed in one synchronous run (when the metadata arrives): only batch.num.messages seals
    // there. The linger (100 ms) would seal what a broken partitioner scattered, failing the
    // assertion below rather than timing out.
    const reports: DeliveryReport[] = await Promise.all(
      payloads.map((payload) => pipeline.produce({ topic: 't', payload }, variant)),
    );
    const rule = `${STICKS}; ${MOVES_ON}`;
    expect({ [rule]: lengths(reports.map((r) => r.partition)) }).toEqual({ [rule]: '4 4 4' });
    expect(batches.map((b) => b.split(':')[1])).toEqual(['m0,m1,m2,m3', 'm4,m5,m6,m7', 'm8,m9,m10,m11']);
  });

  it(`${STICKS} (the linger), then move on`, async () => {
    const { pipeline, batches } = pipelineOn(12, { 'queue.buffering.max.ms': 0 });
    // Linger 0: each synchronous run is one batch, sealed at its end.
    const first = await Promise.all(
      ['a', 'b', 'c'].map((payload) => pipeline.produce({ topic: 't', payload }, variant)),
    );
    const second = await Promise.all(
      ['d', 'e', 'f'].map((payload) => pipeline.produce({ topic: 't', payload }, variant)),
    );
    const rule = `${STICKS}; ${MOVES_ON}`;
    const p = first[0]?.partition;
    const q = second[0]?.partition;
    expect({
      [rule]: [
        first.map((r) => r.partition),
        second.map((r) => r.partition),
        p === q ? 'the same partition' : 'another partition',
      ],
    }).toEqual({
      [rule]: [[p, p, p], [q, q, q], 'another partition'],
    });
    expect(batches.map((b) => b.split(':')[1])).toEqual(['a,b,c', 'd,e,f']);
  });
});
