// Claim: `virtual_partitions.distributed` reports every poll of a virtual-partitioned partition
// that skips messages as processed already, whatever became of the rest: a poll the commit
// metadata restored after a restart had done entirely (no job at all) is reported with
// `messages: 0`, `virtualPartitions: 0` and its skipped count; a poll it had done in part is
// reported with both counts. The strategy runs against a real VirtualLedger restored from the
// metadata its own encoder writes, through a minimal PartitionControl. No broker.
import { join } from 'node:path';
import { App, Monitor, type Topic } from '@decanter/consumer-core';
import {
  MessageRun,
  type ConsumeJob,
  type FailureCount,
  type FailurePolicy,
  type JobDetails,
  type PartitionControl,
} from '@decanter/consumer-core/features';
import { virtualPartitions, type VirtualPartitionsDistributedEvent } from '@decanter/virtual-partitions';
import { encodeProcessedAhead } from '../../src/offset-metadata';
import { VirtualPartitionsStrategy } from '../../src/strategy';
import { VirtualLedger } from '../../src/virtual-ledger';

const consumer = { module: join(__dirname, 'fixtures', 'vp-consumers.ts'), export: 'ShareConsumer' };

function route(): Topic {
  const app = new App({
    kafka: { 'bootstrap.servers': '127.0.0.1:9092', 'group.id': 'g' },
    features: [virtualPartitions()],
    routes: [
      { topics: [{ topic: 'payments', consumer, virtualPartitions: { partitioner: 'key', maxPartitions: 4 } }] },
    ],
  });
  return app.routing[0]!.subscriptionGroups[0]!.topics[0]!;
}

/** The partition as the strategy sees it: a ledger, a monitor, and the jobs and skips it was handed. */
class ProbePartition implements PartitionControl {
  readonly partition = 0;
  readonly failures: FailureCount = { attempts: 0, failedAt: null };
  readonly failurePolicy: FailurePolicy = {};
  readonly monitor = new Monitor();
  readonly scope = { consumerGroup: 'g', subscriptionGroup: 'default' };
  readonly skippedOffsets: number[] = [];

  constructor(
    readonly topic: Topic,
    readonly offsets: VirtualLedger,
  ) {}

  job(messages: MessageRun, parallelKey = 0, details?: JobDetails): ConsumeJob {
    const leaseKey = `g/${this.topic.name}/0`;
    const instanceKey = parallelKey === 0 ? leaseKey : `${leaseKey}#${parallelKey}`;
    return {
      leaseKey,
      instanceKey,
      laneKey: instanceKey,
      parallelKey,
      topic: this.topic,
      partition: 0,
      messages,
      readyAt: 0,
      manualOffsetManagement: false,
      ...(details === undefined ? {} : { details }),
    };
  }

  markedOffset(): number | null {
    return this.offsets.firstUnprocessed();
  }

  ledger(): VirtualLedger {
    return this.offsets;
  }

  skipped(messages: MessageRun): void {
    for (let i = 0; i < messages.length; i++) this.skippedOffsets.push(messages.offsetAt(i)!);
    this.offsets.skipped(messages);
  }

  processed(): boolean {
    return true;
  }

  owns(): boolean {
    return true;
  }

  advanced(): void {}

  pause(): void {}

  async seek(): Promise<void> {}

  resume(): void {}

  backoff(): number {
    return 0;
  }

  reportFailure(): void {}
}

/** Messages `from`..`to` (inclusive) of the partition, keyed k0, k1, k2 in turn. */
const poll = (from: number, to: number): MessageRun =>
  MessageRun.of(
    Array.from({ length: to - from + 1 }, (_, i) => ({
      offset: from + i,
      timestamp: 0,
      key: Buffer.from(`k${(from + i) % 3}`),
      value: null,
    })),
  );

/** A strategy and its partition after a restart: committed offset 10, and 12..15 processed ahead (the commit metadata). */
function restarted() {
  const topic = route();
  const strategy = new VirtualPartitionsStrategy(topic.virtualPartitions!);
  const ledger = strategy.ledger();
  ledger.restore(10, encodeProcessedAhead(10, [12, 13, 14, 15]));
  const partition = new ProbePartition(topic, ledger);
  const events: VirtualPartitionsDistributedEvent[] = [];
  partition.monitor.subscribe('virtual_partitions.distributed', (e) => events.push(e));
  return { strategy, partition, events };
}

// Regression: with every message of the poll skipped the strategy returned before the event, so
// what the commit metadata saved after a restart was visible nowhere.
test('a poll the commit metadata says was processed entirely makes no job and is reported: messages 0, its skipped count', () => {
  const { strategy, partition, events } = restarted();
  const jobs = strategy.distribute(poll(12, 15), partition);
  const rule =
    'no job; every message skipped; virtual_partitions.distributed with messages 0, virtualPartitions 0 and the skipped count';
  expect({ [rule]: { jobs: jobs.length, skipped: partition.skippedOffsets, events } }).toEqual({
    [rule]: {
      jobs: 0,
      skipped: [12, 13, 14, 15],
      events: [
        {
          consumerGroup: 'g',
          subscriptionGroup: 'default',
          topic: 'payments',
          partition: 0,
          messages: 0,
          skipped: 4,
          virtualPartitions: 0,
          skew: 1,
          collapsed: false,
        },
      ],
    },
  });
  // nothing was split: the statistics keep describing the latest split (none yet)
  expect(strategy.statistics(0).virtualPartitions).toMatchObject({ used: 0, skew: 1, collapsed: false });
});

test('a poll the commit metadata says was processed in part is split without those messages and reports both counts', () => {
  const { strategy, partition, events } = restarted();
  const jobs = strategy.distribute(poll(10, 17), partition);
  const handedOut = jobs
    .flatMap((j) => Array.from({ length: j.messages.length }, (_, i) => j.messages.offsetAt(i)!))
    .sort((a, b) => a - b);
  const rule = 'the unprocessed 10, 11, 16, 17 are handed out, 12..15 skipped, and the event counts both';
  expect({
    [rule]: {
      handedOut,
      skipped: partition.skippedOffsets,
      event: events.map(({ messages, skipped, collapsed }) => ({ messages, skipped, collapsed })),
    },
  }).toEqual({
    [rule]: {
      handedOut: [10, 11, 16, 17],
      skipped: [12, 13, 14, 15],
      event: [{ messages: 4, skipped: 4, collapsed: false }],
    },
  });
  expect(events[0]!.virtualPartitions).toBe(jobs.length);
});
