// A reference model of one partition's jobs for the offset-ledger property tests: which messages
// of a log (offsets with gaps, as after compaction) were dispatched, to which job, which of them
// each job reported processed, and which are void after a rewind. It drives a ledger (or the
// offset tracker through an adapter) with the same actions and checks the ledger's safety rule
// after every step, with "processed" defined as offset-ledger.ts defines it:
//   - the messages a job reported in its processed prefix (processed(run, k, settled)) are done;
//   - the unmarked remainder of a job that SUCCEEDED is done by the consumer's choice (manual
//     offset management): it never holds the mark back;
//   - the unprocessed messages of a running job, or of a failed job, block the mark until a
//     rewind at or below them voids them (they are dispatched again later);
//   - markBelow(x) claims every dispatched message before x is processed;
//   - a message not dispatched yet is not processed;
//   - a message once processed stays processed: a rewind below the mark (a seek back, or a failed
//     job's restart clamped to a mark a markBelow moved past it) dispatches it again, and the mark
//     may stay ahead of it (it never moves backwards), which loses nothing.
import fc from 'fast-check';
import { MessageRun } from '../../../../../src/messages/packed-chunk';
import type { OffsetRun } from '../../../../../src/processing/offsets/offset-ledger';

export const RULES = {
  safe: 'never commits past a dispatched message that is not processed',
  undispatched: 'never commits past a message not dispatched yet',
  forward: 'the committable offset never moves backwards',
  complete:
    'when every dispatched job succeeded fully (or marked only a prefix by choice, which holds nothing back) and the last one fully, the committable offset is the last dispatched offset + 1',
  sameAnswer: 'firstUnprocessed() and committable()?.offset give the same offset',
  noMetadata: 'the contiguous ledger writes no commit metadata',
  voided: 'processed() of a run that a rewind voided is refused (its result must not count)',
  live: 'processed() of a run still dispatched and not fully processed is accepted',
  markBelow: 'markBelow(x) is accepted exactly when x is within what was dispatched and ahead of the mark',
  dispatchedTo: 'dispatchedTo is the highest dispatched offset + 1, lowered by a rewind',
} as const;

/** Fails the test with the rule as the key of what was checked (Jest's expect takes no message). */
export function expectRule(rule: string, holds: boolean, details: () => Record<string, unknown>): void {
  if (holds) return;
  expect({ [rule]: details() }).toEqual({ [rule]: 'holds' });
}

/** What one job does next, or a claim made outside jobs. `job` picks among the jobs in flight (modulo their count). */
export type LedgerAction =
  | { do: 'dispatch'; messages: number }
  /** The job succeeds having processed every message: processed(run, run.length, true). */
  | { do: 'succeed'; job: number }
  /** Manual offset management: the job succeeds having marked only a prefix: processed(run, k, true), k < length. */
  | { do: 'succeedMarking'; job: number; marked: number }
  /** The running job reports progress: processed(run, k, false), and keeps running. */
  | { do: 'progress'; job: number; marked: number }
  /** The job fails after processing a prefix: processed(run, k, false); the rewind follows now or later. */
  | { do: 'fail'; job: number; marked: number; rewindNow: boolean }
  /** A failed job's rewind, to its first unprocessed message (`job` picks among the failed jobs not rewound yet). */
  | { do: 'rewind'; job: number }
  /**
   * Everything before an offset is processed (a mark made outside a job's own run): the offset
   * is `ahead` - 1 past the current mark (0 and 1 are not ahead of it: refused), so claims land
   * around the mark and past what was dispatched alike.
   */
  | { do: 'markBelow'; ahead: number };

const index = fc.nat({ max: 7 });

export const ledgerActionArb: fc.Arbitrary<LedgerAction> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ do: fc.constant('dispatch' as const), messages: fc.integer({ min: 1, max: 6 }) }),
  },
  { weight: 4, arbitrary: fc.record({ do: fc.constant('succeed' as const), job: index }) },
  { weight: 1, arbitrary: fc.record({ do: fc.constant('succeedMarking' as const), job: index, marked: index }) },
  { weight: 1, arbitrary: fc.record({ do: fc.constant('progress' as const), job: index, marked: index }) },
  {
    weight: 2,
    arbitrary: fc.record({ do: fc.constant('fail' as const), job: index, marked: index, rewindNow: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ do: fc.constant('rewind' as const), job: index }) },
  { weight: 2, arbitrary: fc.record({ do: fc.constant('markBelow' as const), ahead: fc.nat({ max: 12 }) }) },
);

