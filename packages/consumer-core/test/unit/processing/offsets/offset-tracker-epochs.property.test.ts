// Claim: at the offset tracker, a job dispatched under an earlier ownership of its partition (the
// partition was revoked, and perhaps assigned again: a new epoch) can never move the mark: its
// processed(..., epoch) and mark(..., epoch) are refused and leave the mark, the pending commit and
// the partition's view as they were, while the current ownership keeps the ledger's safety rule
// (support/ledger-model.ts: never past an unprocessed message, never backwards, right after the
// last message when every job succeeded). Random sequences mix the ledger actions with commits,
// rebalances that keep the partition (same epoch: its running jobs still count), revocations and
// new assignments (which fetch again from the committed offset). No broker.
import fc from 'fast-check';
import { OffsetTracker } from '../../../../src/processing/offsets/offset-tracker';
import {
  emptyCoverage,
  expectRule,
  ledgerActionArb,
  logArb,
  PartitionModel,
  type Coverage,
  type LedgerAction,
  type LedgerUnderTest,
  type ModelJob,
} from './support/ledger-model';

const TOPIC = 't';
const PARTITION = 0;

const RULES = {
  staleProcessed:
    'a job of an earlier ownership (epoch) never moves the mark: its processed() is refused and changes nothing',
  staleMark: 'a job of an earlier ownership (epoch) never moves the mark: its mark() is refused and changes nothing',
  newEpoch: 'a new ownership gets an epoch no earlier ownership had',
  keptEpoch: 'a partition kept through a rebalance keeps its epoch',
  notOwned: 'a partition not owned has no mark and nothing pending',
  committed: 'after committed(pending()) nothing is pending',
} as const;

type TrackerAction =
  | LedgerAction
  | { do: 'commit' }
  /** A rebalance that keeps the partition (eager: revoked and assigned back in the same join). */
  | { do: 'keep' }
  | { do: 'revoke' }
  /** A new ownership: fetches again from the group's committed offset. */
  | { do: 'assign' }
  /** A job of an earlier ownership marks by hand (`job` picks among them). */
  | { do: 'staleMark'; job: number; ahead: number };

const trackerActionArb: fc.Arbitrary<TrackerAction> = fc.oneof(
  { weight: 12, arbitrary: ledgerActionArb },
  { weight: 1, arbitrary: fc.constant({ do: 'commit' as const }) },
  { weight: 1, arbitrary: fc.constant({ do: 'keep' as const }) },
  { weight: 1, arbitrary: fc.constant({ do: 'revoke' as const }) },
  { weight: 2, arbitrary: fc.constant({ do: 'assign' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      do: fc.constant('staleMark' as const),
      job: fc.nat({ max: 7 }),
      ahead: fc.nat({ max: 12 }),
    }),
  },
);

/** The tracker as one ownership's ledger: every call under that ownership's epoch. */
function ownership(tracker: OffsetTracker, epoch: number): LedgerUnderTest {
  return {
    dispatched: (run) => tracker.dispatchedRun(TOPIC, PARTITION, run),
    processed: (run, count, settled) => tracker.processed(TOPIC, PARTITION, run, count, settled, epoch),
    markBelow: (offset) => tracker.mark(TOPIC, PARTITION, offset, epoch),
    rewind: (offset) => tracker.rewind(TOPIC, PARTITION, offset),
    firstUnprocessed: () => tracker.markedOffset(TOPIC, PARTITION),
    dispatchedTo: () => tracker.partitions().find((p) => p.partition === PARTITION)?.dispatched ?? null,
  };
}

interface StaleCoverage extends Coverage {
  staleReports: number;
  staleMarks: number;
}

class Scenario {
  readonly tracker = new OffsetTracker();
  readonly trace: string[] = [];
  readonly epochs: number[] = [];
  model: PartitionModel | null = null;
  /** Jobs of earlier ownerships still running. */
  stale: ModelJob[] = [];
  committed: number | null = null;

  constructor(
    private readonly log: number[],
    private readonly coverage: StaleCoverage,
  ) {
    this.assign();
  }

  /** What a refused call must leave as it was. */
  snapshot() {
    return {
      marked: this.tracker.markedOffset(TOPIC, PARTITION),
      pending: this.tracker.pending(),
      partitions: this.tracker.partitions(),
    };
  }

  assign(): void {
    if (this.model !== null) return this.keep();
    const epoch = this.tracker.assign(TOPIC, PARTITION);
    this.trace.push(`assign → epoch ${epoch}, fetching from ${String(this.committed ?? 0)}`);
    expectRule(RULES.newEpoch, !this.epochs.includes(epoch), () => ({
      epoch,
      earlier: this.epochs,
      trace: this.trace,
    }));
    this.epochs.push(epoch);
    this.model = new PartitionModel(
      this.log,
      ownership(this.tracker, epoch),
      this.trace,
      this.coverage,
      epoch,
      this.committed ?? 0,
    );
  }

  keep(): void {
    const before = this.tracker.epochOf(TOPIC, PARTITION);
    const epoch = this.tracker.assign(TOPIC, PARTITION);
    this.trace.push(`rebalance keeps the partition → epoch ${epoch}`);
    expectRule(RULES.keptEpoch, epoch === before, () => ({ epoch, before, trace: this.trace }));
  }

