// The window between a KafkaJS crash and its next GROUP_JOIN, when the listener's consumer is out
// of the group. KafkaJS restarts by itself after a backoff (up to retry.maxRetryTime) and joins
// again; until it has, a batch it delivers is not this member's to process (the listener drops
// it, reporting the first of each window), and should its restart lead to no join within
// REJOIN_GRACE_FACTOR × session.timeout.ms (at least 30 s), the listener restarts the consumer
// itself (`overdue`).
/** How many session timeouts KafkaJS may take to join again after restarting itself from a crash. */
const REJOIN_GRACE_FACTOR = 3;
const MIN_GRACE_MS = 30_000;

export class RejoinGuard {
  readonly graceMs: number;
  #timer: NodeJS.Timeout | undefined;
  #strayBatches = 0;

  constructor(sessionTimeoutMs: number, private readonly overdue: () => void) {
    this.graceMs = Math.max(MIN_GRACE_MS, REJOIN_GRACE_FACTOR * sessionTimeoutMs);
  }

  /** KafkaJS crashed and restarts by itself: expect a join within the grace. */
  crashed(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.overdue();
    }, this.graceMs);
    this.#timer.unref();
  }

  /** KafkaJS joined the group: the window is over. */
  joined(): void {
    this.stop();
    this.#strayBatches = 0;
  }

  /** A batch arrived out of the group; true for the first of the window (the one to report). */
  strayBatch(): boolean {
    return this.#strayBatches++ === 0;
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
