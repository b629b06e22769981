// How many connections (KafkaJS consumers, each a member of the consumer group with its own
// listener, prefetch buffer, poll loop and commits) a subscription group gets, which partition
// assigner they prefer, and who may add or remove one while the app runs. The core runs one
// connection and no scaler; a feature (multiplexing) plans more. The connection index travels in
// client ids, events and statistics.
import type { PartitionAssigner } from 'kafkajs';
import type { Monitor } from '../instrumentation/monitor';
import type { SubscriptionGroup } from '../routing/subscription-group';

/** Connections of one subscription group: how many at start, and the bounds a scaler keeps to. */
export interface ConnectionCount {
  readonly boot: number;
  readonly min: number;
  readonly max: number;
}

/** A topic partition a connection was assigned. */
export interface AssignedPartition {
  readonly topic: string;
  readonly partition: number;
}

/**
 * What an assigner knows of the member it runs in: the partitions this connection held in the
 * group's last generation (empty before its first join). A sticky assigner carries it in its
 * member metadata, because KafkaJS calls `protocol()` on every join, after revoking everything.
 */
export interface AssignmentMemory {
  current(): readonly AssignedPartition[];
}

/** Builds one connection's assigner (one per KafkaJS consumer, so it can read that member's memory). */
export type AssignerFactory = (member: AssignmentMemory) => PartitionAssigner;

/** What a scaler sees of one connection, read when asked. */
export interface ConnectionView {
  readonly connection: number;
  /** Partitions the connection holds now. */
  readonly partitions: number;
  /** Sum over its partitions of high watermark − the next offset to process (marked, else committed): how far processing is behind. */
  readonly lag: number;
  /** True while jobs of its current poll run. */
  readonly busy: boolean;
  readonly bufferedBytes: number;
  /** True while the connection's group is rebalancing (its figures are in flux). */
  readonly rebalancing: boolean;
}

/**
 * The handle a scaler drives. Steps of an app run one at a time (each rebalances the whole
 * consumer group); before each, every connection of the consumer group commits what it marked.
 */
export interface ConnectionsControl {
  readonly group: SubscriptionGroup;
  readonly count: ConnectionCount;
  readonly monitor: Monitor;
  /** The running connections, by index. */
  view(): ConnectionView[];
  /** Starts one more connection (never above `count.max`); resolves its index, or null when refused (at max, or the app is no longer running). */
  add(): Promise<number | null>;
  /** Stops a connection after its running jobs finished and it committed (never below `count.min`); false when refused. */
  remove(connection: number): Promise<boolean>;
}

/** A running scaler: stopped by the app before quiet mode and shutdown. */
export interface ConnectionsScaler {
  stop(): void;
}

export interface ConnectionsPlan {
  /** The connections of `group`, or null when the feature leaves the group alone. */
  connections(group: SubscriptionGroup): ConnectionCount | null;
  /**
   * The assigner the group's connections prefer over the core's sticky one. KafkaJS offers the
   * broker every assigner a member has and the broker picks one all members share, so the core's
   * round-robin assigner stays listed last: a group whose other members lack this one still works.
   */
  assigner?(group: SubscriptionGroup): AssignerFactory | null;
  /** Starts watching the group's connections once they all run (null: the count stays at `boot`). */
  scaler?(group: SubscriptionGroup, control: ConnectionsControl): ConnectionsScaler | null;
}

/** The core's plan: one connection per subscription group. */
export const SINGLE_CONNECTION: ConnectionCount = Object.freeze({ boot: 1, min: 1, max: 1 });
