// The virtual partitions feature: `virtualPartitions()` registered with an App makes the
// `virtualPartitions` key of topic routes valid (and typed), and claims those topics with the
// virtual partitions strategy.
import type { Topic } from '@decanter/consumer-core';
import type { Feature } from '@decanter/consumer-core/features';
import { virtualPartitionsRoute } from './contract';
import type { ResolvedVirtualPartitions, VirtualPartitionsDefinition } from './options';
import { VirtualPartitionsStrategy, type VirtualPartitionsStatistics } from './strategy';

declare module '@decanter/consumer-core' {
  interface TopicRouteExtensions {
    /** Split each partition's batches into virtual partitions processed in parallel (needs `features: [virtualPartitions()]`). Alias `virtual_partitions`. */
    virtualPartitions?: VirtualPartitionsDefinition;
    virtual_partitions?: VirtualPartitionsDefinition;
  }
  interface TopicSettings {
    /** The route's virtual partitions, or null. */
    readonly virtualPartitions?: ResolvedVirtualPartitions | null;
  }
  interface PartitionStatisticsExtensions {
    /** With virtual partitions: the latest split. */
    virtualPartitions?: VirtualPartitionsStatistics;
  }
  interface AppEvents {
    /** A partition's poll was handed to virtual partitions: split, run collapsed, or skipped entirely as processed already. */
    'virtual_partitions.distributed': (event: VirtualPartitionsDistributedEvent) => void;
  }
  interface ErrorTypeExtensions {
    'virtual_partitions.partitioner.error': true;
  }
}

/** Payload of `virtual_partitions.distributed`. */
export interface VirtualPartitionsDistributedEvent {
  consumerGroup: string;
  subscriptionGroup: string;
  connection?: number;
  topic: string;
  partition: number;
  /** Messages handed to virtual partitions (0 when the whole poll was skipped). */
  messages: number;
  /** Messages not handed out again: processed already (ahead of a failure, or by the previous owner). */
  skipped: number;
  /** Virtual partitions the batch was split into: 1 while collapsed, 0 when the whole poll was skipped. */
  virtualPartitions: number;
  /** Largest share ÷ mean share (1 = even; 1 too while collapsed or when nothing was handed out). */
  skew: number;
  /** The partition runs in one job, in Kafka order, after a failure. */
  collapsed: boolean;
}

export const VIRTUAL_PARTITIONS_FEATURE = 'virtual-partitions';

/** The virtual partitions feature, to register with `new App({ features: [virtualPartitions()] })`. */
export function virtualPartitions(): Feature {
  return {
    name: VIRTUAL_PARTITIONS_FEATURE,
    packageName: '@decanter/virtual-partitions',
    routes: [virtualPartitionsRoute],
    strategy: (topic: Topic) => (topic.virtualPartitions == null ? null : new VirtualPartitionsStrategy(topic.virtualPartitions)),
  };
}
