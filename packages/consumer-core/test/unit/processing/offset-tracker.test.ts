import { OffsetTracker } from '../../../src/processing/offset-tracker';

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

test('a partition kept through a rebalance keeps its mark but fetches again', () => {
  const t = tracker();
  t.fetched('t', 0, 49, 100);
  t.dispatched('t', 0, 9);
  t.mark('t', 0, 10);
  t.assign('t', 0);
  const p = t.partitions().find((x) => x.partition === 0)!;
  expect([p.fetchPosition, p.dispatched, p.marked]).toEqual([null, null, 10]);
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
