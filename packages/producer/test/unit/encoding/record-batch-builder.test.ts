// Claim: RecordBatchBuilder writes RecordBatch v2 byte for byte as Kafka defines it (vectors
// worked out by hand from the protocol: empty key, null key and value, headers with repeated
// names and a null value, negative timestamp delta, multi-byte varints), with a CRC-32C over
// attributes..end, and KafkaJS's own batch decoder reads back every key, value, header and
// timestamp, plain and with every codec.
import { batchCompressor } from '../../../src/encoding/batch-compression';
import { NO_PRODUCER_STATE, restampProducerState } from '../../../src/encoding/producer-state';
import { RecordBatchBuilder, type RecordHeaders } from '../../../src/encoding/record-batch-builder';
import { BatchField } from '../../../src/encoding/record-batch-layout';
import { COMPRESSION_CODECS } from '../../../src/types';
import { bitwiseCrc32c, decodeWithKafkaJs } from './support';

const T = 1_700_000_000_000; // 0x0000018bcfe56800

/** Hex of a batch's records section (after the 61-byte header). */
function recordsHex(batch: Buffer): string {
  return batch.subarray(61).toString('hex');
}

function one(
  key: Buffer | string | null,
  value: Buffer | string | null,
  headers?: RecordHeaders,
  timestamp = T,
): Buffer {
  const builder = new RecordBatchBuilder();
  builder.append(key, value, timestamp, headers);
  return builder.sealUncompressed();
}

describe('RecordBatchBuilder: records', () => {
  it('key "k", value "v1", no headers', () => {
    // length 9 (zigzag 18 = 0x12) | attributes 00 | tsDelta 0 | offsetDelta 0 | key len 1 (02) 'k'
    // | value len 2 (04) 'v1' | 0 headers
    expect(recordsHex(one('k', 'v1'))).toBe('12' + '00' + '00' + '00' + '02' + '6b' + '04' + '7631' + '00');
  });

  it('an empty key is length 0, a null key and a null value (tombstone) are length -1', () => {
    // body 7 bytes (zigzag 14 = 0e): attributes, tsDelta, offsetDelta, key len 0, value len 1 'v', 0 headers
    expect(recordsHex(one('', 'v'))).toBe('0e' + '00' + '00' + '00' + '00' + '02' + '76' + '00');
    // body 6 bytes (0c): key and value length -1 (zigzag 1 = 01), nothing after them
    expect(recordsHex(one(null, null))).toBe('0c' + '00' + '00' + '00' + '01' + '01' + '00');
  });

  it('headers with repeated names, in order, and a header with a null value', () => {
    const list = one(null, 'v', [
      ['h', 'a'],
      ['h', 'b'],
      ['n', null],
    ]);
    // 3 headers (06): 'h'='a', 'h'='b', 'n'=null (value length -1 = 01)
    const headers = '06' + '0268' + '0261' + '0268' + '0262' + '026e' + '01';
    const body = '00' + '00' + '00' + '01' + '0276' + headers; // 18 bytes: zigzag 36 = 24
    expect(recordsHex(list)).toBe('24' + body);
    // KafkaJS's IHeaders form: an array repeats the name
    expect(recordsHex(one(null, 'v', { h: ['a', 'b'], n: null, skipped: undefined }))).toBe(recordsHex(list));
  });

  it('multi-byte varints: a 300-byte value, a 200-record batch, a large timestamp delta', () => {
    const value = Buffer.alloc(300, 0x61);
    const batch = one(null, value);
    // body = 1 + 1 + 1 + 1 (null key) + 2 (d804 = 300) + 300 + 1 = 307 -> zigzag 614 = e604
    expect(recordsHex(batch)).toBe('e604' + '00' + '00' + '00' + '01' + 'd804' + value.toString('hex') + '00');

    const builder = new RecordBatchBuilder();
    for (let i = 0; i < 200; i++) builder.append(null, 'x', T + i);
    const many = builder.sealUncompressed();
    // the last record: offsetDelta 199 (zigzag 398 = 8e03), tsDelta 199 (8e03), body 9 bytes (12)
    expect(many.subarray(many.length - 10).toString('hex')).toBe('12' + '00' + '8e03' + '8e03' + '01' + '0278' + '00');

    const far = new RecordBatchBuilder();
    far.append(null, 'a', T);
    far.append(null, 'b', T + 2 ** 40); // tsDelta 2^40: zigzag 2^41 = 808080808040
    const farBatch = far.sealUncompressed();
    expect(farBatch.subarray(farBatch.length - 13).toString('hex')).toBe(
      '18' + '00' + '808080808040' + '02' + '01' + '0262' + '00',
    );
    expect(farBatch.readBigInt64BE(BatchField.maxTimestamp)).toBe(BigInt(T + 2 ** 40));
  });

  it('a record earlier than the first is a negative timestamp delta; maxTimestamp is the latest', () => {
    const builder = new RecordBatchBuilder();
    builder.append('k', 'v1', T);
    builder.append(null, null, T - 1);
    builder.append(null, null, T + 5);
    const batch = builder.sealUncompressed();
    // second record: tsDelta -1 (01), offsetDelta 1 (02); third: tsDelta 5 (0a), offsetDelta 2 (04);
    // both bodies 6 bytes (0c)
    expect(recordsHex(batch)).toBe(
      '1200000002' + '6b' + '047631' + '00' + '0c00010201' + '0100' + '0c000a0401' + '0100',
    );
    expect(batch.readBigInt64BE(BatchField.baseTimestamp)).toBe(BigInt(T));
    expect(batch.readBigInt64BE(BatchField.maxTimestamp)).toBe(BigInt(T + 5));
  });

  it('multi-byte UTF-8 keys, values and header names are sized in bytes', () => {
    // 'é' is 2 bytes (c3a9), '€' 3 (e282ac), 'ü' 2 (c3bc): body 16 bytes (zigzag 32 = 20)
    expect(recordsHex(one('é', '€', { ü: 'x' }))).toBe(
      '20' + '00' + '00' + '00' + '04c3a9' + '06e282ac' + '02' + '04c3bc' + '0278',
    );
  });
});

