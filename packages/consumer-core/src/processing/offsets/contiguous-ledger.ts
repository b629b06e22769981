// The default offset ledger: one committable mark per partition that only moves forward, as
// Karafka's and librdkafka's consumers keep it. A job's processed prefix moves the mark to that
// job's first unprocessed message (its end when all were processed), and a mark covers everything
// before it in the partition, so a later batch marked by hand also covers an earlier batch that
// succeeded without marking (manual offset management). Never commits past a message whose job is
// still running or failed before processing it: such a job keeps blocking the mark at its first
// unprocessed message until it succeeds or the partition is rewound. With one job per partition
// at a time (the default strategy) that block is invisible and this is exactly the old tracker's
// mark; it is what keeps the mark safe when a strategy runs several jobs of a partition at once.
// Writes no commit metadata and ignores what it is given back.
import type { Committable, OffsetLedger, OffsetRun } from './offset-ledger';

/** A dispatched run whose job has not succeeded: it blocks the mark at its first unprocessed message. */
interface OpenRun {
  readonly run: OffsetRun;
  /** Messages of `run` still in play: those before a rewind's offset. */
  length: number;
  /** Messages processed, from the start of the run. */
  done: number;
}

/** Messages of `run` with an offset below `offset` (binary search: offsets ascend). */
function countBelow(run: OffsetRun, offset: number, length = run.length): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((run.offsetAt(mid) as number) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Offset after the first `done` messages of a run of `length`: the next unprocessed, or its end. */
function boundary(run: OffsetRun, done: number, length: number): number {
  return done < length ? (run.offsetAt(done) as number) : (run.offsetAt(length - 1) as number) + 1;
}

export class ContiguousLedger implements OffsetLedger {
  #marked: number | null = null;
  #dispatchedTo: number | null = null;
  /** Highest "everything before it is processed" claim; the mark follows it once nothing open blocks. */
  #reach: number | null = null;
  #open: OpenRun[] = [];

  get dispatchedTo(): number | null {
    return this.#dispatchedTo;
  }

  dispatched(run: OffsetRun): void {
    if (run.length === 0) return;
    const end = (run.offsetAt(run.length - 1) as number) + 1;
    this.#dispatchedTo = Math.max(this.#dispatchedTo ?? 0, end);
    this.#open.push({ run, length: run.length, done: 0 });
  }

  processed(run: OffsetRun, count: number, settled: boolean): boolean {
    const index = this.#open.findIndex((o) => o.run === run);
    const open = this.#open[index];
    if (open === undefined) return false;
    const done = Math.min(Math.max(0, Math.floor(count)), open.length);
    if (done > open.done) {
      open.done = done;
      this.#reach = Math.max(this.#reach ?? 0, boundary(open.run, done, open.length));
    }
    if (settled || open.done >= open.length) this.#open.splice(index, 1);
    this.#advance();
    return true;
  }

  markBelow(offset: number, checkDispatched = true): boolean {
    if (checkDispatched && (this.#dispatchedTo === null || offset > this.#dispatchedTo)) return false;
    if (this.#marked !== null && offset <= this.#marked) return false;
    // a mark covers the partition before it: open runs count as processed up to it
    this.#open = this.#open.filter((o) => {
      o.done = Math.max(o.done, countBelow(o.run, offset, o.length));
      return o.done < o.length;
    });
    this.#reach = Math.max(this.#reach ?? 0, offset);
    this.#advance();
    return true;
  }

  rewind(offset: number): void {
    if (this.#dispatchedTo !== null) this.#dispatchedTo = Math.min(this.#dispatchedTo, offset);
    // what was dispatched from `offset` on will be dispatched again: it neither blocks nor counts
    this.#open = this.#open.filter((o) => {
      o.length = countBelow(o.run, offset, o.length);
      return o.done < o.length;
    });
    if (this.#reach !== null) this.#reach = Math.min(this.#reach, offset);
    this.#advance();
  }

  firstUnprocessed(): number | null {
    return this.#marked;
  }

  committable(): Committable | null {
    return this.#marked === null ? null : { offset: this.#marked, metadata: null };
  }

  restore(_committed: number | null, _metadata: string | null): void {
    // the contiguous mark needs nothing but the committed offset KafkaJS already resumes from
  }

  /** Marks only move forward: to the highest claim, held back by the first open run's first unprocessed message. */
  #advance(): void {
    if (this.#reach === null) return;
    let next = this.#reach;
    for (const o of this.#open) if (o.done < o.length) next = Math.min(next, o.run.offsetAt(o.done) as number);
    if (this.#marked === null || next > this.#marked) this.#marked = next;
  }
}
