// `concurrency` worker threads shared by every subscription group, with instance → thread
// affinity: a consumer instance (one per partition, or per parallel share of one) lives in exactly
// one thread, pinned by its job's lane key, and runs its jobs one at a time (a per-key serial
// queue), so an instance is never run by two threads, nor twice at once in its thread — also when
// a thread runs several jobs at once (`concurrentJobsPerThread`, piscina's
// concurrentTasksPerWorker: for IO-bound consume() that awaits; CPU-bound jobs only take turns).
//
// Built as one single-thread piscina pool per lane rather than one pool with a custom
// `loadBalancer`: piscina 5 stops distributing as soon as its balancer returns null for the task
// at the head of the queue (`_onWorkerAvailable` breaks out of its loop), so a job waiting for its
// busy lane would hold back jobs whose lanes are idle. Per-lane pools keep FIFO order per lane,
// never block one lane on another, and still give piscina's worker replacement when a thread dies.
import Piscina from 'piscina';
import { KeySerialQueue } from './key-serial-queue';
import type { ConsumeResult, ConsumeTask, LifecycleResult, ValidateResult, ValidateTask } from './worker-protocol';
import { workerEntryPath } from './worker-entry';

export class WorkerPool {
  readonly #lanes: Piscina[];
  /** Lane keys pinned to a lane. */
  readonly #laneOf = new Map<string, number>();
  /** The lane key each consumer instance ran under (absent: the instance key itself). */
  readonly #laneKeyOf = new Map<string, string>();
  /** Jobs handed out per instance key: a revoked key stays pinned until its hook ran, unless it was used again. */
  readonly #uses = new Map<string, number>();
  readonly #load: number[];
  readonly #serial = new KeySerialQueue();
  #closed = false;

