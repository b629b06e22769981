// The offset ledger of a virtual-partitioned partition: jobs of one partition run at once and
// finish in any order, so it keeps which dispatched messages are still unprocessed, and which
// were processed ahead of them. Commits only the contiguous prefix — the lowest dispatched
// message not processed yet, or the end of what was dispatched — and never an offset past an
// unprocessed message, whatever finishes first or fails. What was processed above that offset
// goes into the commit metadata (offset-metadata.ts) and is read back on assignment, so a crash
// or a rebalance re-runs only what was really unfinished; after a failure the retry skips it too.
// A job's processed messages count even when a sibling's failure rewound the partition meanwhile:
// they were processed, under this ownership (the tracker checks the epoch).
import type { Committable, OffsetLedger, OffsetRun } from '@decanter/consumer-core/features';
import { decodeProcessedAhead, encodeProcessedAhead } from './offset-metadata';

/** Why a partition is rewound (the pause's reason): only a consumer's own request forgets what was processed ahead. */
type RewindReason = 'error' | 'request' | 'dlq' | 'retry';

export class VirtualLedger implements OffsetLedger {
  /** Committable offset so far: only moves forward. */
  #mark: number | null = null;
  #dispatchedTo: number | null = null;
  /** End of the messages skipped as processed already: the mark may pass them once nothing dispatched is pending. */
  #skippedTo: number | null = null;
  /** Dispatched and not processed. */
  readonly #pending = new Set<number>();
  /** Processed above the mark (pruned below it). */
  readonly #done = new Set<number>();

  constructor(private readonly writesMetadata = true) {}

  get dispatchedTo(): number | null {
    return this.#dispatchedTo;
  }

  /** True when `offset` is known as processed (below the mark, or processed ahead). */
  isProcessed(offset: number): boolean {
    return (this.#mark !== null && offset < this.#mark) || this.#done.has(offset);
  }

  #droppedMetadataCommits = 0;

  /** Commits that went without their processed-ahead metadata: it was over the broker's cap. */
  get droppedMetadataCommits(): number {
    return this.#droppedMetadataCommits;
  }

  metadataDropped(): void {
    this.#droppedMetadataCommits += 1;
  }

  /** Messages processed ahead of the committable offset. */
  get processedAhead(): number {
    return this.#done.size;
  }

  dispatched(run: OffsetRun): void {
    for (let i = 0; i < run.length; i++) {
      const o = run.offsetAt(i)!;
      if (!this.isProcessed(o)) this.#pending.add(o);
    }
    if (run.length > 0) this.#dispatchedTo = Math.max(this.#dispatchedTo ?? 0, run.offsetAt(run.length - 1)! + 1);
  }

  // recorded before the poll's other jobs are dispatched: nothing moves until the next advance,
  // which comes with a job's result or a commit, never inside the poll's own turn
  skipped(run: OffsetRun): void {
    if (run.length > 0) this.#skippedTo = Math.max(this.#skippedTo ?? 0, run.offsetAt(run.length - 1)! + 1);
  }

  processed(run: OffsetRun, count: number, _settled: boolean): boolean {
    const done = Math.min(Math.max(0, Math.floor(count)), run.length);
    for (let i = 0; i < done; i++) {
      const o = run.offsetAt(i)!;
      this.#pending.delete(o);
      this.#done.add(o);
    }
    // a job that ended successfully and left the rest of its share unmarked (manual offsets) keeps
    // them unprocessed: markAsConsumed marks its own share only, so the commit stops there (until a
    // later mark of that virtual partition, a transaction or a restart re-delivering them)
    this.#advance();
    return true;
  }

  markBelow(offset: number, checkDispatched = true): boolean {
    if (checkDispatched && (this.#dispatchedTo === null || offset > this.#dispatchedTo)) return false;
    if (this.#mark !== null && offset <= this.#mark) return false;
    for (const o of this.#pending) if (o < offset) this.#pending.delete(o);
    this.#mark = offset;
    this.#advance();
    return true;
  }

  rewind(offset: number, reason?: RewindReason): void {
    if (this.#dispatchedTo !== null) this.#dispatchedTo = Math.min(this.#dispatchedTo, offset);
    if (this.#skippedTo !== null) this.#skippedTo = Math.min(this.#skippedTo, offset);
    for (const o of this.#pending) if (o >= offset) this.#pending.delete(o);
    // a consumer's pause or seek back asks for those messages again; a retry skips what was done
    if (reason === 'request') for (const o of this.#done) if (o >= offset) this.#done.delete(o);
    this.#advance();
  }

  firstUnprocessed(): number | null {
    this.#advance();
    return this.#mark;
  }

  committable(): Committable | null {
    this.#advance();
    if (this.#mark === null) return null;
    if (!this.writesMetadata || this.#done.size === 0) return { offset: this.#mark, metadata: null };
    const ahead = [...this.#done].sort((a, b) => a - b);
    return { offset: this.#mark, metadata: encodeProcessedAhead(this.#mark, ahead) };
  }

  // a transaction commits with its own messages, before its job's result reaches this ledger:
  // only up to the first message still pending anywhere (its own share's included — those are
  // marked when the job's result arrives, and committed by the normal path then)
  transactionOffset(requested: number): number {
    let lowest = requested;
    for (const o of this.#pending) if (o < lowest) lowest = o;
    return lowest;
  }

  restore(committed: number | null, metadata: string | null): void {
    for (const o of decodeProcessedAhead(committed, metadata)) if (!this.isProcessed(o)) this.#done.add(o);
  }

  /** The mark: the lowest unprocessed dispatched message, else the end of what was dispatched; then past what was processed ahead. */
  #advance(): void {
    let next: number | null = null;
    for (const o of this.#pending) if (next === null || o < next) next = o;
    next ??= Math.max(this.#dispatchedTo ?? -1, this.#skippedTo ?? -1);
    if (next < 0) return;
    // marks only move forward; processed ahead right at the mark: the prefix grows through it
    if (this.#mark !== null && next < this.#mark) next = this.#mark;
    while (this.#done.has(next) && !this.#pending.has(next)) next += 1;
    this.#mark = next;
    for (const o of this.#done) if (o < this.#mark) this.#done.delete(o);
  }
}
