// Partition EOF (librdkafka's `enable.partition.eof`), a built-in feature registered by default:
// with the setting on, the consumer's `eofed()` runs (with no messages) once a partition was
// processed up to its end and nothing new is buffered — also for a partition that is empty when
// assigned — once per reaching the end. (The same setting also makes a poll return as soon as a
// partition with buffered messages reaches its end: that is the batcher's, not this feature's.)
import type { Feature } from '../feature';
import type { IdleHook } from '../topic-behaviour';

/** Where one partition ends, as last seen, and whether eofed() already ran for that end. */
interface PartitionEnd {
  end: number | null;
  signalled: boolean;
}

export const PARTITION_EOF_FEATURE = 'partition-eof';

export function partitionEof(): Feature {
  return {
    name: PARTITION_EOF_FEATURE,
    packageName: '@decanter/consumer-core',
    behaviour(topic) {
      if (!topic.fetch.enablePartitionEof) return null;
      const ends = new Map<number, PartitionEnd>();
      const idle: IdleHook = {
        due(p) {
          const e = ends.get(p.partition);
          if (e === undefined || e.signalled || p.paused || e.end === null || p.position === null || p.position < e.end || p.buffered) return null;
          e.signalled = true;
          return 'eofed';
        },
        // KafkaJS delivers no batch for a partition with nothing to fetch, so an empty (or fully
        // consumed) partition would never show its end: ask the broker where each one starts and
        // ends, and where the group stands in it
        assigned(partitions, context) {
          ends.clear();
          for (const p of partitions) ends.set(p, { end: null, signalled: false });
          if (partitions.length === 0) return;
          context.bounds(partitions.map((partition) => ({ topic: topic.name, partition }))).then(
            (bounds) => {
              for (const b of bounds) {
                const e = ends.get(b.partition);
                // a job that ran meanwhile already told where the partition stands
                const start = b.committed ?? (topic.initialOffset === 'earliest' ? b.low : b.high);
                if (e === undefined || !context.startsAt(b.partition, start)) continue;
                if (e.end === null || b.high > e.end) e.end = b.high;
              }
              context.wake();
            },
            (error: unknown) => context.report(error),
          );
        },
        fetched(partition, highWatermark) {
          const e = ends.get(partition);
          if (e !== undefined && (e.end === null || highWatermark > e.end)) {
            e.end = highWatermark;
            e.signalled = false;
          }
        },
      };
      return { idle };
    },
  };
}
