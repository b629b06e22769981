// What the main thread and the worker threads say to each other. Plain data only (structured
// clone), except `packed`, which is transferred.
import type { ConsumerRequests, JobKind } from '../consumer';
import type { PartitionLease } from '../partition-lease';
import type { JobDetails } from './job';
import type { BuiltInDeserializer } from '../routing/routes';
import type { ResolvedReference } from '../routing/topic';
import type { SerializedError } from './serialized-error';

export interface ConsumeTask {
  kind: 'consume';
  /** The consumer instance that runs the job: consumerGroup/topic/partition (+ `#n` for a partition's further instances). */
  key: string;
  /** Which lane (worker thread) the job runs on: jobs of one lane key share a thread. Default: `key`. */
  laneKey?: string;
  consumerGroup: string;
  topic: string;
  partition: number;
  consumer: ResolvedReference;
  deserializer: BuiltInDeserializer | ResolvedReference;
  manualOffsetManagement: boolean;
  packed: ArrayBuffer;
  /** When the job became ready, ms since epoch (high resolution). */
  readyAt: number;
  /** BroadcastChannel name of the app's producer bridge, or null without a producer. */
  producerChannel: string | null;
  /** 1 on a batch's first run, n + 1 after n failures in a row of this partition. Default 1. */
  attempt?: number;
  /** Which hook runs: consume() (default), eofed() or tick() (the latter two with no messages). */
  hook?: JobKind;
  /** Ownership of the partition under the epoch this job was dispatched in (shared memory). */
  lease?: PartitionLease;
  /** What the partition's strategy says about this job (virtual partition, collapsed), for `this.messages.metadata`. */
  details?: JobDetails;
}

/** Runs `revoked()` (or `shutdown()`) on the named instances (all instances when `keys` is null), then drops them. */
export interface LifecycleTask {
  kind: 'revoked' | 'shutdown';
  keys: string[] | null;
}

/** Loads every consumer module and checks the export is a Consumer class (fails boot early). */
export interface ValidateTask {
  kind: 'validate';
  references: Array<ResolvedReference & { routePath: string }>;
}

export type WorkerTask = ConsumeTask | LifecycleTask | ValidateTask;

/** Errors in results: see serialized-error.ts (a Decanter error keeps its code across threads). */
export type { SerializedError };

export interface ConsumeResult {
  startedAt: number;
  finishedAt: number;
  threadId: number;
  markedOffset: number | null;
  pause: { offset: number; timeoutMs: number } | null;
  /** A seek to a time or an end, resolved by the main thread. */
  seek?: ConsumerRequests['seek'];
  /** The consumer called resume(). */
  resume?: boolean;
  error: SerializedError | null;
}

export interface LifecycleResult {
  errors: Array<{ key: string; error: SerializedError }>;
}

export interface ValidateResult {
  problems: Array<{ routePath: string; rule: string; value: string }>;
}
