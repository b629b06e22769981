// Claim: a BatchEncoding's sealed bytes are exactly a RecordBatchBuilder's for the same records,
// sealed once and handed out again on every later call; a later call with other producer fields
// restamps them in place (fields and CRC) without touching a record; it refuses appends after
// sealing and a second codec.
import { batchCompressor } from '../../../src/encoding/batch-compression';
import { BatchEncoding } from '../../../src/encoding/batch-encoding';
import { BatchField, CRC_START } from '../../../src/encoding/record-batch-layout';
import { RecordBatchBuilder } from '../../../src/encoding/record-batch-builder';
import { bitwiseCrc32c, decodeWithKafkaJs } from './support';

const records: [string | null, string | null, number][] = [
  ['k1', 'v1', 1_700_000_000_000],
  [null, 'v2', 1_700_000_000_005],
  ['k3', null, 1_699_999_999_990],
];

function filled(): BatchEncoding {
  const encoding = new BatchEncoding(128);
  for (const [key, value, ts] of records) encoding.append(key, value, ts, { h: 'x' });
  return encoding;
}

it('seals to the same bytes as a RecordBatchBuilder, then returns those very bytes again', async () => {
  const builder = new RecordBatchBuilder(128);
  for (const [key, value, ts] of records) builder.append(key, value, ts, { h: 'x' });
  const expected = builder.sealUncompressed();

  const encoding = filled();
  expect(encoding.count).toBe(3);
  expect(encoding.sealed).toBe(false);
  const first = await encoding.bytes(null);
  expect(encoding.sealed).toBe(true);
  expect(first.equals(expected)).toBe(true);
  expect(await encoding.bytes(null)).toBe(first);
});

it('restamps the producer fields and the CRC in place, records unchanged', async () => {
  const encoding = filled();
  const plain = Buffer.from(await encoding.bytes(null));
  const state = { producerId: 42n, producerEpoch: 3, baseSequence: 17, transactional: true };
  const stamped = await encoding.bytes(null, state);

  expect(stamped.readBigInt64BE(BatchField.producerId)).toBe(42n);
  expect(stamped.readInt16BE(BatchField.producerEpoch)).toBe(3);
  expect(stamped.readInt32BE(BatchField.baseSequence)).toBe(17);
  expect(stamped.readUInt32BE(BatchField.crc)).toBe(bitwiseCrc32c(stamped.subarray(CRC_START)));
  expect(stamped.subarray(BatchField.recordCount).equals(plain.subarray(BatchField.recordCount))).toBe(true);
  const decoded = await decodeWithKafkaJs(stamped);
  expect(decoded.inTransaction).toBe(true);
  expect(decoded.firstSequence).toBe(17);
  expect(
    decoded.records.map((r) => [r.key?.toString() ?? null, r.value?.toString() ?? null, Number(r.timestamp)]),
  ).toEqual(records);
});

it('compresses once, and keeps the compressed bytes for the next call', async () => {
  const encoding = filled();
  const gzip = batchCompressor('gzip');
  const first = await encoding.bytes(gzip);
  expect(first.readInt16BE(BatchField.attributes) & 0x07).toBe(1);
  expect(await encoding.bytes(gzip)).toBe(first);
  expect((await decodeWithKafkaJs(first)).records).toHaveLength(3);
  await expect(encoding.bytes(null)).rejects.toThrow(/sealed with compression attribute 1, asked for 0/);
});

it('restamps compressed bytes too, and clears the transactional bit', async () => {
  const encoding = filled();
  const lz4 = batchCompressor('lz4');
  const inTx = await encoding.bytes(lz4, { producerId: 7n, producerEpoch: 0, baseSequence: 0, transactional: true });
  expect((await decodeWithKafkaJs(inTx)).inTransaction).toBe(true);
  const plain = await encoding.bytes(lz4, { producerId: 7n, producerEpoch: 0, baseSequence: 3, transactional: false });
  expect(plain).toBe(inTx);
  expect(plain.readInt16BE(BatchField.attributes)).toBe(3); // lz4, no transactional bit
  expect(plain.readUInt32BE(BatchField.crc)).toBe(bitwiseCrc32c(plain.subarray(CRC_START)));
  const decoded = await decodeWithKafkaJs(plain);
  expect([decoded.inTransaction, decoded.firstSequence, decoded.records.length]).toEqual([false, 3, 3]);
});

it('says when sealing failed, and keeps failing', async () => {
  const encoding = filled();
  const failing = { name: 'gzip' as const, attribute: 1, compress: () => Promise.reject(new Error('codec down')) };
  await expect(encoding.bytes(failing)).rejects.toThrow('codec down');
  expect(encoding.failed).toBe(true);
  await expect(encoding.bytes(failing)).rejects.toThrow('codec down');
});

it('refuses an append once sealed', async () => {
  const encoding = filled();
  await encoding.bytes(null);
  expect(() => encoding.append('k', 'v', 1)).toThrow(/append after the batch was sealed/);
});
