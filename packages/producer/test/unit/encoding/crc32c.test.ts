// Claim: crc32c is CRC-32C (Castagnoli): the published check value, RFC 3720's iSCSI vectors,
// any split of the input (continuing from a previous CRC) and every length and alignment
// agree with a plain bit-at-a-time computation.
import fc from 'fast-check';
import { crc32c } from '../../../src/encoding/crc32c';

/** The definition, one bit at a time: slow and obviously right. */
function bitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it.each([
    ['the check value of "123456789"', Buffer.from('123456789'), 0xe3069283],
    ['no bytes', Buffer.alloc(0), 0],
    ['32 zero bytes (RFC 3720 B.4)', Buffer.alloc(32, 0), 0x8a9136aa],
    ['32 0xff bytes (RFC 3720 B.4)', Buffer.alloc(32, 0xff), 0x62a8ab43],
    ['32 incrementing bytes (RFC 3720 B.4)', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
    ['32 decrementing bytes (RFC 3720 B.4)', Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
  ])('%s', (_name, bytes, expected) => {
    expect(crc32c(bytes)).toBe(expected);
  });

  it('covers only [start, end)', () => {
    const framed = Buffer.concat([Buffer.from('xx'), Buffer.from('123456789'), Buffer.from('yyy')]);
    expect(crc32c(framed, 2, 11)).toBe(0xe3069283);
  });

  it('matches the bitwise definition at every length, offset and split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length === 0 ? 0 : a % bytes.length;
        const split = start + (bytes.length - start === 0 ? 0 : b % (bytes.length - start));
        const expected = bitwise(bytes.subarray(start));
        expect(crc32c(bytes, start)).toBe(expected);
        expect(crc32c(bytes, split, bytes.length, crc32c(bytes, start, split))).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });
});
