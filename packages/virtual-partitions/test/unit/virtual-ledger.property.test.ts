// The virtual offset ledger under random splits, completion orders and failures (fast-check):
// the committable offset is never past a message that was never processed, never moves
// backwards, and reaches the end once every job succeeded; what the commit metadata says was
// processed ahead was processed, and a fresh ledger restored from it skips exactly that; over the
// broker's size cap the tracker drops the metadata, never the offset, and every commit that went
// without it is counted (the one the broker refused included).
import fc from 'fast-check';
// the tracker and the committer are consumer-core's internals: their source, as the App runs them
import { OffsetCommitter } from '../../../consumer-core/src/connection/offset-committer';
import { OffsetTracker } from '../../../consumer-core/src/processing/offsets/offset-tracker';
import { Monitor } from '@decanter/consumer-core';
import type { OffsetRun } from '@decanter/consumer-core/features';
import { decodeProcessedAhead } from '../../src/offset-metadata';
import { VirtualLedger } from '../../src/virtual-ledger';

const run = (offsets: readonly number[]): OffsetRun => ({ length: offsets.length, offsetAt: (i) => offsets[i] });

type Action =
  | { kind: 'dispatch'; size: number; shares: number; seed: number }
  | { kind: 'finish'; job: number; outcome: 'success' | 'prefix' | 'failure'; prefix: number }
  | { kind: 'seekBack'; back: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('dispatch' as const), size: fc.integer({ min: 1, max: 12 }), shares: fc.integer({ min: 1, max: 5 }), seed: fc.nat() }),
  fc.record({ kind: fc.constant('finish' as const), job: fc.nat(), outcome: fc.constantFrom('success' as const, 'prefix' as const, 'failure' as const), prefix: fc.nat() }),
  fc.record({ kind: fc.constant('seekBack' as const), back: fc.integer({ min: 1, max: 10 }) }),
);
const log = fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { minLength: 5, maxLength: 120 }).map((a) => [...a].sort((x, y) => x - y));

function expectRule(rule: string, holds: boolean, details: () => unknown): void {
  if (!holds) expect({ [rule]: details() }).toEqual({ [rule]: 'holds' });
}

test('never past an unprocessed message, whatever finishes first or fails; metadata tells only the truth', () => {
  fc.assert(
    fc.property(log, fc.array(action, { maxLength: 60 }), (offsets, actions) => {
      const ledger = new VirtualLedger();
      const ever = new Set<number>(); // processed at least once (or skipped as such)
      const held = new Set<number>(); // left unmarked by the latest job that had them (manual offsets): they hold the mark
      const jobs: Array<{ offsets: number[] }> = [];
      let cursor = 0; // index in the log of the next message to fetch
      let last: number | null = null;
      const trace: string[] = [];
      for (const a of actions) {
        if (a.kind === 'dispatch') {
          const batch = offsets.slice(cursor, cursor + a.size);
          if (batch.length === 0) continue;
          cursor += batch.length;
          const kept = batch.filter((o) => !ledger.isProcessed(o));
          const skipped = batch.filter((o) => ledger.isProcessed(o));
          if (skipped.length > 0) ledger.skipped(run(skipped)); // as the strategy does: before the poll's jobs are dispatched
          const shares = Array.from({ length: a.shares }, () => [] as number[]);
          kept.forEach((o, i) => shares[(a.seed + i * 7 + o) % a.shares]!.push(o));
          for (const share of shares.filter((s) => s.length > 0)) {
            ledger.dispatched(run(share));
            jobs.push({ offsets: share });
          }
          trace.push(`dispatch ${batch.join(',')} as ${shares.map((s) => `[${s}]`).join(' ')}`);
        } else if (a.kind === 'finish') {
          if (jobs.length === 0) continue;
          const [job] = jobs.splice(a.job % jobs.length, 1);
          const count = a.outcome === 'success' ? job!.offsets.length : a.prefix % (job!.offsets.length + 1);
          job!.offsets.slice(0, count).forEach((o) => (ever.add(o), held.delete(o)));
          if (a.outcome === 'prefix') job!.offsets.slice(count).forEach((o) => held.add(o));
          ledger.processed(run(job!.offsets), count, a.outcome !== 'failure');
          if (a.outcome === 'failure') {
            const restart = ledger.firstUnprocessed() ?? job!.offsets[0]!;
            ledger.rewind(restart, 'error');
            for (const o of held) if (o >= restart) held.delete(o); // forgotten: delivered again
            cursor = offsets.findIndex((o) => o >= restart);
            if (cursor < 0) cursor = offsets.length;
          }
          trace.push(`finish [${job!.offsets}] ${a.outcome} ${count}`);
        } else {
          const at = Math.max(0, cursor - a.back);
          const offset = offsets[at];
          if (offset === undefined) continue;
          ledger.rewind(offset, 'request');
          for (const o of held) if (o >= offset) held.delete(o);
          cursor = at;
          trace.push(`seek back to ${offset}`);
        }
        const c = ledger.committable();
        const mark = c?.offset ?? null;
        const unsafe = offsets.find((o) => mark !== null && o < mark && !ever.has(o));
        expectRule('never commits past a message that was never processed', unsafe === undefined, () => ({ mark, unsafe, trace }));
        expectRule('never moves backwards', last === null || (mark !== null && mark >= last), () => ({ last, mark, trace }));
        last = mark;
        const ahead = decodeProcessedAhead(mark, c?.metadata ?? null);
        expectRule('the metadata names only processed messages above the committed offset', ahead.every((o) => ever.has(o) && o > (mark ?? -1)), () => ({ ahead, trace }));
        const restored = new VirtualLedger();
        restored.restore(mark, c?.metadata ?? null);
        expectRule('a ledger restored from the commit skips exactly what the metadata names', ahead.every((o) => restored.isProcessed(o)) && offsets.every((o) => o < (mark ?? 0) || ahead.includes(o) || !restored.isProcessed(o)), () => ({ ahead, trace }));
      }
      // every job succeeds: the mark reaches the end of what was fetched
      for (const job of jobs.splice(0)) {
        job.offsets.forEach((o) => (ever.add(o), held.delete(o)));
        ledger.processed(run(job.offsets), job.offsets.length, true);
      }
      const fetchedUpTo = cursor === 0 ? null : offsets[cursor - 1]! + 1;
      if (fetchedUpTo !== null) {
        // a message a consumer left unmarked (manual offsets) holds the mark; nothing else does
        const hole = offsets.slice(0, cursor).find((o) => !ever.has(o) || held.has(o)) ?? fetchedUpTo;
        const mark = ledger.committable()?.offset ?? null;
        expectRule('once every job succeeded the mark is at the first message left unmarked, else the end of what was fetched', mark !== null && mark >= hole, () => ({ mark, hole, trace }));
      }
    }),
    { numRuns: 1_000 },
  );
});

