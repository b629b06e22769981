// The bytes of one partition batch, written as its records are admitted (not when its request
// is built), as Java's producer and librdkafka write theirs: by the time the batch is sealed
// (linger, batch.size, a flush) its records are already encoded, and sealing is the header, the
// CRC and, with a codec, one compression pass. The sealed bytes are kept, so every resend of the
// batch sends exactly them: only the producer fields of the header (id, epoch, base sequence,
// transactional bit) may differ from one attempt to the next, and they are restamped in place
// (the CRC with them). It must never hand out bytes whose records differ from what was appended:
// a batch whose records change after admission (merged, or trimmed by a deadline) drops its
// encoding instead (batching/partition-batch.ts), and the send path encodes it afresh.
import type { BatchCompressor } from './batch-compression';
import { NO_PRODUCER_STATE, restampProducerState, type ProducerState } from './producer-state';
import { RecordBatchBuilder, type RecordBytes, type RecordHeaders } from './record-batch-builder';

export class BatchEncoding {
  readonly #builder: RecordBatchBuilder;
  #sealed: Promise<Buffer> | null = null;
  /** The codec attribute the bytes were sealed with. */
  #codec = 0;
  /** The producer fields the sealed bytes carry now. */
  #stamped: ProducerState = NO_PRODUCER_STATE;

  /** @param capacity bytes preallocated (see RecordBatchBuilder). */
  constructor(capacity?: number) {
    this.#builder = new RecordBatchBuilder(capacity);
  }

  /** Records appended. */
  get count(): number {
    return this.#builder.count;
  }

  /** True once bytes() was called: nothing can be appended any more. */
  get sealed(): boolean {
    return this.#sealed !== null;
  }

  /** Appends one record (RecordBatchBuilder.append: throws after sealing, or on a timestamp out of range). */
  append(key: RecordBytes, value: RecordBytes, timestamp: number, headers?: RecordHeaders): void {
    if (this.#sealed !== null) throw new Error('BatchEncoding: append after the batch was sealed');
    this.#builder.append(key, value, timestamp, headers);
  }

  /**
   * The batch's bytes, carrying `producerState`. The first call seals the batch (compressing it
   * with `compressor`); a later call returns the same bytes, restamped when `producerState`
   * differs from the one they carry. The caller must not send two attempts of one batch at once
   * (the dispatcher never does): a restamp rewrites the bytes an earlier attempt was given.
   */
  async bytes(compressor: BatchCompressor | null, producerState: ProducerState = NO_PRODUCER_STATE): Promise<Buffer> {
    const codec = compressor?.attribute ?? 0;
    if (this.#sealed === null) {
      this.#codec = codec;
      this.#stamped = producerState;
      this.#sealed = this.#builder.seal({ compressor, producerState });
      return this.#sealed;
    }
    if (codec !== this.#codec) {
      throw new Error(`BatchEncoding: sealed with compression attribute ${this.#codec}, asked for ${codec}`);
    }
    const batch = await this.#sealed;
    if (!sameProducerState(this.#stamped, producerState)) {
      restampProducerState(batch, producerState);
      this.#stamped = producerState;
    }
    return batch;
  }
}

function sameProducerState(a: ProducerState, b: ProducerState): boolean {
  return (
    BigInt(a.producerId) === BigInt(b.producerId) &&
    a.producerEpoch === b.producerEpoch &&
    a.baseSequence === b.baseSequence &&
    a.transactional === b.transactional
  );
}
