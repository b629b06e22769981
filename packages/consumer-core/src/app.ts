// The consumer process: routes + settings in, `start()` / `stop()` out. Lifecycle is one-way:
// pending → starting → running → (quieting → quiet →) stopping → stopped.
import { reviveError } from './processing/serialized-error';
import { randomBytes } from 'node:crypto';
import type { TransactionIntent } from './consumer';
import { ConfigurationError, PartitionRevokedError, ShutdownTimeoutError } from './errors';
import { resolveAppOptions } from './contract';
import type { FeatureSet } from './features/feature-set';
import type { AppEvents, AppState } from './events';
import { LoggerListener } from './instrumentation/logger-listener';
import { Monitor } from './instrumentation/monitor';
import type { AppOptions, ResolvedAppOptions } from './options';
import { ProducerBridge } from './processing/producer-bridge';
import { blockingScheduler, type Scheduler } from './processing/scheduler';
import { SubscriptionGroupConnections, type ConsumerGroupHold } from './processing/subscription-group-connections';
import { SubscriptionGroupRunner } from './processing/subscription-group-runner';
import { WorkerPool } from './processing/worker-pool';
import type { ConsumerGroup } from './routing/consumer-group';

/**
 * The longest stop() keeps sending a shutdown commit that fails for a reason that may pass: long
 * enough for a coordinator to finish loading the group or a rebalance to complete (the group
 * waits up to the rebalance timeout for its members).
 */
const COMMIT_RETRY_WINDOW_MS = 30_000;

/** How `stop()` ended. */
export interface StopResult {
  /** True when running jobs did not finish within `shutdownTimeoutMs` (their offsets were not committed). */
  timedOut: boolean;
}

export class App {
  readonly options: ResolvedAppOptions;
  /** The resolved routing tree (consumer groups → subscription groups → topics). */
  readonly routing: readonly ConsumerGroup[];
  /** The features this app runs with: the built-in ones and those in `options.features`. */
  readonly features: FeatureSet;
  /** Typed events of this app; `monitor.subscribe()` returns an unsubscribe function. */
  readonly monitor = new Monitor();
  #state: AppState = 'pending';
  #pool: WorkerPool | undefined;
  #bridge: ProducerBridge | undefined;
  /** Per subscription group, its connections (runners); a scaler may add or remove some while running. */
  #groups: SubscriptionGroupConnections[] = [];
  /** Connection steps (add/remove) of this app, one at a time. */
  #steps: Promise<unknown> = Promise.resolve();
  #logger: LoggerListener | undefined;
  #statsTimer: NodeJS.Timeout | undefined;
  #starting: Promise<void> | undefined;
  #stopping: Promise<StopResult> | undefined;
  readonly #scheduler: Scheduler;

  /** Validates everything at once; throws one ConfigurationError listing every bad key or route. */
  constructor(options: AppOptions) {
    const resolved = resolveAppOptions(options);
    this.options = resolved.options;
    this.routing = Object.freeze(resolved.routing);
    this.features = resolved.features;
    this.#scheduler = blockingScheduler();
    if (this.options.logger !== false) this.#logger = new LoggerListener(this.monitor, this.options.logger);
  }

  get state(): AppState {
    return this.#state;
  }

  /** Shorthand for `monitor.subscribe`. */
  on<K extends keyof AppEvents>(event: K, listener: AppEvents[K]): () => void {
    return this.monitor.subscribe(event, listener);
  }