test('over the cap the metadata is dropped, the offset still committed', () => {
  const tracker = new OffsetTracker(8);
  const ledger = new VirtualLedger();
  tracker.assign('t', 0, () => ledger);
  const evens = Array.from({ length: 10 }, (_, i) => 6 + 2 * i);
  const odds = Array.from({ length: 10 }, (_, i) => 5 + 2 * i);
  tracker.dispatchedRun('t', 0, run([0, 1, 2, 3, 4]));
  tracker.dispatchedRun('t', 0, run(odds)); // a slow virtual partition, still running
  tracker.dispatchedRun('t', 0, run(evens));
  tracker.processed('t', 0, run([0, 1, 2, 3, 4]), 5, true);
  // processed ahead of the slow share, every other offset: too long for 8 bytes
  tracker.processed('t', 0, run(evens), evens.length, true);
  const rule = 'the offset is committed without metadata';
  expect({ [rule]: tracker.pending() }).toEqual({ [rule]: [{ topic: 't', partition: 0, offset: 5 }] });
  expect(ledger.committable()?.metadata).toMatch(/^vp1:/);
  // counted once per commit that carries the offset without it (the two pending() calls), not
  // again once that is committed and nothing changed
  tracker.committed(tracker.pending());
  expect({ 'commits without their metadata': ledger.droppedMetadataCommits, 'then nothing to commit': tracker.pending() }).toEqual({ 'commits without their metadata': 2, 'then nothing to commit': [] });
});

// Regression: when the broker refused the metadata (OFFSET_METADATA_TOO_LARGE: its
// offset.metadata.max.bytes below ours) the committer sent the commit again without it, but only
// the later commits the lowered cap stripped were counted: the first drop was missing from
// virtualPartitions.metadataDropped.
test('a commit the broker refuses for its metadata, sent again without it, counts as a commit without metadata', async () => {
  const tracker = new OffsetTracker();
  const ledger = new VirtualLedger();
  tracker.assign('t', 0, () => ledger);
  tracker.dispatchedRun('t', 0, run([0, 1]));
  tracker.dispatchedRun('t', 0, run([2, 3]));
  tracker.processed('t', 0, run([2, 3]), 2, true); // ahead of the slow share 0, 1: in the metadata
  const sent: Array<string | undefined> = [];
  const listener = {
    commit: async (offsets: ReadonlyArray<{ metadata?: string }>): Promise<void> => {
      sent.push(offsets[0]?.metadata);
      if (offsets[0]?.metadata !== undefined) throw Object.assign(new Error('The metadata field of the offset request was too large'), { type: 'OFFSET_METADATA_TOO_LARGE' });
    },
  };
  const committer = new OffsetCommitter({ tracker, listener, monitor: new Monitor(), scope: { consumerGroup: 'g', subscriptionGroup: 'default' } });
  await committer.commit('interval');
  const rule = 'refused with its metadata, committed without it, and counted once';
  expect({ [rule]: { withMetadata: sent.map((m) => m !== undefined), dropped: ledger.droppedMetadataCommits, committed: tracker.partitions()[0]?.committed } }).toEqual({
    [rule]: { withMetadata: [true, false], dropped: 1, committed: 0 },
  });
});
