// Fixtures of the pipeline's unit tests: a plain variant (acks all, no codec, 60 s delivery
// timeout), a fake admin that knows every topic as one partition led
// by broker 1, and the parts a DeliveryPipeline shares with its producer, built from resolved
// options. Never imported by src/.
import type { Admin } from 'kafkajs';
import { Partitioner } from '../../../src/batching/partitioner';
import type { PipelineShared } from '../../../src/delivery/delivery-pipeline';
import { QueueLimits } from '../../../src/delivery/queue-limits';
import type { VariantSettings } from '../../../src/delivery/variant-settings';
import { Monitor } from '../../../src/events';
import { PartitionMetadataCache } from '../../../src/metadata/partition-metadata-cache';
import type { ResolvedProducerOptions } from '../../../src/options';

/** acks all, no compression, a 60 s delivery timeout. */
export const variant: VariantSettings = {
  key: 'v',
  acks: -1,
  compression: 'none',
  compressionType: 0,
  timeoutMs: 60_000,
  requestTimeoutMs: 1_000,
};

/** An admin whose metadata has every topic asked for as partition 0, leader 1. */
export function onePartitionAdmin(): Admin {
  return {
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({
      topics: topics.map((name) => ({
        name,
        partitions: [{ partitionId: 0, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }],
      })),
    }),
  } as unknown as Admin;
}

/** What a pipeline shares with its producer: queue limits, metadata through `admin`, a partitioner. */
export function pipelineShared(
  options: ResolvedProducerOptions,
  admin: Admin,
  monitor = new Monitor(),
): PipelineShared {
  return {
    options,
    monitor,
    limits: new QueueLimits(options.queueMaxMessages, options.queueMaxBytes, options.id),
    metadata: new PartitionMetadataCache(async () => admin, options.metadataMaxAgeMs, undefined),
    partitioner: new Partitioner(),
  };
}