  revoke(): void {
    if (this.model === null) return void this.trace.push('revoke: not owned');
    this.tracker.revoke(TOPIC, PARTITION);
    this.stale.push(...this.model.inFlight());
    this.trace.push(`revoke (${this.model.inFlight().length} jobs still running)`);
    this.model = null;
  }

  commit(): void {
    const entries = this.tracker.pending();
    this.tracker.committed(entries);
    const entry = entries.find((e) => e.partition === PARTITION);
    if (entry !== undefined) this.committed = entry.offset;
    this.trace.push(`commit ${JSON.stringify(entries)}`);
    expectRule(RULES.committed, this.tracker.pending().length === 0, () => ({
      pending: this.tracker.pending(),
      trace: this.trace,
    }));
  }

  apply(action: TrackerAction): void {
    switch (action.do) {
      case 'commit':
        return this.commit();
      case 'keep':
        return this.model === null ? void this.trace.push('keep: not owned') : this.keep();
      case 'revoke':
        return this.revoke();
      case 'assign':
        return this.assign();
      case 'staleMark':
        return this.staleMark(action.job, action.ahead);
      case 'succeed':
      case 'succeedMarking':
      case 'progress':
      case 'fail': {
        // the job is picked among the current ownership's jobs in flight and the stale ones
        const current = this.model?.inFlight() ?? [];
        const all = [...current, ...this.stale];
        if (all.length === 0) return void this.trace.push(`${action.do}: no job in flight`);
        const i = action.job % all.length;
        if (i >= current.length) return this.staleReport(all[i] as ModelJob, action);
        return this.model?.apply({ ...action, job: i });
      }
      default:
        if (this.model === null) return void this.trace.push(`${action.do}: not owned`);
        return this.model.apply(action);
    }
  }

  staleReport(job: ModelJob, action: Extract<LedgerAction, { job: number }>): void {
    this.stale = this.stale.filter((j) => j !== job);
    const length = job.offsets.length;
    const marked = 'marked' in action ? action.marked : length;
    const count = action.do === 'succeed' ? length : action.do === 'progress' ? marked % (length + 1) : marked % length;
    const settled = action.do === 'succeed' || action.do === 'succeedMarking';
    const before = this.snapshot();
    const accepted = this.tracker.processed(TOPIC, PARTITION, job.run, count, settled, job.epoch);
    this.trace.push(
      `stale job#${job.id} (epoch ${job.epoch}) ${action.do}: processed(run, ${count}, ${settled}, ${job.epoch}) → ${accepted}`,
    );
    this.coverage.staleReports++;
    const after = this.snapshot();
    expectRule(RULES.staleProcessed, !accepted && JSON.stringify(after) === JSON.stringify(before), () => ({
      accepted,
      before,
      after,
      trace: this.trace,
    }));
  }

  staleMark(pick: number, ahead: number): void {
    if (this.stale.length === 0) return void this.trace.push('staleMark: no job of an earlier ownership runs');
    const job = this.stale[pick % this.stale.length] as ModelJob;
    // an offset a current job could mark: the same shape of claim, only under the old epoch
    const from = this.tracker.markedOffset(TOPIC, PARTITION) ?? (job.offsets[0] as number);
    const offset = Math.max(0, from + ahead - 1);
    const before = this.snapshot();
    const accepted = this.tracker.mark(TOPIC, PARTITION, offset, job.epoch);
    this.trace.push(`stale job#${job.id} (epoch ${job.epoch}): mark(${offset}, ${job.epoch}) → ${accepted}`);
    this.coverage.staleMarks++;
    const after = this.snapshot();
    expectRule(RULES.staleMark, !accepted && JSON.stringify(after) === JSON.stringify(before), () => ({
      accepted,
      before,
      after,
      trace: this.trace,
    }));
  }

  check(): void {
    if (this.model !== null) return this.model.check();
    const marked = this.tracker.markedOffset(TOPIC, PARTITION);
    const pending = this.tracker.pending();
    expectRule(RULES.notOwned, marked === null && pending.length === 0, () => ({ marked, pending, trace: this.trace }));
  }
}

test('a job dispatched under an earlier epoch never moves the mark; the current ownership keeps the ledger rule', () => {
  const coverage: StaleCoverage = { ...emptyCoverage(), staleReports: 0, staleMarks: 0 };
  fc.assert(
    fc.property(logArb, fc.array(trackerActionArb, { maxLength: 80, size: 'max' }), (log, actions) => {
      const scenario = new Scenario(log, coverage);
      scenario.check();
      for (const action of actions) {
        scenario.apply(action);
        scenario.check();
      }
    }),
    { numRuns: 1_000 },
  );
  const rule = 'the random runs exercise every case';
  const reached = Object.fromEntries(Object.entries(coverage).map(([k, n]) => [k, n >= 100]));
  expect({ [rule]: reached }).toEqual({ [rule]: Object.fromEntries(Object.keys(coverage).map((k) => [k, true])) });
});
