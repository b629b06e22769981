// The prefetch buffer of one subscription group: messages the listener took from KafkaJS (so
// KafkaJS can fetch again) and the batcher has not handed out yet. Bounded by bytes
// (`queued.max.messages.kbytes`) counted on the bytes really held: each fetched batch is one
// PackedChunk (its records and copied key/value/header bytes; KafkaJS's fetch response is not
// kept). The listener waits for room before adding to a full buffer.
import type { FetchedMessage } from '../messages/fetched-message';
import { MessageRun, PackedChunk, type ChunkSlice } from '../messages/packed-chunk';

interface PartitionQueue {
  topic: string;
  partition: number;
  /** Chunks in offset order; `chunks[0]` is consumed up to `head`. */
  chunks: PackedChunk[];
  head: number;
  /** Messages buffered (not taken). */
  count: number;
  bytes: number;
  /** The last batch reached the partition's high watermark. */
  eof: boolean;
}

export interface TakenBatch {
  topic: string;
  partition: number;
  messages: MessageRun;
}

export const partitionKey = (topic: string, partition: number): string => `${topic}/${partition}`;

export class PrefetchBuffer {
  readonly #queues = new Map<string, PartitionQueue>();
  #bytes = 0;
  #count = 0;
  #waiters: Array<() => void> = [];
  #rotation = 0;

  constructor(readonly limitBytes: number) {}

  get bytes(): number {
    return this.#bytes;
  }

  get count(): number {
    return this.#count;
  }

  isFull(): boolean {
    return this.#bytes >= this.limitBytes;
  }

  countFor(topic: string, partition: number): number {
    const q = this.#queues.get(partitionKey(topic, partition));
    return q === undefined ? 0 : q.count;
  }

  /** True when some partition with buffered messages has reached its end. */
  hasEofPartition(): boolean {
    for (const q of this.#queues.values()) if (q.eof && q.count > 0) return true;
    return false;
  }

  /** Adds one fetched batch (packed by the listener; plain messages are packed here). */
  push(topic: string, partition: number, messages: PackedChunk | readonly FetchedMessage[], eof: boolean): void {
    const chunk = messages instanceof PackedChunk ? messages : PackedChunk.pack(messages);
    const key = partitionKey(topic, partition);
    let q = this.#queues.get(key);
    if (q === undefined) {
      q = { topic, partition, chunks: [], head: 0, count: 0, bytes: 0, eof: false };
      this.#queues.set(key, q);
    }
    q.eof = eof;
    if (chunk.count > 0) {
      q.chunks.push(chunk);
      q.count += chunk.count;
      q.bytes += chunk.byteLength;
      this.#bytes += chunk.byteLength;
      this.#count += chunk.count;
    }
    this.#wake();
  }

  /**
   * Takes up to `max` messages, shared fairly between the partitions that have some: each gets an
   * equal share first, what a partition cannot use goes to the others (starting with a rotating
   * partition). With blocking polls this keeps every partition's lane busy in each poll instead
   * of handing one partition the whole poll. Offsets stay in order within each partition.
   */
  take(max: number): TakenBatch[] {
    const queues = [...this.#queues.values()].filter((q) => q.count > 0);
    if (queues.length === 0) return [];
    const start = this.#rotation++ % queues.length;
    const ordered = queues.map((_, i) => queues[(start + i) % queues.length]!);
    const counts = ordered.map(() => 0);
    let left = max;
    // fill in rounds: equal shares, then the remainder to partitions that still have messages
    while (left > 0) {
      const hungry = ordered.map((q, i) => (q.count - (counts[i] ?? 0) > 0 ? i : -1)).filter((i) => i >= 0);
      if (hungry.length === 0) break;
      const share = Math.max(1, Math.floor(left / hungry.length));
      for (const i of hungry) {
        if (left === 0) break;
        const q = ordered[i]!;
        const n = Math.min(share, left, q.count - (counts[i] ?? 0));
        counts[i] = (counts[i] ?? 0) + n;
        left -= n;
      }
    }
    const out: TakenBatch[] = [];
    ordered.forEach((q, i) => {
      const n = counts[i] ?? 0;
      if (n === 0) return;
      out.push({ topic: q.topic, partition: q.partition, messages: this.#takeFrom(q, n) });
    });
    this.#wake();
    return out;
  }

  // Slices n messages off the queue's head; a chunk leaves the queue once wholly taken (the
  // bytes bound counts what is still to be taken, records + data of each message).
  #takeFrom(q: PartitionQueue, n: number): MessageRun {
    const slices: ChunkSlice[] = [];
    let left = n;
    let bytes = 0;
    while (left > 0) {
      const chunk = q.chunks[0]!;
      const to = Math.min(chunk.count, q.head + left);
      slices.push({ chunk, from: q.head, to });
      bytes += chunk.sliceBytes(q.head, to);
      left -= to - q.head;
      if (to === chunk.count) {
        // the last slice also takes the chunk's index (dataStart), which sliceBytes does not count
        bytes += chunk.byteLength - chunk.sliceBytes(0, chunk.count);
        q.chunks.shift();
        q.head = 0;
      } else q.head = to;
    }
    q.count -= n;
    q.bytes -= bytes;
    this.#bytes -= bytes;
    this.#count -= n;
    return new MessageRun(slices);
  }

  /** Drops what is buffered for one partition (paused, sought, revoked). */
  drop(topic: string, partition: number): number {
    const key = partitionKey(topic, partition);
    const q = this.#queues.get(key);
    if (q === undefined) return 0;
    const n = q.count;
    this.#bytes -= q.bytes;
    this.#count -= n;
    this.#queues.delete(key);
    this.#wake();
    return n;
  }

  clear(): void {
    this.#queues.clear();
    this.#bytes = 0;
    this.#count = 0;
    this.#wake();
  }

  /** Resolves on the next change (push, take, drop) or after `timeoutMs`. */
  waitForChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#waiters.push(done);
    });
  }

  /** Wakes anyone waiting (e.g. on shutdown). */
  interrupt(): void {
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
