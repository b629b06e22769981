import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type TopicRouteDefinition } from '@decanter/consumer-core';

const consumer = { module: join(__dirname, '..', 'fixtures', 'noop-consumer'), export: 'NoopConsumer' };
const app = (topics: TopicRouteDefinition[], extra: object = {}): App =>
  new App({ kafka: { 'bootstrap.servers': '127.0.0.1:9092', 'group.id': 'g' }, routes: [{ topics }], ...extra });

test('topics with equal settings share one subscription group', () => {
  const { routing } = app([
    { topic: 'a', consumer },
    { topic: 'b', consumer },
  ]);
  expect(routing).toHaveLength(1);
  expect(routing[0]!.subscriptionGroups.map((sg) => [sg.id, sg.topics.map((t) => t.name)])).toEqual([['default', ['a', 'b']]]);
});

test('different fetch or poll settings split subscription groups automatically', () => {
  const { routing } = app([
    { topic: 'a', consumer },
    { topic: 'b', consumer, maxMessages: 5 },
    { topic: 'c', consumer, kafka: { 'fetch.wait.max.ms': 10 } },
    { topic: 'd', consumer, max_messages: 5 },
  ]);
  const groups = routing[0]!.subscriptionGroups;
  expect(groups.map((sg) => [sg.id, sg.topics.map((t) => t.name)])).toEqual([
    ['default', ['a']],
    ['default_1', ['b', 'd']],
    ['default_2', ['c']],
  ]);
  expect(groups[1]!.maxMessages).toBe(5);
  expect(groups[2]!.fetch.fetchWaitMaxMs).toBe(10);
  expect(groups[0]!.fetch.fetchWaitMaxMs).toBe(500);
});

test('a named subscription group is kept apart', () => {
  const { routing } = app([
    { topic: 'a', consumer },
    { topic: 'b', consumer, subscriptionGroup: 'slow' },
  ]);
  expect(routing[0]!.subscriptionGroups.map((sg) => sg.id)).toEqual(['default', 'slow']);
});

test('per-topic settings and defaults are resolved', () => {
  const { routing } = app([{ topic: 'a', consumer, initial_offset: 'latest', deserializer: 'string', manual_offset_management: true }], {
    maxWaitTimeMs: 250,
  });
  const topic = routing[0]!.subscriptionGroups[0]!.topics[0]!;
  expect(topic).toMatchObject({
    name: 'a',
    consumerGroup: 'g',
    subscriptionGroup: 'default',
    initialOffset: 'latest',
    deserializer: 'string',
    manualOffsetManagement: true,
    maxWaitTimeMs: 250,
    maxMessages: 100,
    active: true,
    routePath: 'routes[0].topics[0]',
  });
  expect(topic.consumer.module.endsWith('noop-consumer.ts')).toBe(true);
  expect(topic.consumer.export).toBe('NoopConsumer');
});

// regression (issue 15): a file: URL was refused with a hint to use __dirname, which ES modules do not have
test('a consumer module given as a file: URL (string or URL object, the import.meta.url way) resolves to the file', () => {
  const file = join(__dirname, '..', 'fixtures', 'noop-consumer.ts');
  const { routing } = app([
    { topic: 'a', consumer: { module: pathToFileURL(file).href, export: 'NoopConsumer' } },
    { topic: 'b', consumer: { module: new URL('../fixtures/noop-consumer', pathToFileURL(__filename)), export: 'NoopConsumer' } },
  ]);
  expect(routing[0]!.subscriptionGroups[0]!.topics.map((t) => t.consumer.module)).toEqual([file, file]);
});

test('inactive topics are not subscribed', () => {
  const { routing } = app([
    { topic: 'a', consumer },
    { topic: 'b', consumer, active: false },
  ]);
  expect(routing[0]!.subscriptionGroups[0]!.topics.map((t) => t.name)).toEqual(['a']);
});
