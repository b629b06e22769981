// The figures `statistics.emitted` reports for one subscription group connection: per partition
// lag (high watermark − committed, or − marked/fetched before a first commit), fetch lag, offsets
// and buffered messages; the buffer's bytes; the rebalance counters. Reads state, changes nothing.
import type { PrefetchBuffer } from '../connection/prefetch-buffer';
import type { GroupScope, PartitionStatistics, RebalanceStatistics, StatisticsEvent } from '../events';
import type { OffsetTracker } from '../processing/offsets/offset-tracker';

/** What the collector reads of its subscription group. */
export interface StatisticsContext {
  readonly tracker: Pick<OffsetTracker, 'partitions'>;
  readonly buffer: Pick<PrefetchBuffer, 'countFor' | 'bytes'>;
  readonly scope: GroupScope;
  readonly counters: Readonly<RebalanceStatistics>;
  /** What the partition's strategy adds to its entry. */
  strategyStatistics(topic: string, partition: number): object | undefined;
}

export class StatisticsCollector {
  constructor(private readonly context: StatisticsContext) {}

  collect(): StatisticsEvent['subscriptionGroups'][number] {
    const { tracker, buffer, scope, counters, strategyStatistics } = this.context;
    const partitions: PartitionStatistics[] = tracker.partitions().map((p) => {
      const hw = p.highWatermark;
      const position = p.committed ?? p.marked ?? p.fetchPosition;
      return {
        topic: p.topic,
        partition: p.partition,
        lag: hw === null || position === null ? 0 : Math.max(0, hw - position),
        fetchLag: hw === null || p.fetchPosition === null ? 0 : Math.max(0, hw - p.fetchPosition),
        highWatermark: hw,
        fetchPosition: p.fetchPosition,
        markedOffset: p.marked,
        committedOffset: p.committed,
        bufferedMessages: buffer.countFor(p.topic, p.partition),
        ...strategyStatistics(p.topic, p.partition),
      };
    });
    return { ...scope, bufferedBytes: buffer.bytes, partitions, ...counters };
  }
}
