// Commits a subscription group's marked offsets (never the fetch position): on an interval, at a
// rebalance, at shutdown. Commits run one at a time, except a rebalance commit: it is sent at once
// (KafkaJS sends its JoinGroup right after announcing the rejoin, on the same connection, and the
// broker answers requests of a connection in order), and only carries marks at or ahead of any
// commit still in flight. A broker that refuses the commit metadata as too large
// (OFFSET_METADATA_TOO_LARGE: its offset.metadata.max.bytes is lower than ours) gets the same
// offsets without metadata: duplicates after a rebalance, never a commit lost.
import { performance } from 'node:perf_hooks';
import { CommitFailedError } from '../errors';
import type { GroupScope, OffsetEntry } from '../events';
import type { Monitor } from '../instrumentation/monitor';
import type { OffsetTracker } from '../processing/offsets/offset-tracker';
import type { Listener } from './listener';

export type CommitReason = 'interval' | 'rebalance' | 'shutdown' | 'scaling';

/** What the committer needs of its subscription group. */
export interface CommitterContext {
  readonly tracker: Pick<OffsetTracker, 'pending' | 'committed' | 'metadataRefused'>;
  readonly listener: Pick<Listener, 'commit'>;
  readonly monitor: Monitor;
  readonly scope: GroupScope;
}

/** The broker refused the metadata as too large: KafkaJS's protocol error, or its retrier's wrapper of it (the type on its cause). */
function isMetadataTooLarge(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { type?: unknown }).type === 'OFFSET_METADATA_TOO_LARGE') return true;
  }
  return false;
}

export class OffsetCommitter {
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly context: CommitterContext) {}

  /** Commits every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    this.#timer = setInterval(() => void this.commit('interval'), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }

  /** Resolves once every commit sent so far has landed (or failed). */
  idle(): Promise<void> {
    return this.#chain;
  }

  /** Commits what is marked and not committed yet. Never rejects (a failure is reported). */
  commit(reason: CommitReason): Promise<void> {
    if (reason === 'rebalance') {
      const sent = this.#send(reason);
      this.#chain = this.#chain.then(() => sent);
      return sent;
    }
    this.#chain = this.#chain.then(() => this.#send(reason));
    return this.#chain;
  }

  // The snapshot and the KafkaJS call happen synchronously, before the first await.
  async #send(reason: CommitReason): Promise<void> {
    const { tracker, listener, monitor, scope } = this.context;
    let offsets = tracker.pending();
    if (offsets.length === 0) return;
    const event = { ...scope, offsets, reason };
    monitor.notify('offsets.commit', event);
    const started = performance.now();
    try {
      try {
        await listener.commit(offsets);
      } catch (error) {
        if (!isMetadataTooLarge(error) || !offsets.some((o) => o.metadata !== undefined)) throw error;
        // the broker's cap is below what was sent: never send metadata that long again (and count
        // this commit's metadata as dropped)
        tracker.metadataRefused(offsets);
        offsets = offsets.map(({ topic, partition, offset }): OffsetEntry => ({ topic, partition, offset }));
        await listener.commit(offsets);
      }
      tracker.committed(offsets);
      monitor.notify('offsets.committed', { ...event, offsets, durationMs: performance.now() - started });
    } catch (error) {
      monitor.notify('error.occurred', {
        type: 'offsets.commit.error',
        error: new CommitFailedError(`Committing offsets of ${scope.consumerGroup} failed (${reason})`, { cause: error, context: scope }),
        ...scope,
      });
    }
  }
}
