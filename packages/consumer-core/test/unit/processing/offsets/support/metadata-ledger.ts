// A ledger that writes commit metadata, for the tests of the metadata path (the tracker's pending()
// and size cap, restore(), the committer's fallback): the contiguous ledger's offsets, plus a
// metadata string the test sets, as a strategy's ledger would write what it processed ahead. It
// records what restore() handed it and adopts the restored metadata, and the length of each
// metadata the tracker reports dropped (metadataDropped).
import { ContiguousLedger } from '../../../../../src/processing/offsets/contiguous-ledger';
import type { Committable, OffsetLedger, OffsetRun } from '../../../../../src/processing/offsets/offset-ledger';

export class MetadataLedger implements OffsetLedger {
  readonly #offsets = new ContiguousLedger();
  /** What the next commit carries with the offset. */
  metadata: string | null = null;
  readonly restored: Array<{ committed: number | null; metadata: string | null }> = [];
  /** Bytes of each metadata a commit went without, in order. */
  readonly dropped: number[] = [];

  get dispatchedTo(): number | null {
    return this.#offsets.dispatchedTo;
  }

  dispatched(run: OffsetRun): void {
    this.#offsets.dispatched(run);
  }

  processed(run: OffsetRun, count: number, settled: boolean): boolean {
    return this.#offsets.processed(run, count, settled);
  }

  markBelow(offset: number, checkDispatched?: boolean): boolean {
    return this.#offsets.markBelow(offset, checkDispatched);
  }

  rewind(offset: number): void {
    this.#offsets.rewind(offset);
  }

  firstUnprocessed(): number | null {
    return this.#offsets.firstUnprocessed();
  }

  committable(): Committable | null {
    const next = this.#offsets.committable();
    return next === null ? null : { offset: next.offset, metadata: this.metadata };
  }

  metadataDropped(bytes: number): void {
    this.dropped.push(bytes);
  }

  restore(committed: number | null, metadata: string | null): void {
    this.restored.push({ committed, metadata });
    this.metadata = metadata;
  }
}
