import type { JobKind } from '../consumer';
import type { MessageRun } from '../messages/packed-chunk';
import type { Topic } from '../routing/topic';

/**
 * A share of one topic-partition's poll: the unit a worker runs. Its keys are split by role so
 * that a strategy can give one partition several consumer instances: the partition's ownership
 * (`leaseKey`), the consumer instance that runs the job (`instanceKey`), and the worker thread it
 * is pinned to (`laneKey`).
 */
export interface ConsumeJob {
  /** consumerGroup/topic/partition: the partition's ownership lease (one per partition). */
  readonly leaseKey: string;
  /** The consumer instance that runs the job: the lease key for `parallelKey` 0, else lease key + `#` + parallelKey. */
  readonly instanceKey: string;
  /** Jobs with one lane key run on one worker thread (default: the instance key). */
  readonly laneKey: string;
  /** Which of the partition's parallel consumer instances runs it (0 unless a strategy splits the partition). */
  readonly parallelKey: number;
  readonly topic: Topic;
  readonly partition: number;
  /** The job's messages of the partition, in offset order (slices of packed fetched batches). */
  readonly messages: MessageRun;
  /** When the poll handed the job out, ms since epoch (high resolution). */
  readonly readyAt: number;
  /** Which consumer hook the job runs: `consume` (default) or, with no messages, `eofed` / `tick`. */
  readonly hook?: JobKind;
  /** Ownership epoch of the partition when the job was made (its marks count only under it). */
  readonly epoch?: number;
  /** Nothing is marked when consume() returns; only markAsConsumed() marks (manual offset management). */
  readonly manualOffsetManagement: boolean;
  /** What the strategy tells the consumer about its share (merged into `this.messages.metadata`). */
  readonly details?: JobDetails;
}

/** A strategy's facts about a job, shown to the consumer in `this.messages.metadata`. */
export interface JobDetails {
  /** Which virtual partition of its partition the job is (strategies that split partitions). */
  readonly virtualPartition?: number;
  /** The partition is processed in one job again after an error (strategies that split partitions). */
  readonly collapsed?: boolean;
}

/** The lease key of a partition: consumerGroup/topic/partition. */
export const jobKey = (consumerGroup: string, topic: string, partition: number): string => `${consumerGroup}/${topic}/${partition}`;

/** The key of the partition's consumer instance number `parallelKey` (the lease key itself for 0). */
export const instanceKeyOf = (leaseKey: string, parallelKey: number): string => (parallelKey === 0 ? leaseKey : `${leaseKey}#${parallelKey}`);

/** The keys of a job run by the partition's consumer instance `parallelKey`, pinned to its own lane. */
export function jobKeys(topic: Topic, partition: number, parallelKey = 0): Pick<ConsumeJob, 'leaseKey' | 'instanceKey' | 'laneKey' | 'parallelKey'> {
  const leaseKey = jobKey(topic.consumerGroup, topic.name, partition);
  const instanceKey = instanceKeyOf(leaseKey, parallelKey);
  return { leaseKey, instanceKey, laneKey: instanceKey, parallelKey };
}
