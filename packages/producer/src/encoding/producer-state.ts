// The idempotence fields of a RecordBatch v2 — producer id, epoch, base sequence — and its
// transactional bit. The encoder never decides them: they come from whoever owns the producer's
// identity and per-partition sequences (KafkaJS's EOS manager today), either when a batch is
// sealed or, when they are only known at dispatch time (a retry after an epoch bump), by
// restamping the sealed bytes here. Restamping rewrites the CRC too; it must never change a
// record.
import { crc32c } from './crc32c';
import { BatchAttribute, BatchField, CRC_START, MAGIC_V2 } from './record-batch-layout';

export interface ProducerState {
  /** The broker-assigned producer id; -1 when the producer is not idempotent. */
  readonly producerId: bigint | number;
  /** -1 when not idempotent. */
  readonly producerEpoch: number;
  /** The sequence number of the batch's first record in its partition; -1 when not idempotent. */
  readonly baseSequence: number;
  /** Sets the batch's transactional attribute. */
  readonly transactional: boolean;
}

/** A plain (non-idempotent, non-transactional) producer's fields, as Java's producer writes them. */
export const NO_PRODUCER_STATE: ProducerState = Object.freeze({
  producerId: -1,
  producerEpoch: -1,
  baseSequence: -1,
  transactional: false,
});

/** Writes `state` into a batch's header (not its CRC). */
export function writeProducerState(batch: Buffer, state: ProducerState): void {
  batch.writeBigInt64BE(BigInt(state.producerId), BatchField.producerId);
  batch.writeInt16BE(state.producerEpoch, BatchField.producerEpoch);
  batch.writeInt32BE(state.baseSequence, BatchField.baseSequence);
  const attributes = batch.readInt16BE(BatchField.attributes);
  const transactional = state.transactional
    ? attributes | BatchAttribute.transactional
    : attributes & ~BatchAttribute.transactional;
  batch.writeInt16BE(transactional, BatchField.attributes);
}

/** Writes the CRC-32C of a batch's covered bytes into it. */
export function writeBatchCrc(batch: Buffer): void {
  batch.writeUInt32BE(crc32c(batch, CRC_START, batch.length), BatchField.crc);
}

/**
 * Rewrites the producer fields of one sealed batch in place, and its CRC. `batch` must be exactly
 * one RecordBatch v2 (as RecordBatchBuilder.seal returns it).
 */
export function restampProducerState(batch: Buffer, state: ProducerState): void {
  if (batch.length < CRC_START || batch.readInt8(BatchField.magic) !== MAGIC_V2) {
    throw new TypeError('restampProducerState needs one RecordBatch v2');
  }
  writeProducerState(batch, state);
  writeBatchCrc(batch);
}
