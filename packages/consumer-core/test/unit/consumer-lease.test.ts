// markAsConsumed / isRevoked once the partition is lost while consume() runs: the main thread
// releases the partition on the ownership board, the consumer sees it at once (no message).
import { Consumer } from '../../src/consumer';
import { OwnershipBoard } from '../../src/processing/ownership-board';
import { runJob } from '../../src/processing/worker';
import { builtInDeserializers } from '../../src/messages/deserializers';

const board = new OwnershipBoard();
const seen: Array<{ offset: number; accepted: boolean; revoked: boolean }> = [];

class HalfwayLostConsumer extends Consumer<{ n: number }> {
  override consume(): void {
    for (const message of this.messages) {
      if (message.offset === 12) board.release('g/t/0'); // the rebalance lands mid-batch
      seen.push({ offset: message.offset, accepted: this.markAsConsumed(message), revoked: this.isRevoked() });
    }
  }
}

const unpacked = [10, 11, 12, 13].map((offset) => ({ offset, timestamp: Date.now(), key: null, value: Buffer.from('{"n":1}'), headers: {} }));
const job = { topic: 't', partition: 0, consumerGroup: 'g', manualOffsetManagement: true, readyAt: Date.now() };

test('markAsConsumed returns false and isRevoked true from the moment the partition is lost', async () => {
  board.own('g/t/0', 5);
  const { requests } = await runJob(new HalfwayLostConsumer(), { ...job, lease: board.lease('g/t/0', 5) }, unpacked, builtInDeserializers.json, Date.now());
  expect(seen).toEqual([
    { offset: 10, accepted: true, revoked: false },
    { offset: 11, accepted: true, revoked: false },
    { offset: 12, accepted: false, revoked: true },
    { offset: 13, accepted: false, revoked: true },
  ]);
  expect(requests.markedOffset).toBe(12); // only what was marked while owned
});

test('assigned back under a new epoch, a lease of the old epoch still refuses marks', async () => {
  seen.length = 0;
  board.own('g/t/0', 6);
  await runJob(new HalfwayLostConsumer(), { ...job, lease: board.lease('g/t/0', 5) }, unpacked.slice(0, 2), builtInDeserializers.json, Date.now());
  expect(seen.map((s) => s.accepted)).toEqual([false, false]);
});
