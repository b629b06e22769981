// The connections of one subscription group: the runners the App boots for it (the features'
// connections plan: one by default), and the handle a scaler uses to add or remove one while the
// app runs. Adding or removing a connection rebalances the whole consumer group (KafkaJS is
// eager), so the app runs one step at a time and holds the consumer group around each: every
// connection stops handing out work, finishes its running jobs and commits, and goes on only
// once it has its new assignment. Nothing is processed while the group rebalances, so no commit
// the broker refuses then (REBALANCE_IN_PROGRESS) can make a step process something twice. A
// removed connection leaves after that commit; what it held is fetched again by the next owner
// from the committed offset.
import type { ConnectionCount, ConnectionsControl, ConnectionsPlan, ConnectionsScaler, ConnectionView } from '../connection/connections-plan';
import type { Monitor } from '../instrumentation/monitor';
import type { SubscriptionGroup } from '../routing/subscription-group';
import type { SubscriptionGroupRunner } from './subscription-group-runner';

/** A consumer group held around a step: `release` lets it go on (after its next assignment when the step rebalanced it). */
export interface ConsumerGroupHold {
  release(rebalanced: boolean): Promise<void>;
}

/** What the connections need of their app. */
export interface ConnectionsContext {
  readonly monitor: Monitor;
  /** Builds the runner of connection `index` (not started). */
  build(index: number): SubscriptionGroupRunner;
  /**
   * Holds every connection of the group's consumer group: no new work; running jobs finish; what
   * they marked is committed. Null when the step must not go on: `abort` settled first (the app
   * is going quiet or stopping), a connection is rebalancing, or a commit did not land — the
   * connections are then let go again at once.
   */
  holdConsumerGroup(abort: Promise<void>): Promise<ConsumerGroupHold | null>;
  /** Runs `step` after the app's earlier steps (one at a time per app). */
  serialize<T>(step: () => Promise<T>): Promise<T>;
}

export class SubscriptionGroupConnections implements ConnectionsControl {
  readonly group: SubscriptionGroup;
  readonly count: ConnectionCount;
  readonly #plan: ConnectionsPlan | null;
  readonly #context: ConnectionsContext;
  readonly #runners = new Map<number, SubscriptionGroupRunner>();
  #scaler: ConnectionsScaler | null = null;
  /** No more steps: the app is going quiet or stopping. */
  #closed = false;
  readonly #closing: Promise<void>;
  #close!: () => void;
  #step: Promise<unknown> = Promise.resolve();

  constructor(group: SubscriptionGroup, count: ConnectionCount, plan: ConnectionsPlan | null, context: ConnectionsContext) {
    this.group = group;
    this.count = count;
    this.#plan = plan;
    this.#context = context;
    this.#closing = new Promise((resolve) => (this.#close = resolve));
  }

  get monitor(): Monitor {
    return this.#context.monitor;
  }

  /** The running connections, lowest index first. */
  get runners(): SubscriptionGroupRunner[] {
    return [...this.#runners.values()].sort((a, b) => a.connection - b.connection);
  }

  /** Builds the boot connections (so a failed start can stop each) and starts them. */
  async start(): Promise<void> {
    for (let i = 0; i < this.count.boot; i++) this.#runners.set(i, this.#context.build(i));
    await Promise.all(this.runners.map((r) => r.start()));
  }

  /** Starts the plan's scaler, once the app runs (a step's hold waits for assignments only then). */
  startScaling(): void {
    if (!this.#closed && this.#scaler === null) this.#scaler = this.#plan?.scaler?.(this.group, this) ?? null;
  }

  view(): ConnectionView[] {
    return this.runners.map((r) => r.view());
  }

  add(): Promise<number | null> {
    return this.#track(
      this.#context.serialize(async () => {
        if (this.#closed || this.#runners.size >= this.count.max) return null;
        const hold = await this.#context.holdConsumerGroup(this.#closing);
        if (hold === null) return null;
        if (this.#closed) {
          await hold.release(false);
          return null;
        }
        let index = 0;
        while (this.#runners.has(index)) index++;
        const runner = this.#context.build(index);
        this.#runners.set(index, runner);
        let joined = false;
        try {
          await runner.start();
          joined = true;
        } catch (error) {
          this.#runners.delete(index);
          await runner.quiesce().then(() => runner.stopListener()).catch(() => undefined);
          throw error;
        } finally {
          await hold.release(joined);
        }
        return index;
      }),
    );
  }

  remove(connection: number): Promise<boolean> {
    return this.#track(
      this.#context.serialize(async () => {
        if (this.#closed || !this.#runners.has(connection) || this.#runners.size <= this.count.min) return false;
        const hold = await this.#context.holdConsumerGroup(this.#closing);
        if (hold === null) return false;
        const runner = this.#runners.get(connection);
        if (this.#closed || runner === undefined) {
          await hold.release(false);
          return false;
        }
        try {
          // gone from the app's list first: no transaction or statistics reach it while it leaves
          this.#runners.delete(connection);
          await runner.leave();
        } finally {
          await hold.release(true);
        }
        return true;
      }),
    );
  }

  /** Stops the scaler and ends a step in flight (a hold still waiting for jobs gives up); no step starts after it. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#close();
    this.#scaler?.stop();
    this.#scaler = null;
    await this.#step.catch(() => undefined);
  }

  #track<T>(step: Promise<T>): Promise<T> {
    this.#step = step.catch(() => undefined);
    return step;
  }
}
