// Claim: a PartitionBatch with an encoding keeps it holding exactly its records: each added
// record is encoded as it comes, a merged batch's records are encoded again behind this one's
// (their deltas count from this batch's first record), and a batch losing records (settled, or
// timed out first) or given a record the encoder refuses drops its encoding, so the send path
// encodes it afresh; a record added after sealing throws. Without an encoding nothing is encoded.
import { PartitionBatch } from '../../../src/batching/partition-batch';
import { ProduceRecord, type DeliverySink } from '../../../src/batching/produce-record';
import { BatchEncoding } from '../../../src/encoding/batch-encoding';
import { decodeWithKafkaJs } from '../encoding/support';

const sink: DeliverySink = { delivered: () => undefined, reject: () => undefined };
const record = (value: string, admittedAt: number, timestamp?: number): ProduceRecord =>
  new ProduceRecord(
    { topic: 't', payload: value, ...(timestamp === undefined ? {} : { timestamp }) },
    10,
    0,
    Number.MAX_SAFE_INTEGER,
    sink,
    admittedAt,
  );

const encoded = (batch: PartitionBatch): BatchEncoding => {
  expect(batch.encoding).not.toBeNull();
  return batch.encoding as BatchEncoding;
};

async function decoded(batch: PartitionBatch): Promise<[string, number][]> {
  const { records } = await decodeWithKafkaJs(await encoded(batch).bytes(null));
  return records.map((r) => [r.value!.toString(), Number(r.timestamp)]);
}

it('encodes each record as it is added, at its admission time unless it carries a timestamp', async () => {
  const batch = new PartitionBatch('t', 0, 1, undefined, new BatchEncoding());
  batch.add(record('a', 1_000));
  batch.add(record('b', 1_007, 500));
  expect(encoded(batch).count).toBe(2);
  expect(await decoded(batch)).toEqual([
    ['a', 1_000],
    ['b', 500],
  ]);
});

it('re-encodes absorbed records behind its own', async () => {
  const batch = new PartitionBatch('t', 0, 1, undefined, new BatchEncoding());
  batch.add(record('a', 1_000));
  const later = new PartitionBatch('t', 0, 1, undefined, new BatchEncoding());
  later.add(record('b', 2_000));
  later.add(record('c', 2_001));
  batch.absorb(later);
  expect(encoded(batch).count).toBe(3);
  const { records, lastOffsetDelta } = await decodeWithKafkaJs(await encoded(batch).bytes(null));
  expect(lastOffsetDelta).toBe(2);
  expect(records.map((r) => [r.value!.toString(), Number(r.timestamp), r.offset])).toEqual([
    ['a', 1_000, '0'],
    ['b', 2_000, '1'],
    ['c', 2_001, '2'],
  ]);
});

it('drops its encoding when records leave it, and only then', () => {
  const batch = new PartitionBatch('t', 0, 1, undefined, new BatchEncoding());
  for (const v of ['a', 'b', 'c']) batch.add(record(v, 1_000));
  expect(batch.removeSettled()).toEqual([]);
  expect(batch.takeFirst(0)).toEqual([]);
  expect(batch.encoding).not.toBeNull();

  batch.records[1]!.reject(new Error('deadline'));
  expect(batch.removeSettled()).toHaveLength(1);
  expect(batch.encoding).toBeNull();

  const other = new PartitionBatch('t', 0, 1, undefined, new BatchEncoding());
  other.add(record('x', 1_000));
  other.add(record('y', 1_000));
  expect(other.takeFirst(1)).toHaveLength(1);
  expect(other.encoding).toBeNull();
});

it('drops its encoding for a record the encoder refuses, keeping the record', () => {
  const batch = new PartitionBatch('t', 0, 1, undefined, new BatchEncoding());
  batch.add(record('a', 1_000));
  batch.add(record('b', 1_000, 1.5)); // not an integer ms: RecordBatchBuilder refuses it
  expect(batch.encoding).toBeNull();
  expect(batch.records).toHaveLength(2);
});

it('throws for a record added after its bytes were sealed (a broken invariant, never hidden)', async () => {
  const batch = new PartitionBatch('t', 0, 1, undefined, new BatchEncoding());
  batch.add(record('a', 1_000));
  await encoded(batch).bytes(null);
  expect(() => batch.add(record('b', 1_000))).toThrow(/append after the batch was sealed/);
});

it('without an encoding, encodes nothing', () => {
  const batch = new PartitionBatch('t', 0, 1);
  batch.add(record('a', 1_000));
  expect(batch.encoding).toBeNull();
});
