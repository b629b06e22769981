// The local queue's bounds (queue.buffering.max.messages / .kbytes), shared by every pipeline of
// one producer. A message holds its room from admission until it is acknowledged or failed, so
// memory stays bounded. When the queue is full, producers wait in FIFO order up to
// maxWaitTimeoutMs and then fail with QueueFullError.
// Below those limits, admission also waits while a pipeline reports a backlog: more sealed batches
// waiting for an in-flight slot than its next requests can carry. Queuing more then buys no
// throughput, only memory and delay: a loop of awaited produceAsync calls never yields to the
// event loop by itself (each await resolves on a microtask), so without this it would fill the
// queue to its limit before the first acknowledgement is read, and every queued record would live
// long enough to be promoted to V8's old generation. Such a wait never fails, and is short: once
// admission has waited BACKLOG_WAIT_MS for backlogs, they are ignored until every one has cleared,
// so a partition whose requests keep failing (its batches pile up) cannot throttle the others.
import { QueueFullError } from '../errors';

/** The longest admission waits for pipelines' backlogs before ignoring them until they clear. */
export const BACKLOG_WAIT_MS = 100;

interface Waiter {
  bytes: number;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

export class QueueLimits {
  messages = 0;
  bytes = 0;
  private readonly waiters: Waiter[] = [];
  /** The pipelines (their dispatchers) that report a backlog now. */
  private readonly backlogs = new Set<object>();
  /** Set once admission waited BACKLOG_WAIT_MS for backlogs; reset when none is left. */
  private backlogsIgnored = false;
  private backlogTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly maxMessages: number,
    private readonly maxBytes: number,
    private readonly producerId: string,
  ) {}

  /** Takes room for one message now, if there is room and nobody waits before it. */
  tryReserve(bytes: number): boolean {
    if (this.waiters.length > 0 || this.heldBack() || !this.fits(bytes)) return false;
    this.messages += 1;
    this.bytes += bytes;
    return true;
  }

  /** Waits (FIFO) up to `maxWaitMs` for room; rejects with QueueFullError after that. */
  reserve(bytes: number, maxWaitMs: number, topic: string): Promise<void> {
    if (this.tryReserve(bytes)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { bytes, resolve, reject, timer: undefined };
      waiter.timer = setTimeout(() => {
        // A wait for a backlog alone ends here with admission (of this waiter and those before it).
        this.wake(true);
        const at = this.waiters.indexOf(waiter);
        if (at < 0) return;
        this.waiters.splice(at, 1);
        reject(
          new QueueFullError(
            `Producer '${this.producerId}' queue is full (${this.messages} messages / ${this.bytes} bytes ` +
              `queued; limits queue.buffering.max.messages=${this.maxMessages}, ` +
              `queue.buffering.max.kbytes=${Math.floor(this.maxBytes / 1024)}) and stayed full for ${maxWaitMs} ms`,
            { producerId: this.producerId, topic },
          ),
        );
        this.wake();
      }, maxWaitMs);
      this.waiters.push(waiter);
      if (this.heldBack()) this.armBacklogTimer();
    });
  }

  /** A pipeline's dispatcher reports (`true`) or clears (`false`) its backlog of sealed batches. */
  setBacklogged(source: object, backlogged: boolean): void {
    if (backlogged) {
      this.backlogs.add(source);
      return;
    }
    if (!this.backlogs.delete(source)) return;
    if (this.backlogs.size === 0) {
      this.backlogsIgnored = false;
      this.clearBacklogTimer();
    }
    if (this.waiters.length > 0) this.wake();
  }

  release(messages: number, bytes: number): void {
    this.messages -= messages;
    this.bytes -= bytes;
    if (this.waiters.length > 0) this.wake();
  }

  /** Fails every waiter (the producer is closing). */
  rejectWaiters(error: Error): void {
    this.clearBacklogTimer();
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(error);
    }
  }

  private fits(bytes: number): boolean {
    // An empty queue always admits one message, whatever its size (it passed message.max.bytes).
    return this.messages === 0 || (this.messages < this.maxMessages && this.bytes + bytes <= this.maxBytes);
  }

  private heldBack(): boolean {
    return this.backlogs.size > 0 && !this.backlogsIgnored;
  }

  private armBacklogTimer(): void {
    this.backlogTimer ??= setTimeout(() => {
      this.backlogTimer = undefined;
      this.backlogsIgnored = true;
      this.wake();
    }, BACKLOG_WAIT_MS);
  }

  private clearBacklogTimer(): void {
    if (this.backlogTimer !== undefined) clearTimeout(this.backlogTimer);
    this.backlogTimer = undefined;
  }

  private wake(ignoreBacklogs = false): void {
    while (this.waiters.length > 0) {
      const first = this.waiters[0] as Waiter;
      if (!this.fits(first.bytes)) return;
      if (!ignoreBacklogs && this.heldBack()) {
        this.armBacklogTimer();
        return;
      }
      this.waiters.shift();
      clearTimeout(first.timer);
      this.messages += 1;
      this.bytes += first.bytes;
      first.resolve();
    }
    this.clearBacklogTimer();
  }
}