  constructor(concurrency: number, concurrentJobsPerThread = 1) {
    const filename = workerEntryPath();
    this.#lanes = Array.from(
      { length: concurrency },
      () =>
        new Piscina({
          filename,
          minThreads: 1,
          maxThreads: 1,
          // several async jobs per thread run interleaved; the serial queue keeps each instance's one at a time
          concurrentTasksPerWorker: concurrentJobsPerThread,
          // 'sync': an idle worker waits on Atomics.wait and wakes at once for the next job.
          // Measured with a no-op consumer, 100-message polls: ~2x the throughput of 'async'
          // (whose wake-up adds latency to every job). The price: work a consumer leaves running
          // after consume() returned (timers, un-awaited promises) only runs during later jobs.
          atomics: 'sync',
          idleTimeout: Number.POSITIVE_INFINITY,
          // bounded by the instances pinned to the lane (one job each per poll), never by piscina:
          // 'auto' (maxThreads² = 1 here) rejected a third job queued on a lane
          maxQueue: Number.POSITIVE_INFINITY,
          execArgv: workerExecArgv(process.execArgv),
        }),
    );
    this.#load = this.#lanes.map(() => 0);
  }

  get size(): number {
    return this.#lanes.length;
  }

  /** The lane a lane key is pinned to (assigned on first use to the least loaded lane). */
  laneFor(key: string): number {
    let lane = this.#laneOf.get(key);
    if (lane === undefined) {
      lane = 0;
      for (let i = 1; i < this.#load.length; i++) if ((this.#load[i] ?? 0) < (this.#load[lane] ?? 0)) lane = i;
      this.#laneOf.set(key, lane);
      this.#load[lane] = (this.#load[lane] ?? 0) + 1;
    }
    return lane;
  }

  /**
   * Runs a consume job on its lane once its instance's earlier jobs have ended; the packed buffer
   * is transferred, not copied.
   */
  consume(task: ConsumeTask): Promise<ConsumeResult> {
    const laneKey = task.laneKey ?? task.key;
    const lane = this.#lanes[this.laneFor(laneKey)];
    if (lane === undefined || this.#closed) return Promise.reject(new Error('Worker pool is closed'));
    if (laneKey !== task.key) this.#laneKeyOf.set(task.key, laneKey);
    this.#uses.set(task.key, (this.#uses.get(task.key) ?? 0) + 1);
    return this.#serial.run(task.key, () => lane.run(task, { transferList: [task.packed] }) as Promise<ConsumeResult>);
  }

  /**
   * Runs `revoked()` hooks for these instance keys on their lanes, after each key's queued jobs
   * (so a job still running finishes first) and before any job queued for them later (another
   * connection of this process may own the partition next: its job must not share the instance
   * being dropped), and then unpins them. A key assigned back before that keeps its lane: an
   * instance never runs on two threads at once, and its next job gets a fresh instance.
   */
  async revoke(keys: string[]): Promise<LifecycleResult> {
    const byLane = new Map<number, string[]>();
    const uses = new Map<string, number | undefined>();
    for (const key of keys) {
      const lane = this.#laneOf.get(this.#laneKeyOf.get(key) ?? key);
      if (lane === undefined) continue;
      uses.set(key, this.#uses.get(key));
      byLane.set(lane, [...(byLane.get(lane) ?? []), key]);
    }
    const results = await Promise.all(
      [...byLane].map(async ([lane, laneKeys]) => {
        const result = (await this.#serial.runAll(laneKeys, async () => (await this.#lanes[lane]?.run({ kind: 'revoked', keys: laneKeys })) as LifecycleResult)) ?? { errors: [] };
        for (const key of laneKeys) {
          const laneKey = this.#laneKeyOf.get(key) ?? key;
          if (this.#uses.get(key) !== uses.get(key) || this.#laneOf.get(laneKey) !== lane) continue;
          this.#uses.delete(key);
          this.#laneKeyOf.delete(key);
          // the lane key stays pinned while another instance still runs under it
          if ([...this.#laneKeyOf.values()].includes(laneKey)) continue;
          this.#laneOf.delete(laneKey);
          this.#load[lane] = (this.#load[lane] ?? 1) - 1;
        }
        return result;
      }),
    );
    return { errors: results.flatMap((r) => r.errors) };
  }

  /** Runs every instance's `shutdown()` hook on every lane. */
  async shutdown(): Promise<LifecycleResult> {
    const results = await Promise.all(this.#lanes.map((lane) => lane.run({ kind: 'shutdown', keys: null }) as Promise<LifecycleResult>));
    return { errors: results.flatMap((r) => r.errors) };
  }

  /**
   * Loads every consumer class in every thread, to fail at boot, naming the route, when one is
   * wrong — and so that no thread is still starting (loading this package and the consumer
   * modules, ~100 ms of CPU each) when the listeners begin to fetch: on a small machine that
   * start-up competed with the first fetches, and the first job of each lane paid for it.
   */
  async validate(task: ValidateTask): Promise<ValidateResult> {
    if (this.#lanes.length === 0) return { problems: [] };
    // every thread loads the same modules, so they find the same problems: report one thread's
    const [first] = (await Promise.all(this.#lanes.map((lane) => lane.run(task)))) as ValidateResult[];
    return first ?? { problems: [] };
  }

  /** Waits for queued work, then ends the threads; `force` ends them at once. */
  async close(force = false): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#lanes.map((lane) => (force ? lane.destroy() : lane.close())));
  }
}

/**
 * What the worker threads get as `execArgv`. Normally `undefined`: they inherit the parent's flags.
 * When the parent preloads ts-node (`-r ts-node/register…`: scripts, benchmarks) the workers get
 * the parent's OTHER module preloads only: a worker registers ts-node itself, and only when a route
 * points at a .ts module, so the TypeScript compiler is not loaded into every thread (~120 MB of
 * peak RSS on a 200k-message benchmark). Only preloads are passed on because a Worker refuses
 * process-wide flags given explicitly (ERR_WORKER_INVALID_EXEC_ARGV for e.g. `--expose-gc`); those
 * apply to the whole process anyway.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] | undefined {
  const isTsNode = (module: string | undefined): boolean => /(^|[\\/])ts-node([\\/]|$)/.test(module ?? '');
  const preloads: string[] = [];
  let droppedTsNode = false;
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (arg === '-r' || arg === '--require' || arg === '--import') {
      const module = execArgv[++i];
      if (isTsNode(module)) droppedTsNode = true;
      else if (module !== undefined) preloads.push(arg, module);
      continue;
    }
    const inline = /^(-r|--require|--import)=(.*)$/.exec(arg);
    if (inline) {
      if (isTsNode(inline[2])) droppedTsNode = true;
      else preloads.push(arg);
    }
  }
  return droppedTsNode ? preloads : undefined;
}
