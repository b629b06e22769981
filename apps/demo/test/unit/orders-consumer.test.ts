// Claim: OrdersConsumer prices each batch, keeps running totals per partition across batches, and
// produces exactly one receipt per batch through `this.producer` (no broker, no thread: the batch
// and the producer are handed in by a test subclass).
import {
  Message,
  type BatchMetadata,
  type ConsumerProducer,
  type Messages,
  type ProducedMessage,
} from '@decanter/consumer-core';
import { OrdersConsumer } from '../../src/orders-consumer';
import { makeOrders, priceOrder, type Order, type Receipt } from '../../src/orders';

const json = (raw: Buffer | null): unknown => (raw === null ? null : JSON.parse(raw.toString('utf8')));

function batch(topic: string, partition: number, firstOffset: number, values: Array<string | null>): Messages<Order> {
  const list = values.map(
    (value, i) =>
      new Message<Order>(
        topic,
        partition,
        {
          offset: firstOffset + i,
          timestamp: Date.now(),
          key: null,
          value: value === null ? null : Buffer.from(value),
          headers: {},
        },
        json,
      ),
  );
  const metadata: BatchMetadata = {
    topic,
    partition,
    consumerGroup: 'g',
    size: list.length,
    firstOffset,
    lastOffset: firstOffset + list.length - 1,
    readyAt: Date.now(),
    startedAt: Date.now(),
    consumptionLag: 0,
    processingLag: 0,
  };
  return Object.assign(list, { metadata });
}

class TestOrdersConsumer extends OrdersConsumer {
  current: Messages<Order> | undefined;
  readonly produced: ProducedMessage[] = [];
  override get messages(): Messages<Order> {
    if (this.current === undefined) throw new Error('no batch');
    return this.current;
  }
  override get topic(): string {
    return 'orders';
  }
  override get partition(): number {
    return 2;
  }
  override get producer(): ConsumerProducer {
    return {
      produceSync: async (message) => {
        this.produced.push(message);
        return { topic: message.topic, partition: 0, offset: String(this.produced.length - 1) };
      },
      produceAsync: async () => {
        throw new Error('the demo consumer produces receipts synchronously');
      },
    };
  }
}

const receiptOf = (message: ProducedMessage | undefined): Receipt => JSON.parse(String(message?.payload)) as Receipt;

test('one receipt per batch, with running totals kept across batches', async () => {
  const orders = makeOrders(5);
  const consumer = new TestOrdersConsumer();
  consumer.current = batch(
    'orders',
    2,
    0,
    orders.slice(0, 3).map((o) => JSON.stringify(o)),
  );
  await consumer.consume();
  consumer.current = batch(
    'orders',
    2,
    3,
    orders.slice(3).map((o) => JSON.stringify(o)),
  );
  await consumer.consume();

  expect(consumer.produced).toHaveLength(2);
  expect(consumer.produced.map((m) => [m.topic, m.key])).toEqual([
    ['orders-receipts', '2'],
    ['orders-receipts', '2'],
  ]);
  const [first, second] = consumer.produced.map(receiptOf);
  const price = (os: Order[]): number => os.reduce((s, o) => s + (priceOrder(o) ?? 0), 0);
  expect(first).toMatchObject({
    topic: 'orders',
    partition: 2,
    firstOffset: 0,
    lastOffset: 2,
    orders: 3,
    rejected: 0,
    batchNo: 1,
  });
  expect(first?.revenueCents).toBe(price(orders.slice(0, 3)));
  expect(second).toMatchObject({ firstOffset: 3, lastOffset: 4, orders: 2, batchNo: 2, partitionOrders: 5 });
  expect(second?.partitionRevenueCents).toBe(price(orders));
  expect(consumer.orders).toBe(5);
});

test('malformed payloads are rejected in the receipt, not thrown', async () => {
  const [order] = makeOrders(1);
  const consumer = new TestOrdersConsumer();
  consumer.current = batch('orders', 2, 10, [JSON.stringify(order), 'not json', null, JSON.stringify({ items: [] })]);
  await expect(consumer.consume()).resolves.toBeUndefined();
  expect(receiptOf(consumer.produced[0])).toMatchObject({ orders: 1, rejected: 3, revenueCents: priceOrder(order) });
});
