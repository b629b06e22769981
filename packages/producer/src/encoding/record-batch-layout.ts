// Where each field of a RecordBatch v2 (magic 2, Kafka 0.11+) sits, in bytes from the batch's
// start; shared by the builder that writes batches and the code that restamps them. Numbers
// only: nothing here may depend on KafkaJS.
//
//   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
//   attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
//   producerId int64 | producerEpoch int16 | baseSequence int32 | recordCount int32 | records…
//
// batchLength counts the bytes after itself; the CRC-32C covers attributes to the end. With a
// codec, `records…` is the codec's output for the concatenated records; recordCount stays plain.

export const BatchField = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
} as const;

/** Bytes before the first record. */
export const BATCH_HEADER_BYTES = 61;
/** Bytes not counted by batchLength: baseOffset and batchLength themselves. */
export const BATCH_LENGTH_OFFSET = 12;
/** Where the CRC-covered bytes begin. */
export const CRC_START = BatchField.attributes;
export const MAGIC_V2 = 2;

/** The bits of a batch's attributes (int16). */
export const BatchAttribute = {
  /** Bits 0-2: the codec (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
  compressionMask: 0x07,
  /** Bit 3: LogAppendTime (set by the broker); a producer writes CreateTime (0). */
  logAppendTime: 0x08,
  /** Bit 4: the batch belongs to a transaction. */
  transactional: 0x10,
  /** Bit 5: a control batch (commit/abort markers); brokers write those, never producers. */
  control: 0x20,
} as const;

/** What a producer writes when the broker overwrites it (partitionLeaderEpoch) or it has none. */
export const NO_PARTITION_LEADER_EPOCH = -1;
