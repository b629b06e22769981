// Claim: the contiguous ledger never answers a committable offset past a message that is not
// processed, whatever the order in which several in-flight jobs of one partition end: random logs
// (offset gaps as after compaction), runs of random lengths dispatched while earlier ones still
// run, each job succeeding, succeeding having marked only a prefix (manual offset management),
// reporting progress, or failing after a prefix (the partition then rewinds to the job's first
// unprocessed message, at once or after other jobs ended, and the rest is dispatched again), and
// markBelow(x) claims in between. "Processed" is the contract's (offset-ledger.ts): a job's
// reported prefix; the unmarked remainder of a job that succeeded (the consumer's choice); and
// every message before an accepted markBelow. After every step: the offset is at or before the
// first unprocessed message of a running or failed job and the first message not dispatched yet,
// it never moves backwards, and when every dispatched job succeeded fully it is the last
// dispatched offset + 1. The model and its rules: support/ledger-model.ts. No broker.
import fc from 'fast-check';
import { ContiguousLedger } from '../../../../src/processing/offsets/contiguous-ledger';
import { emptyCoverage, ledgerActionArb, logArb, PartitionModel, type LedgerUnderTest } from './support/ledger-model';

function target(ledger: ContiguousLedger): LedgerUnderTest {
  return {
    dispatched: (run) => ledger.dispatched(run),
    processed: (run, count, settled) => ledger.processed(run, count, settled),
    markBelow: (offset) => ledger.markBelow(offset),
    rewind: (offset) => ledger.rewind(offset),
    firstUnprocessed: () => ledger.firstUnprocessed(),
    committable: () => ledger.committable(),
    dispatchedTo: () => ledger.dispatchedTo,
  };
}

test('the committable offset is never past an unprocessed message, never moves back, and follows the last job when all succeeded', () => {
  const coverage = emptyCoverage();
  fc.assert(
    fc.property(logArb, fc.array(ledgerActionArb, { maxLength: 80, size: 'max' }), (log, actions) => {
      const trace: string[] = [];
      const model = new PartitionModel(log, target(new ContiguousLedger()), trace, coverage);
      model.check();
      for (const action of actions) {
        model.apply(action);
        model.check();
      }
    }),
    { numRuns: 1_000 },
  );
  // the generator reaches every case the rules are about (else the property would hold vacuously)
  const rule = 'the random runs exercise every case';
  const reached = Object.fromEntries(Object.entries(coverage).map(([k, n]) => [k, n >= 100]));
  expect({ [rule]: reached }).toEqual({ [rule]: Object.fromEntries(Object.keys(coverage).map((k) => [k, true])) });
});

test('jobs of one partition that all succeed, ending in any order, commit right after the last message', () => {
  fc.assert(
    fc.property(
      logArb,
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 10 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (log, sizes, order) => {
        const ledger = new ContiguousLedger();
        const model = new PartitionModel(log, target(ledger), [], emptyCoverage());
        for (const messages of sizes) model.dispatch(messages);
        // end them in the order `order` picks (then the rest oldest first), checking each step
        for (const pick of [...order, ...sizes.map(() => 0)]) {
          model.apply({ do: 'succeed', job: pick });
          model.check();
        }
        const last = model.jobs.at(-1)!.offsets.at(-1)!;
        const rule = 'every dispatched job succeeded: the committable offset is the last dispatched offset + 1';
        expect({ [rule]: ledger.committable() }).toEqual({ [rule]: { offset: last + 1, metadata: null } });
      },
    ),
    { numRuns: 300 },
  );
});
