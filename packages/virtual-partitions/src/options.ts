// The `virtualPartitions` key of a topic route: what users write, its defaults, and the resolved
// form the strategy runs with (built once at construction).
import type { Distribution } from './distributors/distribution';
import type { BuiltInPartitioner, Partitioner } from './distributors/partitioners';
import type { Reducer } from './distributors/reducers';

export interface VirtualPartitionsDefinition {
  /**
   * The message's virtual key: messages with one key stay in one virtual partition, in offset
   * order. A function of the message's key, headers, partition and offset (it runs on the main
   * thread, before anything is deserialized), or a built-in: `'key'`, `'header:<name>'`,
   * `'round-robin'`. Required.
   */
  partitioner: Partitioner | BuiltInPartitioner;
  /** Most virtual partitions a batch is split into, 1–1024. Default `concurrency × concurrentJobsPerThread`, at most 1024. Alias `max_partitions`. */
  maxPartitions?: number;
  max_partitions?: number;
  /** Virtual key → virtual partition index (`(key, count) => index`). Default: a stable hash (FNV-1a) of the key. */
  reducer?: Reducer;
  /**
   * `'consistent'`: a key always lands on the same virtual partition and consumer instance (per-key
   * order across batches); `'balanced'`: key groups go largest first to the least-loaded virtual
   * partition (even shares; per-key order within a batch). Default `'consistent'`.
   */
  distribution?: Distribution;
  /** Keep what was processed ahead of the committed offset in the commit metadata, so the next owner skips it. Default true. Alias `offset_metadata`. */
  offsetMetadata?: boolean;
  offset_metadata?: boolean;
}

/** A route's virtual partitions, resolved. */
export interface ResolvedVirtualPartitions {
  readonly partitioner: Partitioner | BuiltInPartitioner;
  readonly maxPartitions: number;
  readonly reducer: Reducer | null;
  readonly distribution: Distribution;
  readonly offsetMetadata: boolean;
}

/** Most virtual partitions a batch may be split into: the bound of an explicit `maxPartitions`, and the cap of the default. */
export const MAX_VIRTUAL_PARTITIONS = 1024;

export const defaultVirtualPartitions = {
  distribution: 'consistent',
  offsetMetadata: true,
} as const satisfies Partial<VirtualPartitionsDefinition>;

/** Skew (largest share ÷ mean) above which a warning is logged once it lasted this many polls in a row. */
export const SKEW_WARNING = { skew: 2, polls: 10 } as const;
