// The local queue's bounds (queue.buffering.max.messages / .kbytes), shared by every pipeline of
// one producer. A message holds its room from admission until it is acknowledged or failed, so
// memory stays bounded. When the queue is full, producers wait in FIFO order up to
// maxWaitTimeoutMs and then fail with QueueFullError.
import { QueueFullError } from '../errors';

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

  constructor(
    private readonly maxMessages: number,
    private readonly maxBytes: number,
    private readonly producerId: string,
  ) {}

  /** Takes room for one message now, if there is room and nobody waits before it. */
  tryReserve(bytes: number): boolean {
    if (this.waiters.length > 0 || !this.fits(bytes)) return false;
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
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
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
    });
  }

  release(messages: number, bytes: number): void {
    this.messages -= messages;
    this.bytes -= bytes;
    if (this.waiters.length > 0) this.wake();
  }

  /** Fails every waiter (the producer is closing). */
  rejectWaiters(error: Error): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(error);
    }
  }

  private fits(bytes: number): boolean {
    // An empty queue always admits one message, whatever its size (it passed message.max.bytes).
    return this.messages === 0 || (this.messages < this.maxMessages && this.bytes + bytes <= this.maxBytes);
  }

  private wake(): void {
    while (this.waiters.length > 0) {
      const first = this.waiters[0] as Waiter;
      if (!this.fits(first.bytes)) return;
      this.waiters.shift();
      clearTimeout(first.timer);
      this.messages += 1;
      this.bytes += first.bytes;
      first.resolve();
    }
  }
}
