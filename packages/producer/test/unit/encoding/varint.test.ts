// Claim: varints and varlongs are Kafka's zigzag base-128 encoding, byte for byte (hand-worked
// vectors), sized exactly, and agree with KafkaJS's own encoder over the whole int32 range and
// the varlong range we allow.
import fc from 'fast-check';
import {
  MAX_VARLONG_MAGNITUDE,
  sizeOfVarInt,
  sizeOfVarLong,
  writeVarInt,
  writeVarLong,
} from '../../../src/encoding/varint';

// KafkaJS's Encoder, as an independent reference only (never used by the encoder itself)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const KafkaJsEncoder = require('kafkajs/src/protocol/encoder') as new () => {
  writeVarInt(v: number): { buffer: Buffer };
  writeVarLong(v: number): { buffer: Buffer };
};

function varint(value: number): string {
  const buf = Buffer.alloc(10);
  const end = writeVarInt(buf, 0, value);
  expect(end).toBe(sizeOfVarInt(value));
  return buf.subarray(0, end).toString('hex');
}

function varlong(value: number): string {
  const buf = Buffer.alloc(10);
  const end = writeVarLong(buf, 0, value);
  expect(end).toBe(sizeOfVarLong(value));
  return buf.subarray(0, end).toString('hex');
}

describe('varint (int32, zigzag)', () => {
  it.each([
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [300, 'd804'], // zigzag 600 = 0b100_1011000
    [-300, 'd704'], // zigzag 599
    [2 ** 31 - 1, 'feffffff0f'],
    [-(2 ** 31), 'ffffffff0f'],
  ])('%d is %s', (value, hex) => {
    expect(varint(value)).toBe(hex);
  });

  it('writes at the offset and returns the offset after it', () => {
    const buf = Buffer.alloc(6, 0xaa);
    expect(writeVarInt(buf, 3, 64)).toBe(5);
    expect(buf.toString('hex')).toBe('aaaaaa8001aa');
  });

  it('agrees with KafkaJS over the int32 range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => {
        expect(varint(v)).toBe(new KafkaJsEncoder().writeVarInt(v).buffer.toString('hex'));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('varlong (zigzag, |value| <= 2^52)', () => {
  it.each([
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [2 ** 31, '8080808010'], // zigzag 2^32: just past the int32 shortcut
    [2 ** 40, '808080808040'], // zigzag 2^41: bit 6 of the sixth group
    [-(2 ** 40), 'ffffffffff3f'], // zigzag 2^41 - 1: 41 one bits
    [MAX_VARLONG_MAGNITUDE, '8080808080808010'], // zigzag 2^53
    [-MAX_VARLONG_MAGNITUDE, 'ffffffffffffff0f'], // zigzag 2^53 - 1
    [1_700_000_000_000, '80a0abfef962'], // a 2023 timestamp in ms (zigzag 3.4e12)
  ])('%d', (value, hex) => {
    expect(varlong(value)).toBe(hex);
  });

  it('agrees with KafkaJS over the allowed range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_VARLONG_MAGNITUDE, max: MAX_VARLONG_MAGNITUDE }), (v) => {
        expect(varlong(v)).toBe(new KafkaJsEncoder().writeVarLong(v).buffer.toString('hex'));
      }),
      { numRuns: 2000 },
    );
  });
});
