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
// admission has waited BACKLOG_WAIT_MS (or a waiter's maxWaitTimeoutMs, if shorter) for backlogs,
// they stop holding admission back until every one has cleared, so a partition whose requests keep
// failing cannot throttle the others. Meanwhile every YIELD_EVERY-th admission still waits for a
// turn of the event loop, so a loop of awaited calls lets requests leave and responses be read,
// which is what clears a backlog.
// Admission is in call order: a waiter let in is placed (its message queued) by its own callback
// before anyone else is admitted, so a call made meanwhile cannot overtake it.
import { QueueFullError } from '../errors';

/**
 * The longest admission waits for pipelines' backlogs before ignoring them until they clear. Long
 * enough for a slow broker's responses (a backlog clears as they come), short enough that a
 * partition stuck in retries stalls the others once, for this long.
 */
export const BACKLOG_WAIT_MS = 1_000;
/** While backlogs are ignored, one admission in this many waits for a turn of the event loop. */
export const YIELD_EVERY = 256;

interface Waiter {
  bytes: number;
  /** Queues the message (the room is taken): runs in the waiter's turn, in admission order. */
  admit: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

export class QueueLimits {
  messages = 0;
  bytes = 0;
  private readonly waiters: Waiter[] = [];
  /** Waiters let in whose message is not queued yet: nobody is admitted before they are. */
  private admitting = 0;
  /** The pipelines (their dispatchers) that report a backlog now. */
  private readonly backlogs = new Set<object>();
  /** Set once admission waited long enough for backlogs; reset when none is left. */
  private backlogsIgnored = false;
  private backlogTimer: NodeJS.Timeout | undefined;
  /** Admissions since the last one that waited for a turn (while backlogs are ignored). */
  private sinceYield = 0;
  private yieldTurn: NodeJS.Immediate | undefined;

  constructor(
    private readonly maxMessages: number,
    private readonly maxBytes: number,
    private readonly producerId: string,
    /**
     * Told when the queue stops being empty (`true`, before the message that filled it is
     * queued) and when it is empty again (`false`): the producer keeps the process alive meanwhile.
     */
    private readonly onOccupied: (occupied: boolean) => void = () => undefined,
  ) {}

  /** Takes room for one message now, if there is room and nobody waits before it. */
  tryReserve(bytes: number): boolean {
    if (this.waiters.length > 0 || this.admitting > 0 || this.heldBack() || !this.fits(bytes)) return false;
    if (this.backlogs.size > 0 && (this.sinceYield += 1) >= YIELD_EVERY) {
      // Backlogs ignored: this one waits for a turn of the event loop (see the header).
      this.sinceYield = 0;
      return false;
    }
    this.messages += 1;
    this.bytes += bytes;
    if (this.messages === 1) this.onOccupied(true);
    return true;
  }

  /**
   * Waits (FIFO) for room, then takes it and runs `place` (which queues the message) and resolves
   * with its result; rejects with QueueFullError if the queue stays full for `maxWaitMs`.
   */
  reserve<T>(bytes: number, maxWaitMs: number, topic: string, place: () => T | PromiseLike<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        bytes,
        admit: () => {
          try {
            resolve(place());
          } catch (error) {
            reject(error);
          }
        },
        reject,
        timer: undefined,
      };
      // An endless wait (close() flushing the application buffer) arms no timer: the queue
      // drains, since every queued message is delivered or times out.
      if (Number.isFinite(maxWaitMs)) waiter.timer = setTimeout(() => {
        // A wait for backlogs alone ends here, with admission: backlogs are ignored from now on.
        if (this.backlogs.size > 0) this.backlogsIgnored = true;
        this.wake();
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
      if (this.waiters.length === 1 && this.admitting === 0 && this.fits(bytes)) {
        // Room, but held back: by a backlog (armed to stop waiting for it), or a turn to yield.
        if (this.heldBack()) this.armBacklogTimer();
        else this.yieldTurn ??= setImmediate(this.afterTurn);
      }
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
    if (this.messages === 0 && messages > 0) this.onOccupied(false);
    if (this.waiters.length > 0) this.wake();
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

  private readonly afterTurn = (): void => {
    this.yieldTurn = undefined;
    this.wake();
  };

  /** Lets waiters in, in order, while there is room and no backlog holds them back. */
  private wake(): void {
    while (this.waiters.length > 0) {
      const first = this.waiters[0] as Waiter;
      if (!this.fits(first.bytes)) return;
      if (this.heldBack()) {
        this.armBacklogTimer();
        return;
      }
      this.waiters.shift();
      clearTimeout(first.timer);
      this.messages += 1;
      this.bytes += first.bytes;
      if (this.messages === 1) this.onOccupied(true);
      this.admitting += 1;
      // Placed on a microtask, in this order; later calls wait until every one is placed.
      void settled.then(() => {
        first.admit();
        this.admitting -= 1;
        if (this.admitting === 0 && this.waiters.length > 0) this.wake();
      });
    }
    this.clearBacklogTimer();
  }
}

const settled = Promise.resolve();
