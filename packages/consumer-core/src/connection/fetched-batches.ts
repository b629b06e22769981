// The batches a listener took from KafkaJS and has not packed yet: queued by eachBatch, which
// returns at once so KafkaJS fetches again, and packed into the prefetch buffer at the end of the
// same event-loop turn (listener.ts's header says why). FIFO, so a partition's offsets stay in
// order. Packing copies keys and values out of KafkaJS's fetch response, which is then free to
// go, and keeps no object per message.
import type { EachBatchPayload } from 'kafkajs';
import type { Monitor } from '../instrumentation/monitor';
import { PackedChunk } from '../messages/packed-chunk';
import type { PrefetchBuffer } from './prefetch-buffer';

interface FetchedBatch {
  topic: string;
  partition: number;
  messages: EachBatchPayload['batch']['messages'];
  highWatermark: number;
  /** What the batch will hold once packed (PackedChunk.sizeOf): counted against the prefetch bound until it is. */
  bytes: number;
}

export interface FetchedBatchesHooks {
  /** A batch was packed into the buffer: its last offset and the partition's high watermark. */
  onFetched(topic: string, partition: number, lastOffset: number, highWatermark: number): void;
  /** A batch could not be packed; nothing after it was packed (the caller decides what then). */
  onPackFailed(topic: string, partition: number, error: unknown): void;
}

export class FetchedBatches {
  #queued: FetchedBatch[] = [];
  #bytes = 0;
  #packing: NodeJS.Immediate | undefined;

  constructor(
    private readonly buffer: PrefetchBuffer,
    private readonly monitor: Monitor,
    private readonly scope: { consumerGroup: string; subscriptionGroup: string; connection: number },
    private readonly hooks: FetchedBatchesHooks,
  ) {}

  /** Whether the queued batches, once packed, would fill the buffer. */
  get wouldFillBuffer(): boolean {
    return this.#queued.length > 0 && this.buffer.bytes + this.#bytes >= this.buffer.limitBytes;
  }

  /** Queues one fetched batch; it is packed at the end of this event-loop turn. */
  queue(batch: EachBatchPayload['batch']): void {
    const { topic, partition, messages } = batch;
    // counted as they will be held once packed (records, index, header bytes too): a batch of tiny
    // or header-heavy messages counted by key + value alone would let the buffer overshoot its bound
    let bytes = 0;
    for (let i = 0; i < messages.length; i++) bytes += PackedChunk.sizeOf(messages[i]!);
    this.#queued.push({ topic, partition, messages, highWatermark: Number(batch.highWatermark), bytes });
    this.#bytes += bytes;
    this.#packing ??= setImmediate(this.pack);
  }

  /**
   * Packs the queued batches into the buffer, oldest first. A batch whose partition was paused,
   * sought or revoked since it was queued was discarded by then.
   */
  readonly pack = (): void => {
    if (this.#packing !== undefined) clearImmediate(this.#packing);
    this.#packing = undefined;
    // one at a time off the front: a listener of the events below may pause a partition, which
    // must also discard that partition's batches still queued behind this one
    while (this.#queued.length > 0) {
      const { topic, partition, messages, highWatermark, bytes } = this.#queued.shift()!;
      this.#bytes -= bytes;
      let chunk: PackedChunk;
      try {
        chunk = PackedChunk.pack(messages);
      } catch (error) {
        this.hooks.onPackFailed(topic, partition, error);
        return;
      }
      const firstOffset = chunk.offsetAt(0);
      const lastOffset = chunk.offsetAt(chunk.count - 1);
      this.buffer.push(topic, partition, chunk, lastOffset + 1 >= highWatermark);
      this.hooks.onFetched(topic, partition, lastOffset, highWatermark);
      this.monitor.notify('listener.batch.received', {
        ...this.scope,
        topic,
        partition,
        messages: chunk.count,
        bytes: chunk.payloadBytes,
        firstOffset,
        lastOffset,
        highWatermark,
        bufferedBytes: this.buffer.bytes,
      });
    }
  };

  /** True while fetched batches of this partition wait to be packed (they are not in the buffer yet). */
  has(topic: string, partition: number): boolean {
    return this.#queued.some((b) => b.topic === topic && b.partition === partition);
  }

  /** Forgets queued batches (of one partition, or all). */
  discard(topic?: string, partition?: number): void {
    this.#queued =
      topic === undefined ? [] : this.#queued.filter((b) => b.topic !== topic || b.partition !== partition);
    this.#bytes = this.#queued.reduce((sum, b) => sum + b.bytes, 0);
  }

  /** Forgets everything queued and packs nothing more (the listener stops). */
  clear(): void {
    if (this.#packing !== undefined) clearImmediate(this.#packing);
    this.#packing = undefined;
    this.discard();
  }
}
