// References for the encoder's unit tests, independent of the code under test: a bit-at-a-time
// CRC-32C and KafkaJS's own RecordBatch decoder (the reader of every batch a KafkaJS consumer
// fetches). Never imported by src/.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const KafkaJsDecoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => unknown;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const decodeRecordBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (
  decoder: unknown,
) => Promise<DecodedBatch>;

export interface DecodedRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[]>;
}

export interface DecodedBatch {
  lastOffsetDelta: number;
  firstTimestamp: string;
  maxTimestamp: string;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  inTransaction: boolean;
  records: DecodedRecord[];
}

export function bitwiseCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export function decodeWithKafkaJs(batch: Buffer): Promise<DecodedBatch> {
  return decodeRecordBatch(new KafkaJsDecoder(batch));
}
