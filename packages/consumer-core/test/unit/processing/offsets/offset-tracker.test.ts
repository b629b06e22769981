import { OffsetTracker } from '../../../../src/processing/offsets/offset-tracker';

function tracker(): OffsetTracker {
  const t = new OffsetTracker();
  t.assign('t', 0);
  t.assign('t', 1);
  return t;
}

test('a mark after a dispatched job becomes a pending commit', () => {
  const t = tracker();
  t.fetched('t', 0, 99, 200);
  t.dispatched('t', 0, 9);
  expect(t.mark('t', 0, 10)).toBe(true);
  expect(t.pending()).toEqual([{ topic: 't', partition: 0, offset: 10 }]);
  t.committed(t.pending());
  expect(t.pending()).toEqual([]);
});

test('never marks past what was dispatched to a job (fetch position is not a commit position)', () => {
  const t = tracker();
  t.fetched('t', 0, 99, 200); // 100 messages buffered …
  t.dispatched('t', 0, 9); // … only 10 handed to a job
  expect(t.mark('t', 0, 100)).toBe(false);
  expect(t.mark('t', 0, 11)).toBe(false);
  expect(t.pending()).toEqual([]);
});

test('marks only move forward', () => {
  const t = tracker();
  t.dispatched('t', 0, 19);
  expect(t.mark('t', 0, 15)).toBe(true);
  expect(t.mark('t', 0, 12)).toBe(false);
  expect(t.mark('t', 0, 15)).toBe(false);
  expect(t.pending()).toEqual([{ topic: 't', partition: 0, offset: 15 }]);
});

test('a revoked partition is neither marked nor committed', () => {
  const t = tracker();
  t.dispatched('t', 1, 9);
  t.revoke('t', 1);
  expect(t.mark('t', 1, 10)).toBe(false);
  expect(t.owns('t', 1)).toBe(false);
  expect(t.pending()).toEqual([]);
});

test('a partition kept through a rebalance keeps its mark, epoch and dispatched bound but fetches again', () => {
  const t = tracker();
  const epoch = t.epochOf('t', 0)!;
  t.fetched('t', 0, 49, 100);
  t.dispatched('t', 0, 19);
  t.mark('t', 0, 10);
  expect(t.assign('t', 0)).toBe(epoch);
  const p = t.partitions().find((x) => x.partition === 0)!;
  expect([p.fetchPosition, p.dispatched, p.marked]).toEqual([null, 20, 10]);
  // the job that was running across the rejoin (10..19) may still mark
  expect(t.mark('t', 0, 20, epoch)).toBe(true);
});

test('a job of a lost partition cannot mark it, not even after it was assigned back (new epoch)', () => {
  const t = tracker();
  const before = t.epochOf('t', 1)!;
  t.dispatched('t', 1, 9, 0);
  t.revoke('t', 1);
  expect(t.mark('t', 1, 10, before)).toBe(false);
  const after = t.assign('t', 1);
  expect(after).not.toBe(before);
  t.dispatched('t', 1, 9, 0);
  expect(t.mark('t', 1, 10, before)).toBe(false);
  expect(t.mark('t', 1, 10, after)).toBe(true);
});

test('revoke returns what was processed but not committed (the duplicates the next owner will see)', () => {
  const t = tracker();
  t.dispatched('t', 0, 29, 5);
  t.mark('t', 0, 20);
  t.committed([{ topic: 't', partition: 0, offset: 12 }]);
  const last = t.revoke('t', 0)!;
  expect([last.origin, last.committed, last.marked]).toEqual([5, 12, 20]);
});

test('offsets a transaction carries are left alone by the normal commit path, then count as committed', () => {
  const t = tracker();
  const epoch = t.epochOf('t', 0)!;
  t.dispatched('t', 0, 9, 0);
  t.mark('t', 0, 5);
  t.beginTransaction('t', 0);
  expect(t.pending()).toEqual([]);
  t.endTransaction('t', 0, epoch, 10);
  expect(t.pending()).toEqual([]);
  expect(t.markedOffset('t', 0)).toBe(10);
  // an older mark arriving later neither lowers nor re-commits it
  expect(t.mark('t', 0, 7, epoch)).toBe(false);
  expect(t.pending()).toEqual([]);
});

test('an aborted transaction leaves the normal marks pending again', () => {
  const t = tracker();
  const epoch = t.epochOf('t', 0)!;
  t.dispatched('t', 0, 9, 0);
  t.mark('t', 0, 5);
  t.beginTransaction('t', 0);
  t.endTransaction('t', 0, epoch, null);
  expect(t.pending()).toEqual([{ topic: 't', partition: 0, offset: 5 }]);
});

test('rewind moves the fetch position back and limits marks to the new dispatches', () => {
  const t = tracker();
  t.fetched('t', 0, 49, 100);
  t.dispatched('t', 0, 19);
  t.mark('t', 0, 10);
  t.rewind('t', 0, 10); // the job with 10..19 failed
  expect(t.mark('t', 0, 20)).toBe(false);
  t.dispatched('t', 0, 14);
  expect(t.mark('t', 0, 15)).toBe(true);
});
