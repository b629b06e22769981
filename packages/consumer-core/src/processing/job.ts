import type { JobKind } from '../consumer';
import type { MessageRun } from '../messages/packed-chunk';
import type { Topic } from '../routing/topic';

/** One topic-partition's share of a poll: the unit a worker runs. */
export interface ConsumeJob {
  /** consumerGroup/topic/partition: the consumer instance and lane affinity key. */
  readonly key: string;
  readonly topic: Topic;
  readonly partition: number;
  /** The partition's messages of this job, in offset order (slices of packed fetched batches). */
  readonly messages: MessageRun;
  /** When the poll handed the job out, ms since epoch (high resolution). */
  readonly readyAt: number;
  /** Which consumer hook the job runs: `consume` (default) or, with no messages, `eofed` / `tick`. */
  readonly hook?: JobKind;
  /** Ownership epoch of the partition when the job was made (its marks count only under it). */
  readonly epoch?: number;
}

export const jobKey = (consumerGroup: string, topic: string, partition: number): string => `${consumerGroup}/${topic}/${partition}`;
