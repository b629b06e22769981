// Claim: routed like the demo routes it (batches of 25), OrdersConsumer — run by the testing kit
// from @decanter/consumer-core/testing, in-process, no broker, no threads — produces one receipt
// per batch through this.producer with running totals per partition, rejects malformed orders
// without failing the batch, and leaves the batch unmarked (to be retried) when its receipt
// cannot be produced.
import { join } from 'node:path';
import type { ProducedMessage } from '@decanter/consumer-core';
import { createTestingKit } from '@decanter/consumer-core/testing';
import { OrdersConsumer } from '../../src/orders-consumer';
import { makeOrders, priceOrder, receiptsTopicFor, type Order, type Receipt } from '../../src/orders';

// the demo's routing (src/demo.ts builds it inside runDemo): same consumer module, same maxMessages
const routes = [
  {
    consumerGroup: 'orders-group',
    topics: [
      {
        topic: 'orders',
        maxMessages: 25,
        consumer: { module: join(__dirname, '..', '..', 'src', 'orders-consumer'), export: 'OrdersConsumer' },
      },
    ],
  },
];

const receiptOf = (message: ProducedMessage | undefined): Receipt => JSON.parse(String(message?.payload)) as Receipt;
const revenue = (orders: readonly Order[]): number => orders.reduce((sum, o) => sum + (priceOrder(o) ?? 0), 0);

test('one receipt per batch of 25, running totals kept by the partition instance, every offset marked', async () => {
  const kit = createTestingKit(routes);
  const consumer = kit.consumerFor<OrdersConsumer>('orders', { partition: 1 });
  const orders = makeOrders(60);
  for (const order of orders) kit.produce('orders', order, { partition: 1, key: order.customer });

  const runs = [await consumer.consume(), await consumer.consume(), await consumer.consume()];

  expect(runs.map((r) => [r.firstOffset, r.lastOffset])).toEqual([
    [0, 24],
    [25, 49],
    [50, 59],
  ]);
  expect(consumer.pending).toBe(0);
  expect(consumer.markedOffset).toBe(60);
  expect(consumer.instance).toBeInstanceOf(OrdersConsumer);
  expect(consumer.instance).toMatchObject({ batches: 3, orders: 60, revenueCents: revenue(orders) });

  expect(kit.produced.map((m) => [m.topic, m.key])).toEqual(Array(3).fill([receiptsTopicFor('orders'), '1']));
  const receipts = kit.produced.map(receiptOf);
  expect(
    receipts.map((r) => [r.batchNo, r.firstOffset, r.lastOffset, r.orders, r.rejected, r.partitionOrders]),
  ).toEqual([
    [1, 0, 24, 25, 0, 25],
    [2, 25, 49, 25, 0, 50],
    [3, 50, 59, 10, 0, 60],
  ]);
  expect(receipts.map((r) => r.revenueCents)).toEqual([
    revenue(orders.slice(0, 25)),
    revenue(orders.slice(25, 50)),
    revenue(orders.slice(50)),
  ]);
  expect(receipts[2]?.partitionRevenueCents).toBe(revenue(orders));
  expect(receipts.every((r) => r.topic === 'orders' && r.partition === 1)).toBe(true);
});

test('partitions keep separate totals (one instance each)', async () => {
  const kit = createTestingKit(routes);
  const [a, b, c] = makeOrders(3);
  kit.produce('orders', a, { partition: 0 });
  kit.produce('orders', b, { partition: 2 });
  kit.produce('orders', c, { partition: 2 });
  const p0 = kit.consumerFor<OrdersConsumer>('orders', { partition: 0 });
  const p2 = kit.consumerFor<OrdersConsumer>('orders', { partition: 2 });
  await p0.consume();
  await p2.consume();
  expect(p0.instance.orders).toBe(1);
  expect(p2.instance.orders).toBe(2);
  expect(p0.produced.map(receiptOf)).toMatchObject([{ partition: 0, partitionOrders: 1, batchNo: 1 }]);
  expect(p2.produced.map(receiptOf)).toMatchObject([{ partition: 2, partitionOrders: 2, batchNo: 1 }]);
});

test('malformed orders (bad JSON, tombstone, no items) are counted as rejected; the batch still succeeds', async () => {
  const kit = createTestingKit(routes);
  const consumer = kit.consumerFor<OrdersConsumer>('orders');
  const [order] = makeOrders(1);
  consumer.feed([order, '{"id": 1, "items": [', null, { id: 2, customer: 'x', items: [] }]);
  await expect(consumer.consume()).resolves.toMatchObject({ markedOffset: 4 });
  expect(receiptOf(kit.produced[0])).toMatchObject({ orders: 1, rejected: 3, revenueCents: priceOrder(order) });
});

test('a receipt that cannot be produced fails the batch: nothing marked, and the retry counts the batch once (regression: totals were added before the receipt)', async () => {
  const kit = createTestingKit(routes);
  const consumer = kit.consumerFor<OrdersConsumer>('orders');
  consumer.feed(makeOrders(5));
  kit.failProducing(new Error('receipts topic unavailable'));
  await expect(consumer.consume()).rejects.toMatchObject({
    code: 'PRODUCER_UNAVAILABLE',
    message: 'receipts topic unavailable',
  });
  expect(consumer.markedOffset).toBeNull();
  expect(kit.produced).toHaveLength(0);

  kit.failProducing(null);
  await consumer.consume(); // the retry: same offsets again
  expect(consumer.markedOffset).toBe(5);
  expect(receiptOf(kit.produced[0])).toMatchObject({ firstOffset: 0, lastOffset: 4, orders: 5, rejected: 0 });
  // the failed attempt is not counted: totals move only once a receipt was acknowledged
  expect(receiptOf(kit.produced[0])).toMatchObject({ batchNo: 1, partitionOrders: 5 });
  expect(consumer.instance).toMatchObject({ batches: 1, orders: 5 });
});
