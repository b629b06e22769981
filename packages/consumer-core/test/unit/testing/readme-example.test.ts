// Claim: the Jest example of the README's "Testing consumers" section passes as written (only the
// consumer module path differs: the quick-start consumer lives in fixtures/ here).
import { join } from 'node:path';
import { createTestingKit } from '@decanter/consumer-core/testing';
import { OrdersConsumer } from './fixtures/orders-consumer';

const routes = [
  {
    consumerGroup: 'orders-app',
    topics: [
      {
        topic: 'orders',
        consumer: { module: join(__dirname, 'fixtures', 'orders-consumer'), export: 'OrdersConsumer' },
      },
    ],
  },
];

test('counts orders across batches and marks them', async () => {
  const kit = createTestingKit(routes);
  const consumer = kit.consumerFor<OrdersConsumer>('orders', { partition: 0 });

  kit.produce('orders', { id: 'a', total: 10 }, { partition: 0, key: 'customer-1', headers: { source: 'web' } });
  consumer.feed([{ id: 'b', total: 5 }]); // same thing, straight into this consumer's partition
  const run = await consumer.consume();

  expect(run).toMatchObject({ size: 2, firstOffset: 0, lastOffset: 1 });
  expect(consumer.markedOffset).toBe(2); // next offset to commit
  expect(consumer.instance).toBeInstanceOf(OrdersConsumer); // your object; fields persist between consume() calls
  expect(kit.produced).toEqual([]); // what it sent through this.producer
  expect(consumer.instance.seen).toBe(2);
});
