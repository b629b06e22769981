// The demo's consumer class. It runs in a worker thread (the App loads it by module path, from
// dist/ when the demo is built), one instance per orders partition, kept across batches. For each
// batch it prices the orders and produces one receipt through `this.producer` — the process's
// @decanter/producer, reached from the worker through the main thread.
import { threadId } from 'node:worker_threads';
import { Consumer } from '@decanter/consumer-core';
import { priceBatch, receiptsTopicFor, type Order, type Receipt } from './orders';

export class OrdersConsumer extends Consumer<Order> {
  /** Per-partition state: survives from batch to batch of the same partition. */
  batches = 0;
  orders = 0;
  revenueCents = 0;

  override async consume(): Promise<void> {
    const batch = this.messages;
    // a payload that is not JSON is rejected like a malformed order, not retried forever
    const priced = priceBatch(batch.map((message) => safePayload(() => message.payload)));
    const receipt: Receipt = {
      topic: this.topic,
      partition: this.partition,
      firstOffset: batch.metadata.firstOffset,
      lastOffset: batch.metadata.lastOffset,
      ...priced,
      batchNo: this.batches + 1,
      partitionOrders: this.orders + priced.orders,
      partitionRevenueCents: this.revenueCents + priced.revenueCents,
      threadId,
    };
    // sync: the batch counts as done (and its offsets get marked) only once its receipt is acknowledged
    await this.producer.produceSync({
      topic: receiptsTopicFor(this.topic),
      key: String(this.partition),
      payload: JSON.stringify(receipt),
    });
    // only a receipted batch counts: when produceSync throws, the batch is retried from its first
    // offset and must not be added to the totals twice
    this.batches = receipt.batchNo;
    this.orders = receipt.partitionOrders;
    this.revenueCents = receipt.partitionRevenueCents;
  }
}

function safePayload(read: () => unknown): unknown {
  try {
    return read();
  } catch {
    return null;
  }
}
