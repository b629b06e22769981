// Commits a subscription group's marked offsets (never the fetch position): on an interval, at a
// rebalance, at shutdown. Commits run one at a time, except a rebalance commit: it is sent at once
// (KafkaJS sends its JoinGroup right after announcing the rejoin, on the same connection, and the
// broker answers requests of a connection in order), and only carries marks at or ahead of any
// commit still in flight. A broker that refuses the commit metadata as too large
// (OFFSET_METADATA_TOO_LARGE: its offset.metadata.max.bytes is lower than ours) gets the same
// offsets without metadata: duplicates after a rebalance, never a commit lost.
// The commit before leaving the group (shutdown) is sent again after failures that may pass — a
// timeout, a coordinator loading or unavailable, a rebalance — until it lands or its deadline
// passes. A member that rejoins under its own id keeps the partitions the sticky assigner leaves
// in place, and their marks: the retry commits them under the new generation. (A dead
// coordinator stays out of reach until KafkaJS's consumer crashes and rejoins as a new member,
// which keeps no mark: then nothing is left to send.)
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
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

/** Broker error types after which the same commit can land: the member rejoins (KafkaJS does it by itself) and commits under the new generation. */
const REJOIN_TYPES = new Set(['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS']);

/**
 * True when sending the commit again may succeed: anything along the cause chain KafkaJS marks
 * retriable (coordinator not available or moved, a request timed out, a connection lost) or a
 * rejoin in progress. Authorization and invalid-request errors are final, and so is KafkaJS's
 * "Consumer group was not initialized" (between a crash and its restart): it rejoins as a new
 * member then, which keeps no mark (rebalance-manager.ts), so there would be nothing to send.
 */
export function commitMayLandLater(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const { retriable, type } = e as { retriable?: unknown; type?: unknown };
    if (retriable === true || (typeof type === 'string' && REJOIN_TYPES.has(type))) return true;
  }
  return false;
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
      const sent = this.#send(reason).then(() => undefined);
      this.#chain = this.#chain.then(() => sent);
      return sent;
    }
    this.#chain = this.#chain.then(() => this.#send(reason)).then(() => undefined);
    return this.#chain;
  }

  /**
   * Like commit(), but a failure that may pass (commitMayLandLater) is followed by another attempt
   * — backing off from 100 ms to 1 s, each with what is marked then — until one lands or the next
   * would start after `deadline` (epoch ms). Never rejects; every failed attempt is reported.
   */
  commitPersistently(reason: CommitReason, deadline: number): Promise<void> {
    this.#chain = this.#chain.then(async () => {
      for (let backoff = 100; ; backoff = Math.min(backoff * 2, 1_000)) {
        const retryUntil = deadline - backoff;
        const error = await this.#send(reason, retryUntil);
        if (error === undefined || !commitMayLandLater(error) || Date.now() > retryUntil) return;
        await sleep(backoff);
      }
    });
    return this.#chain;
  }

  // The snapshot and the KafkaJS call happen synchronously, before the first await. Resolves
  // with the error of a commit that failed (already reported), else undefined.
  async #send(reason: CommitReason, retryUntil?: number): Promise<unknown> {
    const { tracker, listener, monitor, scope } = this.context;
    let offsets = tracker.pending();
    if (offsets.length === 0) return undefined;
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
      return undefined;
    } catch (error) {
      const retrying = retryUntil !== undefined && Date.now() <= retryUntil && commitMayLandLater(error);
      monitor.notify('error.occurred', {
        type: 'offsets.commit.error',
        error: new CommitFailedError(`Committing offsets of ${scope.consumerGroup} failed (${reason}${retrying ? '; sending it again' : ''})`, { cause: error, context: scope }),
        ...scope,
      });
      return error;
    }
  }
}
