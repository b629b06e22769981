// Partition counts and leaders per topic, needed at enqueue time: a message is partitioned the
// moment it is produced (so it can join its partition's batch and linger there), while KafkaJS
// only learns partitions inside send(). We ask through a KafkaJS admin client
// (fetchTopicMetadata): a public API, cached per topic, refreshed when older than
// topic.metadata.refresh.interval.ms (in the background, the cached value keeps serving) and
// dropped when a send fails with a metadata-related error. A custom KafkaJS partitioner would
// see the metadata only at send time, too late for per-partition batching.
import type { Admin, PartitionMetadata } from 'kafkajs';
import { rootCause } from '../delivery/failure-classification';

export interface TopicPartitions {
  readonly topic: string;
  /** Index = partition id. */
  readonly partitions: readonly PartitionMetadata[];
  /** Partition ids whose leader is known (leader >= 0). */
  readonly available: readonly number[];
  readonly fetchedAt: number;
}

export class PartitionMetadataCache {
  private readonly cache = new Map<string, TopicPartitions>();
  private readonly loading = new Map<string, Promise<TopicPartitions>>();

  constructor(
    private readonly admin: () => Promise<Pick<Admin, 'fetchTopicMetadata'>>,
    private readonly maxAgeMs: number,
    /**
     * Asks for the topic's metadata the way a producer does, which lets the broker auto-create
     * it (KafkaJS admin clients never do); undefined when auto-creation is off.
     */
    private readonly autoCreate: ((topic: string) => Promise<void>) | undefined,
  ) {}

  /** Cached metadata, or undefined when the topic was never loaded (or was invalidated). */
  get(topic: string): TopicPartitions | undefined {
    return this.cache.get(topic);
  }

  /** Refreshes, in the background, entries older than the max age; the old value keeps serving. */
  refreshStale(): void {
    const now = Date.now();
    for (const entry of this.cache.values()) {
      if (now - entry.fetchedAt > this.maxAgeMs) this.load(entry.topic).catch(() => undefined);
    }
  }

  /** Loads (once at a time per topic) and caches the topic's partitions. */
  load(topic: string): Promise<TopicPartitions> {
    const running = this.loading.get(topic);
    if (running) return running;
    const promise = (async () => {
      const admin = await this.admin();
      let topics: Awaited<ReturnType<Admin['fetchTopicMetadata']>>['topics'];
      try {
        ({ topics } = await admin.fetchTopicMetadata({ topics: [topic] }));
      } catch (error) {
        if (this.autoCreate === undefined || (rootCause(error) as { type?: string } | null)?.type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
        await this.autoCreate(topic);
        ({ topics } = await admin.fetchTopicMetadata({ topics: [topic] }));
      }
      const found = topics.find((t) => t.name === topic);
      if (!found || found.partitions.length === 0) throw new Error(`Topic '${topic}' has no partitions in the metadata`);
      const partitions: PartitionMetadata[] = [];
      for (const p of found.partitions) partitions[p.partitionId] = p;
      const entry: TopicPartitions = {
        topic,
        partitions,
        available: partitions.filter((p) => p.leader >= 0).map((p) => p.partitionId),
        fetchedAt: Date.now(),
      };
      this.cache.set(topic, entry);
      return entry;
    })().finally(() => this.loading.delete(topic));
    this.loading.set(topic, promise);
    return promise;
  }

  invalidate(topic: string): void {
    this.cache.delete(topic);
  }
}
