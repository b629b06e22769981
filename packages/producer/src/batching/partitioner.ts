// Chooses a message's partition at enqueue time. Explicit partition wins; then `partitionKey`,
// then `key`, hashed with KafkaJS's Java-compatible murmur2 (a Java producer picks the same
// partition for the same key); keyless messages stick to one partition per topic until that
// partition's batch is sealed (KIP-480), so a batch fills instead of scattering one message per
// partition as KafkaJS's round robin does.
import { Partitioners } from 'kafkajs';
import type { TopicPartitions } from '../metadata/partition-metadata-cache';

export class Partitioner {
  private readonly murmur2 = Partitioners.DefaultPartitioner();
  private readonly sticky = new Map<string, number>();

  /** Partition for a keyed message (partitionKey or key). */
  forKey(topic: string, meta: TopicPartitions, key: Buffer | string): number {
    return this.murmur2({ topic, partitionMetadata: meta.partitions as TopicPartitions['partitions'] & never[], message: { key, value: null } });
  }

  /** Partition for a keyless message: the topic's sticky partition. */
  forKeyless(topic: string, meta: TopicPartitions): number {
    const current = this.sticky.get(topic);
    if (current !== undefined && current < meta.partitions.length) return current;
    const next = this.pick(meta, -1);
    this.sticky.set(topic, next);
    return next;
  }

  /** A batch of `topic`/`partition` was sealed: keyless messages move to another partition. */
  onBatchSealed(topic: string, partition: number, meta: TopicPartitions | undefined): void {
    if (this.sticky.get(topic) !== partition) return;
    if (meta === undefined) this.sticky.delete(topic);
    else this.sticky.set(topic, this.pick(meta, partition));
  }

  private pick(meta: TopicPartitions, avoid: number): number {
    const candidates = meta.available.length > 0 ? meta.available : meta.partitions.map((_, i) => i);
    if (candidates.length === 1) return candidates[0] ?? 0;
    for (;;) {
      const choice = candidates[Math.floor(Math.random() * candidates.length)] ?? 0;
      if (choice !== avoid) return choice;
    }
  }
}
