// The ownership board: what a worker thread reads to know its partition is still owned.
import { Worker } from 'node:worker_threads';
import { OwnershipBoard, leaseHolds } from '../../../src/processing/ownership-board';

test('a lease holds while the partition is owned under its epoch', () => {
  const board = new OwnershipBoard();
  board.own('g/t/0', 7);
  const lease = board.lease('g/t/0', 7);
  expect(leaseHolds(lease)).toBe(true);
  board.release('g/t/0');
  expect(leaseHolds(lease)).toBe(false);
  // assigned back: a new epoch, the old lease stays broken
  board.own('g/t/0', 9);
  expect(leaseHolds(lease)).toBe(false);
  expect(leaseHolds(board.lease('g/t/0', 9))).toBe(true);
});

test('partitions have separate slots, also past one chunk of slots', () => {
  const board = new OwnershipBoard();
  for (let p = 0; p < 1500; p++) board.own(`g/t/${p}`, p + 1);
  board.release('g/t/1200');
  expect(leaseHolds(board.lease('g/t/1199', 1200))).toBe(true);
  expect(leaseHolds(board.lease('g/t/1200', 1201))).toBe(false);
  expect(leaseHolds(board.lease('g/t/3', 4))).toBe(true);
});

test('another thread sees a release without any message (shared memory)', async () => {
  const board = new OwnershipBoard();
  board.own('g/t/0', 3);
  const lease = board.lease('g/t/0', 3);
  // the thread spins until the slot changes, then reports what it saw
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const view = new Int32Array(workerData.buffer);
     parentPort.postMessage('ready');
     Atomics.wait(view, workerData.index, workerData.epoch, 10000);
     parentPort.postMessage(Atomics.load(view, workerData.index));`,
    { eval: true, workerData: lease },
  );
  const messages: unknown[] = [];
  const done = new Promise<void>((resolve) => worker.on('message', (m) => (messages.push(m), messages.length === 2 && resolve())));
  await new Promise<void>((resolve) => worker.once('message', () => resolve()));
  board.release('g/t/0');
  Atomics.notify(new Int32Array(lease.buffer), lease.index);
  await done;
  await worker.terminate();
  expect(messages[1]).toBe(0);
});
