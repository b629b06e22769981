// Runs work one at a time per key, in call order: a consumer instance (its key) never runs two
// jobs at once, even on a worker thread that runs several jobs at once (concurrentJobsPerThread),
// and work queued after a key's jobs (its `revoked()` hook) runs after the last of them. Keys do
// not wait for each other. A key's failure never blocks the work queued behind it.

export class KeySerialQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once every earlier work of `key` has settled (at once when there is none). */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    // the tail never rejects: the work behind a failed one still runs
    const result = previous === undefined ? start(work) : previous.then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /**
   * Runs `work` once every earlier work of all these keys has settled, as the next work of each
   * of them: what is queued for any of the keys afterwards runs after it.
   */
  runAll<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const result = Promise.all(keys.map((k) => this.#tails.get(k))).then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    for (const key of keys) {
      this.#tails.set(key, tail);
      void tail.then(() => {
        if (this.#tails.get(key) === tail) this.#tails.delete(key);
      });
    }
    return result;
  }

  /** Resolves once every work of these keys queued so far has settled. */
  async idle(keys: Iterable<string>): Promise<void> {
    await Promise.all([...keys].map((k) => this.#tails.get(k)));
  }

  /** Keys with work queued or running. */
  get busyKeys(): number {
    return this.#tails.size;
  }
}

/** Starts `work` now (a synchronous throw becomes a rejection). */
function start<T>(work: () => Promise<T>): Promise<T> {
  try {
    return work();
  } catch (error) {
    return Promise.reject(error);
  }
}