describe('RecordBatchBuilder: the batch header', () => {
  it('a two-record batch, field by field', () => {
    const builder = new RecordBatchBuilder();
    builder.append('k', 'v1', T);
    builder.append(null, null, T - 1);
    const batch = builder.sealUncompressed();
    const records = '12000000026b04763100' + '0c0001020101' + '00';
    const length = 61 + records.length / 2 - 12;
    const expected =
      '0000000000000000' + // baseOffset: the broker assigns
      length.toString(16).padStart(8, '0') +
      'ffffffff' + // partitionLeaderEpoch -1: the broker sets it
      '02' + // magic
      'CRC_____' +
      '0000' + // attributes: no codec, CreateTime, not transactional
      '00000001' + // lastOffsetDelta
      '0000018bcfe56800' + // baseTimestamp
      '0000018bcfe56800' + // maxTimestamp (the second record is earlier)
      'ffffffffffffffff' + // producerId -1
      'ffff' + // producerEpoch -1
      'ffffffff' + // baseSequence -1
      '00000002' + // record count
      records;
    const crc = bitwiseCrc32c(batch.subarray(21)).toString(16).padStart(8, '0');
    expect(batch.toString('hex')).toBe(expected.replace('CRC_____', crc));
  });

  it('writes the producer state given at seal, and restamping rewrites it and the CRC only', () => {
    const build = (): RecordBatchBuilder => {
      const b = new RecordBatchBuilder();
      b.append('k', 'v', T, { h: '1' });
      return b;
    };
    const state = { producerId: 4321n, producerEpoch: 7, baseSequence: 1000, transactional: true };
    const stamped = build().sealUncompressed(state);
    expect(stamped.readBigInt64BE(BatchField.producerId)).toBe(4321n);
    expect(stamped.readInt16BE(BatchField.producerEpoch)).toBe(7);
    expect(stamped.readInt32BE(BatchField.baseSequence)).toBe(1000);
    expect(stamped.readInt16BE(BatchField.attributes) & 0x10).toBe(0x10);
    expect(stamped.readUInt32BE(BatchField.crc)).toBe(bitwiseCrc32c(stamped.subarray(21)));

    const plain = Buffer.from(build().sealUncompressed());
    const restamped = Buffer.from(plain);
    restampProducerState(restamped, state);
    expect(restamped.equals(stamped)).toBe(true);
    restampProducerState(restamped, NO_PRODUCER_STATE);
    expect(restamped.equals(plain)).toBe(true);
  });

  it('grows its buffer without changing a byte', () => {
    const small = new RecordBatchBuilder(64);
    const large = new RecordBatchBuilder(1 << 20);
    for (let i = 0; i < 500; i++) {
      const headers = { i: String(i), r: ['a', 'b'] };
      small.append(`key-${i}`, `value-${i}-${'x'.repeat(i % 50)}`, T + (i % 7) - 3, headers);
      large.append(`key-${i}`, `value-${i}-${'x'.repeat(i % 50)}`, T + (i % 7) - 3, headers);
    }
    expect(small.sizeBytes).toBe(large.sizeBytes);
    expect(small.sealUncompressed().equals(large.sealUncompressed())).toBe(true);
  });

  it('refuses what cannot be a batch', () => {
    expect(() => new RecordBatchBuilder().sealUncompressed()).toThrow('at least one record');
    const builder = new RecordBatchBuilder();
    expect(() => builder.append(null, 'v', 1.5)).toThrow(RangeError);
    expect(() => builder.append(null, 'v', Number.NaN)).toThrow(RangeError);
    builder.append(null, 'v', T);
    expect(() => builder.append(null, 'v', T + 2 ** 53)).toThrow(RangeError);
    expect(builder.count).toBe(1);
    builder.sealUncompressed();
    expect(() => builder.append(null, 'v', T)).toThrow('after seal');
    expect(() => builder.sealUncompressed()).toThrow('sealed twice');
  });
});

