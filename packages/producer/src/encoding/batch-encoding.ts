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
  /** Null once sealed (so nothing can be appended): a compressed batch need not keep its uncompressed records alive. */
  #builder: RecordBatchBuilder | null;
  #count = 0;
  #sealed: Promise<Buffer> | null = null;
  #failed = false;
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
    return this.#count;
  }

  /** True once bytes() was called: nothing can be appended any more. */
  get sealed(): boolean {
    return this.#sealed !== null;
  }

  /** True when sealing failed (a codec's error): these bytes can never be sent; encode the records afresh. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Appends one record (RecordBatchBuilder.append: a RangeError for a timestamp it cannot write). */
  append(key: RecordBytes, value: RecordBytes, timestamp: number, headers?: RecordHeaders): void {
    if (this.#builder === null) {
      throw new Error('BatchEncoding: append after the batch was sealed');
    }
    this.#builder.append(key, value, timestamp, headers);
    this.#count += 1;
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
      const builder = this.#builder!;
      this.#builder = null;
      this.#codec = codec;
      this.#stamped = producerState;
      this.#sealed = builder.seal({ compressor, producerState });
      this.#sealed.catch(() => (this.#failed = true));
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
