// Rebalances of one subscription group connection. KafkaJS is eager: every rebalance revokes
// everything, then assigns. Marks are committed the moment KafkaJS announces the rejoin, while
// the old generation still counts; a partition kept through the rejoin (same member id: the
// member took part in every generation meanwhile) keeps its consumer
// instances, its epoch and its marks (jobs still running may mark it), and what KafkaJS fetches
// again below the mark is skipped; a lost partition's epoch ends at once (workers see it through
// the ownership board), its buffered messages go, its running jobs may finish but cannot mark,
// and `revoked()` runs after them. What was processed but could not be committed is reported as
// `offsets.discarded`: the next owner processes it again (the duplicates at-least-once allows).
import type { GroupScope, RebalanceStatistics } from '../events';
import type { Monitor } from '../instrumentation/monitor';
import type { OffsetLedgerFactory } from '../processing/offsets/offset-ledger';
import type { OffsetTracker } from '../processing/offsets/offset-tracker';
import type { OwnershipBoard } from '../processing/ownership-board';
import type { PartitionCoordinators } from '../processing/partition-coordinators';
import { reviveError } from '../processing/serialized-error';
import type { WorkerPool } from '../processing/worker-pool';
import { jobKey, type ConsumeJob } from '../processing/job';
import type { ConsumeResult } from '../processing/worker-protocol';
import type { CommitReason } from './offset-committer';
import type { Listener } from './listener';

/** What the rebalance manager needs of its subscription group. */
export interface RebalanceContext {
  readonly tracker: OffsetTracker;
  readonly board: OwnershipBoard;
  readonly pool: Pick<WorkerPool, 'revoke'>;
  readonly coordinators: PartitionCoordinators;
  readonly listener: Pick<Listener, 'bounds'>;
  readonly monitor: Monitor;
  readonly scope: GroupScope;
  readonly counters: RebalanceStatistics;
  /** How long a rebalance noticed inside eachBatch may wait for running jobs, ms (already capped). */
  readonly drainTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** Jobs running on the pool right now. */
  running(): ReadonlySet<Promise<unknown>>;
  commit(reason: CommitReason): Promise<void>;
  clearPauseTimers(): void;
  /** Makes the poll loop look again (e.g. a partition's bounds arrived). */
  wake(): void;
  /** The ledger for a newly owned partition of `topic` (its strategy's). */
  ledgerFor(topic: string): OffsetLedgerFactory | undefined;
  stopping(): boolean;
  pollError(error: unknown): void;
}

export class RebalanceManager {
  /** Between KafkaJS's REBALANCING and its next GROUP_JOIN. */
  #rebalancing = false;
  /** Consumer instances that ran jobs of each owned partition (their `revoked()` runs when it is lost). */
  readonly #instances = new Map<string, Set<string>>();

  constructor(private readonly context: RebalanceContext) {}

  get rebalancing(): boolean {
    return this.#rebalancing;
  }

  /** A job of `job`'s consumer instance is about to run. */
  instanceUsed(job: ConsumeJob): void {
    let keys = this.#instances.get(job.leaseKey);
    if (keys === undefined) this.#instances.set(job.leaseKey, (keys = new Set()));
    keys.add(job.instanceKey);
  }

  /** KafkaJS is about to rejoin: commit what is marked while the old generation still counts. */
  async onRebalancing(keepAlive?: () => Promise<void>): Promise<void> {
    this.#rebalancing = true;
    // every partition restarts from its committed offset after the join: a pause timer
    // firing meanwhile would leave a seek in KafkaJS that outlives the rejoin
    this.context.clearPauseTimers();
    if (keepAlive !== undefined) await this.#drain(keepAlive);
    return this.context.commit('rebalance');
  }

  /**
   * KafkaJS (re)joined with this assignment. As a new member (another member id than last time)
   * every partition held before is released, those assigned again included: it was out of the
   * group meanwhile, so another member may have owned them (see the listener's GROUP_JOIN).
   */
  onAssignment(assignment: Array<{ topic: string; partition: number }>, newMember: boolean): void {
    const { tracker, board, monitor, scope, counters } = this.context;
    this.context.clearPauseTimers();
    this.#rebalancing = false;
    counters.rebalances += 1;
    const next = new Set(assignment.map((a) => `${a.topic}/${a.partition}`));
    const revoked = this.#release(tracker.partitions().filter((p) => newMember || !next.has(`${p.topic}/${p.partition}`)));
    for (const a of assignment) {
      const epoch = tracker.assign(a.topic, a.partition, this.context.ledgerFor(a.topic));
      board.own(jobKey(scope.consumerGroup, a.topic, a.partition), epoch);
    }
    // kept partitions' marks that missed the old generation: commit them under the new one now
    if (assignment.length > 0) void this.context.commit('rebalance');
    // eager rebalance: every partition starts over from its committed offset, unpaused
    this.context.coordinators.assigned(assignment, (topic, partition) => tracker.epochOf(topic, partition) ?? 0, {
      bounds: (partitions) => this.context.listener.bounds(partitions),
      wake: () => this.context.wake(),
      report: (error) => {
        if (!this.context.stopping()) this.context.pollError(error); // the listener closed its admin client on the way out
      },
    });
    void this.#revokeInstances(revoked);
    monitor.notify('partitions.assigned', { ...scope, partitions: assignment });
  }