describe.each(COMPRESSION_CODECS)('KafkaJS reads back a batch (%s)', (codec) => {
  it('every key, value, header and timestamp', async () => {
    const builder = new RecordBatchBuilder(256);
    const expected: {
      key: string | null;
      value: string | null;
      headers: Record<string, string | string[]>;
      timestamp: string;
    }[] = [];
    for (let i = 0; i < 120; i++) {
      const key = i % 10 === 0 ? null : i % 10 === 1 ? '' : `key-${i}`;
      const value = i % 15 === 0 ? null : `value-${i}-${'compressible '.repeat(i % 9)}`;
      const headers: Record<string, string | string[]> = i % 3 === 0 ? { trace: `t${i}`, dup: ['1', '2'] } : {};
      const timestamp = T + ((i * 37) % 101) - 50;
      builder.append(key, value, timestamp, headers);
      expected.push({ key, value, headers, timestamp: String(timestamp) });
    }
    const batch = await builder.seal({ compressor: batchCompressor(codec) });
    expect(batch.readInt16BE(BatchField.attributes) & 0x07).toBe(COMPRESSION_CODECS.indexOf(codec));
    expect(batch.readInt32BE(BatchField.batchLength)).toBe(batch.length - 12);
    expect(batch.readUInt32BE(BatchField.crc)).toBe(bitwiseCrc32c(batch.subarray(21)));
    const decoded = await decodeWithKafkaJs(batch);
    expect(decoded.lastOffsetDelta).toBe(119);
    expect(decoded.records.map((r) => r.offset)).toEqual(expected.map((_, i) => String(i)));
    expect(
      decoded.records.map((r) => ({
        key: r.key === null ? null : r.key.toString(),
        value: r.value === null ? null : r.value.toString(),
        headers: Object.fromEntries(
          Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]),
        ),
        timestamp: r.timestamp,
      })),
    ).toEqual(expected);
  });
});