/**
 * A partition's log: offsets ascending with gaps (compaction, transaction markers). Shrinks
 * towards 0, 1, 2, … (no gaps).
 */
export const logArb: fc.Arbitrary<number[]> = fc
  .array(fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 4 }) }), {
    minLength: 1,
    maxLength: 40,
    size: 'max',
  })
  .map((gaps) => {
    const offsets: number[] = [];
    let offset = -1;
    for (const gap of gaps) offsets.push((offset += gap));
    return offsets;
  });

/** What the model drives: a ledger, or the tracker for one ownership of the partition. */
export interface LedgerUnderTest {
  dispatched(run: OffsetRun): void;
  processed(run: OffsetRun, count: number, settled: boolean): boolean;
  markBelow(offset: number): boolean;
  rewind(offset: number): void;
  firstUnprocessed(): number | null;
  /** committable(), when the target exposes it (the tracker shows it only through pending()). */
  committable?(): { offset: number; metadata: string | null } | null;
  dispatchedTo(): number | null;
}

type JobState =
  /** In flight (live === 0: a rewind voided all of it, its result must be refused). */
  | 'running'
  /** Ended successfully: what it left unmarked is done by choice. */
  | 'succeeded'
  /** Ended with an error, not rewound yet: its unprocessed messages block. */
  | 'failed'
  /** Failed and rewound past: its unprocessed messages are void. */
  | 'rewound'
  /** Its result came after a rewind voided it: nothing of it counts. */
  | 'dropped';

export interface ModelJob {
  readonly id: number;
  readonly offsets: readonly number[];
  readonly run: MessageRun;
  readonly epoch: number;
  /** Messages still in play: those before the lowest rewind since the dispatch. */
  live: number;
  /** Processed prefix: what the job reported, or a markBelow covered. */
  done: number;
  state: JobState;
}

/** Counts of what the runs exercised: a generator that stopped reaching a case would make the property vacuous. */
export interface Coverage {
  completeChecks: number;
  rewinds: number;
  markBelowAccepted: number;
  voidedReports: number;
  blockedByOpenJob: number;
}

export const emptyCoverage = (): Coverage => ({
  completeChecks: 0,
  rewinds: 0,
  markBelowAccepted: 0,
  voidedReports: 0,
  blockedByOpenJob: 0,
});

let nextJobId = 0;

/** Messages of `offsets` (ascending) below `offset`. */
const countBelow = (offsets: readonly number[], offset: number, length = offsets.length): number => {
  let n = 0;
  while (n < length && (offsets[n] as number) < offset) n++;
  return n;
};

export class PartitionModel {
  readonly jobs: ModelJob[] = [];
  #cursor: number;
  readonly #start: number;
  /** Offsets processed (reported, covered by a markBelow, or left unmarked by a job that succeeded) in this ownership. */
  readonly #done = new Set<number>();
  #dispatchedTo: number | null = null;
  /** Highest accepted markBelow claim not voided by a rewind below it (it may lie in a gap of the log). */
  #claimed: number | null = null;
  #previousMark: number | null = null;

  constructor(
    private readonly log: readonly number[],
    private readonly target: LedgerUnderTest,
    private readonly trace: string[],
    private readonly coverage: Coverage,
    private readonly epoch = 0,
    /** Where this ownership starts reading the log (the group's committed offset). */
    startOffset = 0,
  ) {
    this.#cursor = countBelow(log, startOffset);
    this.#start = this.#cursor;
  }

  /** Jobs whose result has not come yet. */
  inFlight(): ModelJob[] {
    return this.jobs.filter((j) => j.state === 'running');
  }

  failedNotRewound(): ModelJob[] {
    return this.jobs.filter((j) => j.state === 'failed');
  }

  apply(action: LedgerAction): void {
    switch (action.do) {
      case 'dispatch':
        return this.dispatch(action.messages);
      case 'succeed':
        return this.#report(this.#pick(this.inFlight(), action.job), 'succeed', 0);
      case 'succeedMarking':
        return this.#report(this.#pick(this.inFlight(), action.job), 'succeedMarking', action.marked);
      case 'progress':
        return this.#report(this.#pick(this.inFlight(), action.job), 'progress', action.marked);
      case 'fail': {
        const job = this.#pick(this.inFlight(), action.job);
        this.#report(job, 'fail', action.marked);
        if (job !== undefined && job.state === 'failed' && action.rewindNow) {
          this.check();
          this.rewindFailed(job);
        }
        return;
      }
      case 'rewind': {
        const job = this.#pick(this.failedNotRewound(), action.job);
        if (job === undefined) this.trace.push('rewind: no failed job waits for its rewind');
        else this.rewindFailed(job);
        return;
      }
      case 'markBelow': {
        const from = this.target.firstUnprocessed() ?? this.log[this.#start] ?? this.firstUndispatched();
        return this.markBelow(Math.max(0, from + action.ahead - 1));
      }
    }
  }

  #pick(jobs: ModelJob[], i: number): ModelJob | undefined {
    return jobs.length === 0 ? undefined : jobs[i % jobs.length];
  }

