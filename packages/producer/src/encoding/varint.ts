// Kafka's variable-length integers (base-128, least significant group first, zigzag-signed: the
// protobuf encoding RecordBatch v2 uses for record lengths, deltas, key/value/header lengths),
// written straight into a caller's Buffer at an offset. The record encoder's hot path: these
// functions must never allocate, and callers size with sizeOf* before they write.

/** Bytes `value` (an int32) takes as a zigzag varint: 1 to 5. */
export function sizeOfVarInt(value: number): number {
  const v = ((value << 1) ^ (value >> 31)) >>> 0;
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Writes `value` (an int32) as a zigzag varint at `offset`; returns the offset after it. */
export function writeVarInt(buf: Uint8Array, offset: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    buf[offset++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[offset++] = v;
  return offset;
}

/**
 * The largest magnitude a varlong takes here. Zigzag doubles a value, and a JS number holds
 * integers exactly up to 2^53, so |value| must stay within 2^52 (a timestamp delta of ±142,000
 * years in ms); anything larger is refused rather than written wrong.
 */
export const MAX_VARLONG_MAGNITUDE = 2 ** 52;

/** The zigzag encoding of a safe integer as a (non-negative) number. */
function zigzag64(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** Bytes `value` (an integer, |value| <= 2^52) takes as a zigzag varlong: 1 to 8. */
export function sizeOfVarLong(value: number): number {
  let v = zigzag64(value);
  if (v < 0x100000000) return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
  let size = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    size += 1;
  }
  return size;
}

/** Writes `value` (an integer, |value| <= 2^52) as a zigzag varlong at `offset`; returns the offset after it. */
export function writeVarLong(buf: Uint8Array, offset: number, value: number): number {
  let v = zigzag64(value);
  // above 32 bits, divide (exact for integers below 2^53); below, the cheaper int32 shifts
  while (v >= 0x100000000) {
    buf[offset++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  let w = v >>> 0;
  while (w >= 0x80) {
    buf[offset++] = (w & 0x7f) | 0x80;
    w >>>= 7;
  }
  buf[offset++] = w;
  return offset;
}