  /** Starts every subscription group; resolves once all joined their groups. Idempotent. */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    this.#transition('starting');
    const pool = new WorkerPool(this.options.concurrency, this.options.concurrentJobsPerThread);
    this.#pool = pool;
    try {
      const references = this.routing.flatMap((cg) =>
        cg.subscriptionGroups.flatMap((sg) => sg.topics.map((t) => ({ ...t.consumer, routePath: `${t.routePath}.consumer` }))),
      );
      const { problems } = await pool.validate({ kind: 'validate', references });
      if (problems.length > 0) {
        throw new ConfigurationError(problems.map((p) => ({ path: p.routePath, rule: `must load a Consumer class: ${p.rule}`, value: p.value })));
      }
      if (this.options.producer !== undefined) {
        this.#bridge = new ProducerBridge(`decanter-producer-${process.pid}-${randomBytes(4).toString('hex')}`, this.options.producer, (intent) =>
          this.#transaction(intent),
        );
        await this.#fenceTransactionalProducer();
      }
      const channel = this.#bridge?.channelName ?? null;
      // the connections of each subscription group (the features' connections plan: one by default)
      this.#groups = this.routing.flatMap((cg) =>
        cg.subscriptionGroups.map((group) => {
          const { count, plan } = this.features.connectionsPlanFor(group);
          const assigner = plan?.assigner?.(group) ?? undefined;
          return new SubscriptionGroupConnections(group, count, plan, {
            monitor: this.monitor,
            build: (connection) =>
              new SubscriptionGroupRunner({
                group,
                options: this.options,
                pool,
                monitor: this.monitor,
                scheduler: this.#scheduler,
                features: this.features,
                producerChannel: channel,
                connection,
                ...(assigner === undefined ? {} : { assigner }),
              }),
            holdConsumerGroup: (abort) => this.#holdConsumerGroup(group.consumerGroup, abort),
            serialize: (step) => this.#serialize(step),
          });
        }),
      );
      await Promise.all(this.#groups.map((g) => g.start()));
    } catch (error) {
      await Promise.all(this.#groups.map((g) => g.close()));
      await Promise.all(this.#runners.map((r) => r.quiesce().then(() => r.stopListener()).catch(() => undefined)));
      await pool.close(true).catch(() => undefined);
      this.#bridge?.close();
      this.#transition('stopped');
      throw error;
    }
    const interval = this.options.kafka.statisticsIntervalMs;
    if (interval > 0) {
      this.#statsTimer = setInterval(() => {
        const subscriptionGroups = this.#runners.map((r) => r.statistics());
        this.monitor.notify('statistics.emitted', { subscriptionGroups, bufferedBytes: subscriptionGroups.reduce((sum, g) => sum + g.bufferedBytes, 0) });
      }, interval);
      this.#statsTimer.unref();
    }
    this.#transition('running');
    for (const g of this.#groups) g.startScaling();
  }

  /**
   * Quiet mode (Karafka's TSTP): running jobs finish, no new work is handed out, and the app
   * stays in its consumer groups (fetching and heartbeats go on; prefetching stops at the buffer
   * bound). Resolves once the running jobs finished (state `quiet`). `stop()` ends it. Idempotent.
   */
  async quiet(): Promise<void> {
    if (this.#starting !== undefined) await this.#starting.catch(() => undefined);
    if (this.#state !== 'running') return;
    this.#transition('quieting');
    await Promise.all(this.#groups.map((g) => g.close()));
    await Promise.all(this.#runners.map((r) => r.quiet()));
    if ((this.#state as AppState) === 'quieting') this.#transition('quiet'); // stop() may have begun meanwhile
  }

  /**
   * Graceful shutdown: stop handing out work, let running jobs finish within shutdownTimeoutMs,
   * run `shutdown()` hooks, commit, leave the groups, close the threads. Idempotent.
   */
  stop(): Promise<StopResult> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<StopResult> {
    if (this.#starting !== undefined) await this.#starting.catch(() => undefined);
    if (this.#state === 'stopped' || this.#state === 'pending') {
      if (this.#state === 'pending') this.#transition('stopped');
      return { timedOut: false };
    }
    this.#transition('stopping');
    const stopStartedAt = Date.now();
    if (this.#statsTimer !== undefined) clearInterval(this.#statsTimer);
    await Promise.all(this.#groups.map((g) => g.close())); // a scaling step in flight ends first
    let timer: NodeJS.Timeout | undefined;
    const drained = Promise.all(this.#runners.map((r) => r.quiesce())).then(() => true);
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.options.shutdownTimeoutMs);
    });
    const finished = await Promise.race([drained, timeout]);
    clearTimeout(timer);
    const pool = this.#pool;
    if (finished && pool !== undefined) {
      const { errors } = await pool.shutdown().catch(() => ({ errors: [] }));
      for (const e of errors) {
        this.monitor.notify('error.occurred', { type: 'consumer.shutdown.error', error: reviveError(e.error) });
      }
    } else {
      this.monitor.notify('error.occurred', {
        type: 'app.stop.error',
        error: new ShutdownTimeoutError(`Running jobs did not finish within ${this.options.shutdownTimeoutMs} ms`),
      });
    }
    // Marks come only from finished jobs, so committing them is safe even after a timeout. A
    // commit that fails for a reason that may pass (a timeout, a rebalance) is sent again, within
    // what is left of shutdownTimeoutMs and at most COMMIT_RETRY_WINDOW_MS.
    const commitDeadline = Math.min(stopStartedAt + this.options.shutdownTimeoutMs, Date.now() + COMMIT_RETRY_WINDOW_MS);
    await Promise.all(this.#runners.map((r) => r.commitBeforeLeaving(commitDeadline)));
    await Promise.all(
      this.#runners.map((r) =>
        r.stopListener().catch((error: unknown) =>
          this.monitor.notify('error.occurred', { type: 'app.stop.error', error: error instanceof Error ? error : new Error(String(error)) }),
        ),
      ),
    );
    await pool?.close(!finished).catch(() => undefined);
    this.#bridge?.close();
    this.#transition('stopped');
    this.#logger?.close();
    return { timedOut: !finished };
  }

  /**
   * A transactional producer takes its transactional.id over before any group is joined: the
   * broker then aborts (or finishes) what an earlier instance with the same id left open — a
   * process killed mid-transaction — so the offsets this app starts from already include it.
   * (KafkaJS reads committed offsets without KIP-447's require_stable, so this order matters.)
   */
  async #fenceTransactionalProducer(): Promise<void> {
    const producer = this.options.producer;
    if (producer?.transaction === undefined || producer.options?.transactionalId === undefined) return;
    await producer.transaction(async () => undefined);
  }

  /** A consumer's transaction, run by the subscription group connection that owns its partition (else the first that routes the topic, which refuses it). */
  #transaction(intent: TransactionIntent): Promise<void> {
    const routes = this.#runners.filter((r) => r.group.consumerGroup === intent.consumerGroup && r.group.topics.some((t) => t.name === intent.topic));
    const runner = routes.find((r) => r.owns(intent.topic, intent.partition, intent.epoch)) ?? routes.find((r) => r.owns(intent.topic, intent.partition)) ?? routes[0];
    if (runner === undefined) return Promise.reject(new PartitionRevokedError(`No subscription group of ${intent.consumerGroup} consumes ${intent.topic}`));
    return runner.runTransaction(intent);
  }

  /** Every running connection of every subscription group. */
  get #runners(): SubscriptionGroupRunner[] {
    return this.#groups.flatMap((g) => g.runners);
  }

  /** Around a connection step (see SubscriptionGroupConnections.holdConsumerGroup). */
  async #holdConsumerGroup(consumerGroup: string, abort: Promise<void>): Promise<ConsumerGroupHold | null> {
    const held = this.#runners.filter((r) => r.group.consumerGroup === consumerGroup);
    // once the app is going quiet or stopping its connections stay held: quiesce() ends them
    const letGo = (): void => {
      if (this.#state === 'running') for (const r of held) r.release();
    };
    if (held.some((r) => r.view().rebalancing)) return null;
    const drained = await Promise.race([Promise.all(held.map((r) => r.hold())).then(() => true), abort.then(() => false)]);
    if (!drained) {
      letGo();
      return null;
    }
    await Promise.all(held.map((r) => r.commit('scaling')));
    // a refused commit (a rebalance began meanwhile) would make the step process marked work again
    if (held.some((r) => r.tracker.pending().length > 0 || r.view().rebalancing)) {
      letGo();
      return null;
    }
    const before = new Map(held.map((r) => [r, r.assignments]));
    return {
      release: async (rebalanced) => {
        // each connection goes on with its next assignment, not with the generation the step ended
        const kafka = this.options.kafka;
        const deadline = performance.now() + Math.min(kafka.rebalanceTimeoutMs, kafka.sessionTimeoutMs);
        let aborted = false;
        void abort.then(() => (aborted = true));
        const waiting = (): boolean => {
          const running = new Set(this.#runners);
          return held.some((r) => running.has(r) && r.assignments === before.get(r));
        };
        while (rebalanced && waiting() && !aborted && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        letGo();
      },
    };
  }

  #serialize<T>(step: () => Promise<T>): Promise<T> {
    const next = this.#steps.then(step, step);
    this.#steps = next.catch(() => undefined);
    return next;
  }

  #transition(to: AppState): void {
    const from = this.#state;
    this.#state = to;
    this.monitor.notify('app.state.changed', { from, to });
  }
}