  dispatch(messages: number): void {
    const offsets = this.log.slice(this.#cursor, this.#cursor + messages);
    if (offsets.length === 0) {
      this.trace.push('dispatch: the log is exhausted');
      return;
    }
    this.#cursor += offsets.length;
    const run = MessageRun.of(offsets.map((offset) => ({ offset, timestamp: 0, value: null })));
    const job: ModelJob = {
      id: nextJobId++,
      offsets,
      run,
      epoch: this.epoch,
      live: offsets.length,
      done: 0,
      state: 'running',
    };
    this.jobs.push(job);
    this.target.dispatched(run);
    this.#dispatchedTo = Math.max(this.#dispatchedTo ?? 0, (offsets[offsets.length - 1] as number) + 1);
    this.trace.push(`dispatch job#${job.id} [${offsets.join(',')}]${this.#markNote()}`);
  }

  /** A job's result reaches the ledger. */
  #report(job: ModelJob | undefined, how: 'succeed' | 'succeedMarking' | 'progress' | 'fail', marked: number): void {
    if (job === undefined) {
      this.trace.push(`${how}: no job in flight`);
      return;
    }
    const length = job.offsets.length;
    const count = how === 'succeed' ? length : how === 'progress' ? marked % (length + 1) : marked % length;
    const settled = how === 'succeed' || how === 'succeedMarking';
    const voided = job.live === 0;
    const stillOpen = job.live > 0 && job.done < job.live;
    const accepted = this.target.processed(job.run, count, settled);
    this.trace.push(
      `job#${job.id} ${how} having marked ${count}: processed(run, ${count}, ${settled}) → ${accepted}${this.#markNote()}`,
    );
    expectRule(RULES.voided, !(voided && accepted), () => ({ job: job.id, offsets: job.offsets, trace: this.trace }));
    expectRule(RULES.live, !(stillOpen && !accepted), () => ({ job: job.id, offsets: job.offsets, trace: this.trace }));
    if (voided) {
      this.coverage.voidedReports++;
      job.state = 'dropped';
      return;
    }
    job.done = Math.max(job.done, Math.min(count, job.live));
    // a job that succeeded left its unmarked remainder by choice: done as well
    for (let i = 0; i < (settled ? job.live : job.done); i++) this.#done.add(job.offsets[i] as number);
    if (settled) job.state = 'succeeded';
    // a job that failed having processed all it still had (a markBelow covered the rest) blocks
    // nothing, but its rewind (to after it) still runs: it voids what was dispatched after it
    else if (how === 'fail') job.state = 'failed';
  }

  /** The partition restarts at the failed job's first unprocessed message (after it when it processed all). */
  rewindFailed(job: ModelJob): void {
    const offset = job.done < job.live ? (job.offsets[job.done] as number) : (job.offsets[job.live - 1] as number) + 1;
    job.state = 'rewound';
    this.rewind(offset, `first unprocessed of job#${job.id}`);
  }

