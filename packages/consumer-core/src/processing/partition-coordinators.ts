// The partition coordinators of one subscription group connection, and each topic's features
// (strategy, behaviours) they share. Every assignment replaces them all (KafkaJS rebalances
// eagerly: every partition starts over) and tells the topics' idle hooks what they now own.
import { partitionKey } from '../connection/prefetch-buffer';
import type { TopicFeatures } from '../features/feature-set';
import type { AssignmentContext } from '../features/topic-behaviour';
import type { Topic } from '../routing/topic';
import { PartitionCoordinator, type CoordinatorContext } from './partition-coordinator';

export class PartitionCoordinators {
  readonly #byKey = new Map<string, PartitionCoordinator>();
  readonly #topics = new Map<string, { topic: Topic; features: TopicFeatures }>();

  constructor(
    topics: ReadonlyArray<{ topic: Topic; features: TopicFeatures }>,
    private readonly context: CoordinatorContext,
  ) {
    for (const t of topics) this.#topics.set(t.topic.name, t);
  }

  /** The features of a topic of this subscription group, or undefined for another topic. */
  featuresOf(topic: string): TopicFeatures | undefined {
    return this.#topics.get(topic)?.features;
  }

  get(topic: string, partition: number): PartitionCoordinator | undefined {
    return this.#byKey.get(partitionKey(topic, partition));
  }

  values(): IterableIterator<PartitionCoordinator> {
    return this.#byKey.values();
  }

  /** A new assignment: a fresh coordinator per assigned partition (`epochOf` gives its ownership epoch). */
  assigned(assignment: ReadonlyArray<{ topic: string; partition: number }>, epochOf: (topic: string, partition: number) => number, context: Omit<AssignmentContext, 'startsAt'>): void {
    this.#byKey.clear();
    const byTopic = new Map<string, number[]>();
    for (const a of assignment) {
      const entry = this.#topics.get(a.topic);
      if (entry === undefined) continue;
      this.#byKey.set(partitionKey(a.topic, a.partition), new PartitionCoordinator(entry.topic, a.partition, epochOf(a.topic, a.partition), entry.features, this.context));
      byTopic.set(a.topic, [...(byTopic.get(a.topic) ?? []), a.partition]);
    }
    for (const [name, { features }] of this.#topics) {
      const startsAt = (partition: number, offset: number): boolean => {
        const c = this.get(name, partition);
        if (c === undefined || c.position !== null) return false;
        c.position = offset;
        return true;
      };
      for (const hook of features.idleHooks) hook.assigned?.(byTopic.get(name) ?? [], { ...context, startsAt });
    }
  }

  /** A batch of the partition was buffered, reaching up to `highWatermark`. */
  fetched(topic: string, partition: number, highWatermark: number): void {
    if (!this.#byKey.has(partitionKey(topic, partition))) return;
    for (const hook of this.#topics.get(topic)?.features.idleHooks ?? []) hook.fetched?.(partition, highWatermark);
  }
}