  /**
   * The connection leaves the group for good (a connections scaler removed it): every partition
   * is revoked as a GROUP_JOIN without them would, and their consumer instances' `revoked()`
   * hooks have run when this resolves — before another connection of the process can own them.
   */
  async revokeAll(): Promise<void> {
    await this.#revokeInstances(this.#release(this.context.tracker.partitions()));
  }

  /** Ends the ownership of these partitions (their running jobs can no longer mark); what was marked and not committed is reported as discarded. */
  #release<P extends { topic: string; partition: number }>(revoked: P[]): { partitions: P[]; instances: string[] } {
    const { tracker, board, scope } = this.context;
    const instances: string[] = [];
    for (const p of revoked) {
      const key = jobKey(scope.consumerGroup, p.topic, p.partition);
      board.release(key); // running jobs of it stop being able to mark, at once
      instances.push(...(this.#instances.get(key) ?? [key]));
      this.#instances.delete(key);
      const last = tracker.revoke(p.topic, p.partition);
      const from = last?.committed ?? last?.origin ?? null;
      if (last?.marked != null && from !== null && last.marked > from) this.#discarded(p.topic, p.partition, from, last.marked, last.marked - from, 'revoked');
    }
    return { partitions: revoked, instances };
  }

  /** Reports the revocation and runs the instances' `revoked()` hooks (never rejects). */
  async #revokeInstances({ partitions, instances }: { partitions: Array<{ topic: string; partition: number }>; instances: string[] }): Promise<void> {
    if (partitions.length === 0) return;
    const { monitor, scope } = this.context;
    monitor.notify('partitions.revoked', { ...scope, partitions: partitions.map((p) => ({ topic: p.topic, partition: p.partition })) });
    try {
      const { errors } = await this.context.pool.revoke(instances);
      for (const e of errors) monitor.notify('error.occurred', { type: 'consumer.revoked.error', error: reviveError(e.error), ...scope });
    } catch {
      // the pool is closing: nothing left to run the hooks on
    }
  }

  /** A job of a partition lost while it ran: report what it processed as duplicates to come. */
  finishedAfterRevocation(job: ConsumeJob, result: ConsumeResult): void {
    const processedTo = result.error === null ? (job.messages.offsetAt(job.messages.length - 1) ?? -1) + 1 : result.markedOffset;
    if (processedTo === null) return;
    const done = job.messages.before(processedTo);
    const first = done.offsetAt(0);
    if (first === undefined) return;
    this.#discarded(job.topic.name, job.partition, first, processedTo, done.length, 'finished-after-revocation');
  }

  /**
   * Lets the running jobs finish before KafkaJS may rejoin (their marks are then committed under
   * the old generation), heartbeating meanwhile; bounded by `rebalanceDrainTimeoutMs` (default 0:
   * not at all — the whole group waits for this member meanwhile) and by half the rebalance
   * timeout, within which the group waits for this member's JoinGroup.
   */
  async #drain(keepAlive: () => Promise<void>): Promise<void> {
    const deadline = Date.now() + this.context.drainTimeoutMs;
    while (this.context.running().size > 0 && Date.now() < deadline) {
      const tick = new Promise((resolve) => setTimeout(resolve, Math.min(this.context.heartbeatIntervalMs, 1_000)));
      await Promise.race([Promise.allSettled([...this.context.running()]), tick]);
      if (this.context.running().size > 0) await keepAlive();
    }
  }

  #discarded(topic: string, partition: number, fromOffset: number, toOffset: number, messages: number, reason: 'revoked' | 'finished-after-revocation'): void {
    this.context.counters.discardedMessages += messages;
    this.context.monitor.notify('offsets.discarded', { ...this.context.scope, topic, partition, fromOffset, toOffset, messages, reason });
  }
}