  rewind(offset: number, why: string): void {
    this.target.rewind(offset);
    this.coverage.rewinds++;
    for (const j of this.jobs) {
      j.live = Math.min(j.live, countBelow(j.offsets, offset, j.live));
      if (j.state === 'failed' && j.done >= j.live) j.state = 'rewound';
    }
    this.#cursor = Math.min(this.#cursor, countBelow(this.log, offset));
    this.#dispatchedTo = Math.min(this.#dispatchedTo ?? offset, offset);
    if (this.#claimed !== null) this.#claimed = Math.min(this.#claimed, offset);
    this.trace.push(`rewind(${offset}) (${why})${this.#markNote()}`);
  }

  markBelow(offset: number): void {
    const mark = this.target.firstUnprocessed();
    const expected = this.#dispatchedTo !== null && offset <= this.#dispatchedTo && (mark === null || offset > mark);
    const accepted = this.target.markBelow(offset);
    this.trace.push(`markBelow(${offset}) → ${accepted}${this.#markNote()}`);
    expectRule(RULES.markBelow, accepted === expected, () => ({
      offset,
      accepted,
      markBefore: mark,
      dispatchedTo: this.#dispatchedTo,
      trace: this.trace,
    }));
    if (!accepted) return;
    this.coverage.markBelowAccepted++;
    this.#claimed = Math.max(this.#claimed ?? 0, offset);
    // every dispatched message before `offset` counts as processed, whatever its job's state
    for (const j of this.jobs)
      if (j.state !== 'dropped') j.done = Math.max(j.done, countBelow(j.offsets, offset, j.live));
    for (let i = 0; i < this.#cursor && (this.log[i] as number) < offset; i++) this.#done.add(this.log[i] as number);
  }

  #markNote(): string {
    return `  [mark ${String(this.target.firstUnprocessed())}]`;
  }

  /** The offset of the first message that holds the mark back: never processed, in a running or failed job. */
  firstBlocking(): number | null {
    let first: number | null = null;
    for (const j of this.jobs) {
      if (j.state !== 'running' && j.state !== 'failed') continue;
      const i = j.offsets.findIndex((o, n) => n < j.live && !this.#done.has(o));
      const at = j.offsets[i];
      if (i >= 0 && at !== undefined && (first === null || at < first)) first = at;
    }
    return first;
  }

  /** The offset of the first message of the log not dispatched (or void and not dispatched again) and never processed. */
  firstUndispatched(): number {
    let i = this.#cursor;
    while (i < this.log.length && this.#done.has(this.log[i] as number)) i++;
    return this.log[i] ?? (this.log[this.log.length - 1] as number) + 1;
  }

  /** Checks every rule against the target's answers now. */
  check(): void {
    const mark = this.target.firstUnprocessed();
    const details =
      (extra: Record<string, unknown> = {}) =>
      () => ({ committable: mark, ...extra, jobs: this.#jobsNow(), trace: this.trace });
    if (this.target.committable !== undefined) {
      const c = this.target.committable();
      expectRule(RULES.sameAnswer, (c?.offset ?? null) === mark, details({ committableOffset: c?.offset ?? null }));
      expectRule(RULES.noMetadata, c === null || c.metadata === null, details({ metadata: c?.metadata }));
    }
    const blocking = this.firstBlocking();
    if (blocking !== null && mark !== null && mark === blocking) this.coverage.blockedByOpenJob++;
    expectRule(
      RULES.safe,
      mark === null || blocking === null || mark <= blocking,
      details({ firstUnprocessedDispatchedMessage: blocking }),
    );
    const undispatched = this.firstUndispatched();
    expectRule(
      RULES.undispatched,
      mark === null || mark <= undispatched,
      details({ firstMessageNotDispatched: undispatched }),
    );
    const before = this.#previousMark;
    expectRule(RULES.forward, before === null || (mark !== null && mark >= before), details({ before }));
    this.#previousMark = mark;
    expectRule(
      RULES.dispatchedTo,
      this.target.dispatchedTo() === this.#dispatchedTo,
      details({ dispatchedTo: this.target.dispatchedTo(), expected: this.#dispatchedTo }),
    );

    // every live job succeeded (an unmarked remainder is the consumer's choice) or failed and was
    // rewound past, none runs or waits for its rewind, and the last live message belongs to a job
    // that succeeded fully: the mark is right after it (or at a markBelow claim past it, through a
    // gap of the log, or where it already was when a rewind went below it)
    const live = this.jobs.filter((j) => j.live > 0 && j.state !== 'dropped');
    if (live.length === 0) return;
    if (!live.every((j) => j.state === 'succeeded' || (j.state === 'rewound' && j.done >= j.live))) return;
    const last = live.reduce((a, b) => ((a.offsets[a.live - 1] as number) > (b.offsets[b.live - 1] as number) ? a : b));
    if (last.state !== 'succeeded' || last.done < last.live) return;
    this.coverage.completeChecks++;
    const expected = Math.max((last.offsets[last.live - 1] as number) + 1, this.#claimed ?? 0, before ?? 0);
    // a failed job's processed prefix also claims the log before it; its rewind caps that claim,
    // which may leave the mark further on, through a gap of the log (no message skipped)
    const nextMessage = this.log.find((o) => o >= expected) ?? Infinity;
    expectRule(RULES.complete, mark !== null && mark >= expected && mark <= nextMessage, details({ expected, nextMessage }));
  }

  #jobsNow(): string[] {
    return this.jobs.map((j) => `job#${j.id} ${j.state} [${j.offsets.join(',')}] live ${j.live} done ${j.done}`);
  }
}
