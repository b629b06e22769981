// Claim: a testing kit is built from the same routes (or App, or App options) as production and
// checked by the same contract; it feeds only routed topics and hands out one consumer per
// consumer group, topic and partition.
import { join } from 'node:path';
import { App, ConfigurationError, type RoutesDefinition } from '@decanter/consumer-core';
import { createTestingKit, FakeProducer, TESTING_CONSUMER_GROUP } from '@decanter/consumer-core/testing';
import { Producer } from '@decanter/producer';
import { CollectingConsumer } from './fixtures/kit-consumers';

const fixtures = join(__dirname, 'fixtures', 'kit-consumers');
const routes: RoutesDefinition = [
  { topics: [{ topic: 'orders', consumer: { module: fixtures, export: 'CollectingConsumer' } }] },
];

test('bare routes without a consumer group get the testing group', async () => {
  const consumer = createTestingKit(routes).consumerFor<CollectingConsumer>('orders');
  expect(consumer.consumerGroup).toBe(TESTING_CONSUMER_GROUP);
  consumer.feed([{ id: 1 }]);
  await consumer.consume();
  expect(consumer.instance).toBeInstanceOf(CollectingConsumer);
  expect(consumer.instance.identity).toEqual([`${TESTING_CONSUMER_GROUP}/orders/0`]);
});

test('App options and an App (never started) give the routes and group of production', async () => {
  const options = {
    kafka: { 'bootstrap.servers': '127.0.0.1:1', 'group.id': 'shop' },
    routes: [
      { topics: [{ topic: 'orders', consumer: { module: fixtures, export: 'CollectingConsumer' }, maxMessages: 2 }] },
    ],
  };
  for (const source of [options, new App(options)]) {
    const kit = createTestingKit(source);
    const consumer = kit.consumerFor<CollectingConsumer>('orders', { partition: 4 });
    for (let i = 0; i < 3; i++) kit.produce('orders', { i }, { partition: 4 });
    await consumer.consume();
    expect(consumer.instance.identity).toEqual(['shop/orders/4']);
    expect(consumer.instance.batches.map((b) => b.size)).toEqual([2]); // the route's maxMessages
  }
});

test('bad routes throw the same ConfigurationError as new App()', () => {
  const bad = [
    { topics: [{ topic: 'bad topic!', consumer: { module: 'relative/path' }, maxMessages: 0 }] },
  ] as RoutesDefinition;
  expect(() => createTestingKit(bad)).toThrow(ConfigurationError);
  expect(() => createTestingKit(bad)).toThrow(/routes\[0\]\.topics\[0\]\.topic must be a Kafka topic name/);
  expect(() => createTestingKit(bad)).toThrow(/routes\[0\]\.topics\[0\]\.consumer\.module must be an absolute path/);
  expect(() => createTestingKit(bad)).toThrow(
    /routes\[0\]\.topics\[0\]\.maxMessages must be an integer >= 1 \(got 0\)/,
  );
});

test('only routed, active topics can be fed or consumed', () => {
  const kit = createTestingKit([
    {
      topics: [
        { topic: 'orders', consumer: { module: fixtures, export: 'CollectingConsumer' } },
        { topic: 'archived', consumer: { module: fixtures, export: 'CollectingConsumer' }, active: false },
      ],
    },
  ]);
  expect(() => kit.produce('payments', {})).toThrow(
    "Topic 'payments' is not routed to any active consumer (routed topics: orders)",
  );
  expect(() => kit.consumerFor('archived')).toThrow("Topic 'archived' is not routed");
  expect(() => kit.produce('orders', {}, { partition: -1 })).toThrow('partition must be an integer >= 0 (got -1)');
});

test('one consumer per group/topic/partition; a topic in two groups needs the group named', async () => {
  const kit = createTestingKit([
    {
      consumerGroup: 'billing',
      topics: [{ topic: 'orders', consumer: { module: fixtures, export: 'CollectingConsumer' } }],
    },
    {
      consumerGroup: 'shipping',
      topics: [{ topic: 'orders', consumer: { module: fixtures, export: 'CollectingConsumer' } }],
    },
  ]);
  expect(() => kit.consumerFor('orders')).toThrow(
    "Topic 'orders' is routed in several consumer groups (billing, shipping): pass { consumerGroup }",
  );
  expect(() => kit.consumerFor('orders', { consumerGroup: 'audit' })).toThrow(
    "Consumer group 'audit' does not route topic 'orders'",
  );
  const billing = kit.consumerFor<CollectingConsumer>('orders', { consumerGroup: 'billing' });
  expect(kit.consumerFor('orders', { consumerGroup: 'billing' })).toBe(billing);
  const shipping = kit.consumerFor<CollectingConsumer>('orders', { consumerGroup: 'shipping' });
  expect(shipping).not.toBe(billing);
  expect(kit.consumerFor('orders', { consumerGroup: 'billing', partition: 1 })).not.toBe(billing);

  // both groups read the same partition log, each at its own position
  kit.produce('orders', { n: 1 });
  await billing.consume();
  kit.produce('orders', { n: 2 });
  await billing.consume();
  await shipping.consume();
  expect(billing.instance.seen.map((s) => s.payload)).toEqual([{ n: 1 }, { n: 2 }]);
  expect(shipping.instance.seen.map((s) => s.payload)).toEqual([{ n: 1 }, { n: 2 }]);
  expect(shipping.instance).not.toBe(billing.instance);
});

test('kit.shutdown() runs shutdown() on every instance it created', async () => {
  const kit = createTestingKit(routes);
  const a = kit.consumerFor<CollectingConsumer>('orders', { partition: 0 });
  const b = kit.consumerFor<CollectingConsumer>('orders', { partition: 1 });
  const ia = a.instance;
  const ib = b.instance;
  await kit.shutdown();
  expect(ia.hooks).toEqual(['shutdown']);
  expect(ib.hooks).toEqual(['shutdown']);
});

test('a route whose export is not a Consumer class fails with the boot-time message on first use', async () => {
  const kit = createTestingKit([{ topics: [{ topic: 'orders', consumer: { module: fixtures, export: 'shout' } }] }]);
  const consumer = kit.consumerFor('orders');
  consumer.feed([1]);
  await expect(consumer.consume()).rejects.toThrow(
    `Export 'shout' of ${fixtures}.ts is not a class extending Consumer`,
  );
});

test('@decanter/consumer-core/testing also offers FakeProducer, a Producer for code outside consumers and for App options', async () => {
  const producer = new FakeProducer();
  expect(producer).toBeInstanceOf(Producer);
  // an App takes it as its producer (the contract checks produceSync/produceAsync)
  const app = new App({
    kafka: { 'bootstrap.servers': '127.0.0.1:9092', 'group.id': 'g' },
    routes,
    producer,
  });
  expect(app.options.producer).toBe(producer);
  await producer.produceSync({ topic: 'audit', payload: 'x' });
  expect(producer.produced).toEqual([{ topic: 'audit', payload: 'x' }]);
  await producer.close();
});
