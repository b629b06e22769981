// Pauses, resumes and seeks of one subscription group's partitions, and the timers that end the
// pauses. Only the partition concerned stops: the listener drops what it buffered for it and
// KafkaJS stops fetching it; after the timeout (never, for Infinity, until resume()) it restarts
// exactly at the pause's offset. A timer never throws (the process would die) and none is armed
// during a rejoin: every partition restarts from its committed offset after it, and a seek left in
// KafkaJS meanwhile would outlive the rejoin.
import type { SeekRequest } from '../consumer';
import { ConsumeFailedError } from '../errors';
import type { GroupScope, PartitionPausedEvent } from '../events';
import type { Monitor } from '../instrumentation/monitor';
import type { PartitionCoordinator, PartitionMover } from '../processing/partition-coordinator';
import type { OffsetTracker } from '../processing/offsets/offset-tracker';
import type { Listener } from './listener';
import { partitionKey } from './prefetch-buffer';

/** What the pauses manager needs of its subscription group. */
export interface PausesContext {
  readonly listener: Pick<Listener, 'pause' | 'resumeAt' | 'resolveOffset'>;
  readonly tracker: Pick<OffsetTracker, 'owns' | 'rewind'>;
  readonly monitor: Monitor;
  readonly scope: GroupScope;
  /** KafkaJS is rejoining (between REBALANCING and GROUP_JOIN). */
  rebalancing(): boolean;
  /** The subscription group is stopping. */
  stopping(): boolean;
  /** Reports a failure outside any job (poll.error), never throwing. */
  pollError(error: unknown, where: { topic: string; partition: number }): void;
}

export class PausesManager implements PartitionMover {
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly context: PausesContext) {}

  pause(p: PartitionCoordinator, offset: number, timeoutMs: number, reason: PartitionPausedEvent['reason'], attempt = 0): void {
    const { listener, tracker, monitor, scope } = this.context;
    const topic = p.topic.name;
    const partition = p.partition;
    if (!tracker.owns(topic, partition)) return;
    const key = partitionKey(topic, partition);
    listener.pause(topic, partition);
    tracker.rewind(topic, partition, offset, reason);
    p.pausedAt = offset;
    p.position = offset;
    const event = { ...scope, topic, partition, offset, timeoutMs, reason, attempt };
    monitor.notify('partition.paused', event);
    this.#clear(key);
    if (!Number.isFinite(timeoutMs) || this.context.rebalancing()) return;
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      if (this.context.stopping() || !tracker.owns(topic, partition)) return;
      p.pausedAt = null;
      try {
        listener.resumeAt(topic, partition, offset);
      } catch (error) {
        // a timer must never throw (the process would die); the next join resets the partition
        this.context.pollError(error, { topic, partition });
        return;
      }
      monitor.notify('partition.resumed', event);
    }, timeoutMs);
    this.#timers.set(key, timer);
  }

  /** Lifts a pause now (a consumer's resume()). */
  resume(p: PartitionCoordinator): void {
    const { listener, tracker, monitor, scope } = this.context;
    const topic = p.topic.name;
    if (p.pausedAt === null || !tracker.owns(topic, p.partition)) return;
    this.#clear(partitionKey(topic, p.partition));
    const offset = p.pausedAt;
    p.pausedAt = null;
    listener.resumeAt(topic, p.partition, offset);
    monitor.notify('partition.resumed', { ...scope, topic, partition: p.partition, offset, timeoutMs: 0, reason: 'request', attempt: p.failures.attempts });
  }

  /** Resolves a seek to a time or an end, then restarts the partition there. */
  async seek(p: PartitionCoordinator, target: Exclude<SeekRequest, { offset: number }>): Promise<void> {
    const topic = p.topic.name;
    const partition = p.partition;
    try {
      const offset = await this.context.listener.resolveOffset(topic, partition, target);
      this.pause(p, offset, 0, 'request');
    } catch (cause) {
      const { monitor, scope } = this.context;
      monitor.notify('error.occurred', {
        type: 'consumer.seek.error',
        error: new ConsumeFailedError(`Seeking ${topic}-${partition} to ${JSON.stringify(target)} failed`, { cause, context: { ...scope, topic, partition } }),
        ...scope,
        topic,
        partition,
      });
    }
  }

  /** Drops every pause timer (rebalance, restart, stop): no partition resumes on its own any more. */
  clearTimers(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  #clear(key: string): void {
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
  }
}
