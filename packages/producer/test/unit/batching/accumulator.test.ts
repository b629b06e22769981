// Claim: the accumulator seals a partition's batch at batch.size bytes or batch.num.messages,
// seals everything when the linger expires (one timer), and with linger 0 seals on a microtask:
// records appended in one synchronous run share a batch, and neither a timer nor a turn of the
// event loop is waited for. On a send path that encodes at admission, each batch it opens
// carries an encoding of its own.
import { BatchEncoding } from '../../../src/encoding/batch-encoding';
import { Accumulator } from '../../../src/batching/accumulator';
import type { PartitionBatch } from '../../../src/batching/partition-batch';
import { ProduceRecord, type DeliverySink } from '../../../src/batching/produce-record';

const sink: DeliverySink = { delivered: () => undefined, reject: () => undefined };
const record = (bytes = 10): ProduceRecord =>
  new ProduceRecord({ topic: 't', payload: 'x' }, bytes, 0, Number.MAX_SAFE_INTEGER, sink);

function setup(lingerMs: number, batchSizeBytes = 1_000, batchMaxMessages = 1_000) {
  const sealed: PartitionBatch[] = [];
  const acc = new Accumulator({ lingerMs, batchSizeBytes, batchMaxMessages }, (b) => sealed.push(b));
  return { acc, sealed };
}

afterEach(() => jest.useRealTimers());

it('seals a batch when it reaches batch.size, and starts a new one when a record would overflow it', () => {
  const { acc, sealed } = setup(60_000, 30);
  acc.append(record(10), 't', 0, 1);
  acc.append(record(10), 't', 0, 1);
  expect(sealed).toHaveLength(0);
  acc.append(record(10), 't', 0, 1); // reaches 30
  expect(sealed.map((b) => b.records.length)).toEqual([3]);
  acc.append(record(25), 't', 0, 1);
  acc.append(record(10), 't', 0, 1); // 25 + 10 > 30: the open batch is sealed first
  expect(sealed.map((b) => b.records.length)).toEqual([3, 1]);
  expect(acc.openBatches).toBe(1);
  acc.sealAll();
});

it('seals at batch.num.messages', () => {
  const { acc, sealed } = setup(60_000, 1_000_000, 2);
  for (let i = 0; i < 5; i += 1) acc.append(record(), 't', 0, 1);
  expect(sealed.map((b) => b.records.length)).toEqual([2, 2]);
  acc.sealAll();
});

it('keeps one batch per partition and seals them all when the linger expires', () => {
  jest.useFakeTimers();
  const { acc, sealed } = setup(5);
  acc.append(record(), 't', 0, 1);
  acc.append(record(), 't', 1, 1);
  acc.append(record(), 'u', 0, 1);
  jest.advanceTimersByTime(4);
  expect(sealed).toHaveLength(0);
  jest.advanceTimersByTime(1);
  expect(sealed.map((b) => `${b.topic}/${b.partition}`).sort()).toEqual(['t/0', 't/1', 'u/0']);
  expect(jest.getTimerCount()).toBe(0);
});

it('linger 0: no timer; records of one synchronous run share a batch, sealed before the next turn', async () => {
  jest.useFakeTimers(); // the seal must not depend on any timer or immediate
  const { acc, sealed } = setup(0);
  acc.append(record(), 't', 0, 1);
  acc.append(record(), 't', 0, 1);
  expect(sealed).toHaveLength(0);
  expect(jest.getTimerCount()).toBe(0);
  await Promise.resolve();
  expect(sealed.map((b) => b.records.length)).toEqual([2]);
  acc.append(record(), 't', 0, 1); // a later run: a batch of its own
  await Promise.resolve();
  expect(sealed.map((b) => b.records.length)).toEqual([2, 1]);
  expect(jest.getTimerCount()).toBe(0);
});

it('urgent mode (closing) stops lingering', async () => {
  const { acc, sealed } = setup(60_000);
  acc.urgent = true;
  acc.append(record(), 't', 0, 1);
  await new Promise((r) => setImmediate(r));
  expect(sealed).toHaveLength(1);
});

it("gives every batch it opens an encoding of its own, sized like its partition's last batch, when the send path encodes at admission", () => {
  const sealed: PartitionBatch[] = [];
  const opened: number[] = [];
  const openEncoding = (expectedBytes: number): BatchEncoding => {
    opened.push(expectedBytes);
    return new BatchEncoding(expectedBytes + 128);
  };
  const acc = new Accumulator(
    { lingerMs: 60_000, batchSizeBytes: 1_000, batchMaxMessages: 2 },
    (b) => sealed.push(b),
    undefined,
    openEncoding,
  );
  for (let i = 0; i < 3; i += 1) acc.append(record(), 't', 0, 1);
  acc.append(record(), 't', 1, 1);
  acc.sealAll();
  expect(sealed.map((b) => [b.partition, b.records.length, b.encoding?.count])).toEqual([
    [0, 2, 2],
    [0, 1, 1],
    [1, 1, 1],
  ]);
  expect(new Set(sealed.map((b) => b.encoding)).size).toBe(3);
  // a partition's first batch is expected like its first record (10 estimated bytes), the next
  // like the last batch (2 records of 10)
  expect(opened).toEqual([10, 20, 10]);

  const { acc: plain, sealed: plainSealed } = setup(60_000);
  plain.append(record(), 't', 0, 1);
  plain.sealAll();
  expect(plainSealed[0]!.encoding).toBeNull();
});
