// The offset look-ups a listener answers beside its fetch loop: the group's committed offsets
// with their metadata (what a strategy reads back on assignment), a partition's watermarks, and
// the offset of a timestamp (seeks). One admin client on the listener's connection settings,
// connected on the first look-up only; close() waits for the look-ups in flight (KafkaJS
// reconnects for a request cut off by a disconnect, which would outlive the app).
import type { Admin, Kafka } from 'kafkajs';
import { partitionKey } from './prefetch-buffer';

/** A partition's committed offset and its metadata, as the broker has them. */
export interface CommittedOffset {
  topic: string;
  partition: number;
  /** The committed offset, or null when the group has none. */
  offset: number | null;
  metadata: string | null;
}

/** Where a partition starts and ends, as the broker says now. */
export interface PartitionBounds {
  topic: string;
  partition: number;
  /** Earliest offset still in the log. */
  low: number;
  /** High watermark: the offset the next message gets. */
  high: number;
  /** The group's committed offset, or null when it has none. */
  committed: number | null;
}

type TopicPartition = { topic: string; partition: number };

export class OffsetLookups {
  #admin: Promise<Admin> | undefined;
  /** close() began: no new admin client may connect. */
  #closed = false;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly client: Kafka,
    private readonly groupId: string,
  ) {}

  /** The group's committed offsets and their metadata for these partitions. */
  committed(partitions: readonly TopicPartition[]): Promise<CommittedOffset[]> {
    return this.#track(this.#committed(partitions));
  }

  /** The offset of the first message at or after `timestamp` (the high watermark when there is none), or either end. */
  resolveOffset(topic: string, partition: number, target: { timestamp: number } | 'earliest' | 'latest'): Promise<number> {
    return this.#track(this.#resolveOffset(topic, partition, target));
  }

  /** Low/high watermarks and the group's committed offsets of these partitions. */
  bounds(partitions: readonly TopicPartition[]): Promise<PartitionBounds[]> {
    return this.#track(this.#bounds(partitions));
  }

  /** Waits for the look-ups in flight, then disconnects the admin client (if one connected). */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
    const admin = this.#admin; // possibly still connecting: wait for it, then disconnect
    this.#admin = undefined;
    if (admin !== undefined) await admin.then((a) => a.disconnect()).catch(() => undefined);
  }

  #adminClient(): Promise<Admin> {
    if (this.#closed) return Promise.reject(new Error('The listener is stopped'));
    this.#admin ??= (async () => {
      const admin = this.client.admin();
      await admin.connect();
      return admin;
    })();
    this.#admin.catch(() => (this.#admin = undefined));
    return this.#admin;
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    const done = (): void => void this.#inFlight.delete(work);
    work.then(done, done);
    return work;
  }

  async #committed(partitions: readonly TopicPartition[]): Promise<CommittedOffset[]> {
    const admin = await this.#adminClient();
    const topics = [...new Set(partitions.map((p) => p.topic))];
    const fetched = await admin.fetchOffsets({ groupId: this.groupId, topics });
    const wanted = new Set(partitions.map((p) => partitionKey(p.topic, p.partition)));
    const out: CommittedOffset[] = [];
    for (const { topic, partitions: list } of fetched) {
      for (const p of list) {
        if (!wanted.has(partitionKey(topic, p.partition))) continue;
        const offset = Number(p.offset);
        out.push({ topic, partition: p.partition, offset: offset >= 0 ? offset : null, metadata: p.metadata ?? null });
      }
    }
    return out;
  }

  async #resolveOffset(topic: string, partition: number, target: { timestamp: number } | 'earliest' | 'latest'): Promise<number> {
    const admin = await this.#adminClient();
    if (typeof target === 'object') {
      const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, target.timestamp);
      const found = offsets.find((o) => o.partition === partition);
      if (found === undefined) throw new Error(`Partition ${topic}-${partition} not found`);
      return Number(found.offset);
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    const found = offsets.find((o) => o.partition === partition);
    if (found === undefined) throw new Error(`Partition ${topic}-${partition} not found`);
    return Number(target === 'earliest' ? found.low : found.high);
  }

  async #bounds(partitions: readonly TopicPartition[]): Promise<PartitionBounds[]> {
    const admin = await this.#adminClient();
    const topics = [...new Set(partitions.map((p) => p.topic))];
    const out: PartitionBounds[] = [];
    const committed = await admin.fetchOffsets({ groupId: this.groupId, topics });
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const commits = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const p of partitions.filter((x) => x.topic === topic)) {
        const end = ends.find((e) => e.partition === p.partition);
        if (end === undefined) continue;
        const c = Number(commits.find((x) => x.partition === p.partition)?.offset ?? -1);
        out.push({ topic, partition: p.partition, low: Number(end.low), high: Number(end.high), committed: c >= 0 ? c : null });
      }
    }
    return out;
  }
}
