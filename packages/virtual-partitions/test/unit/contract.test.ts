// The virtualPartitions key: every setting checked at construction, named by its full path; the
// defaults (maxPartitions = concurrency × concurrentJobsPerThread, clamped to 1024; consistent,
// metadata on).
import { join } from 'node:path';
import { App, ConfigurationError, type AppOptions } from '@decanter/consumer-core';
import { virtualPartitions } from '@decanter/virtual-partitions';

const consumer = { module: join(__dirname, 'fixtures', 'vp-consumers.ts'), export: 'ShareConsumer' };
const app = (vp: unknown, extra: Partial<AppOptions> = {}): App =>
  new App({ kafka: { 'bootstrap.servers': '127.0.0.1:9092', 'group.id': 'g' }, features: [virtualPartitions()], routes: [{ topics: [{ topic: 't', consumer, virtualPartitions: vp as never }] }], ...extra });
const problems = (vp: unknown): string[] => {
  try {
    app(vp);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).issues.map((i) => `${i.path} ${i.rule}`);
  }
  throw new Error('expected a ConfigurationError');
};

test('defaults: maxPartitions is concurrency × concurrentJobsPerThread, consistent, offset metadata on', () => {
  const topic = app({ partitioner: 'key' }, { concurrency: 3, concurrentJobsPerThread: 4 }).routing[0]!.subscriptionGroups[0]!.topics[0]!;
  expect(topic.virtualPartitions).toMatchObject({ partitioner: 'key', maxPartitions: 12, distribution: 'consistent', offsetMetadata: true, reducer: null });
});

// Regression: the default was not held to the 1024 an explicit maxPartitions is checked against,
// so valid App settings (concurrency 256 × concurrentJobsPerThread 8) gave 2048 shares
test.each([
  [256, 8, 1024],
  [64, 16, 1024],
  [63, 16, 1008],
])('the default maxPartitions is clamped to 1024: concurrency %i × concurrentJobsPerThread %i gives %i', (concurrency, concurrentJobsPerThread, expected) => {
  const topic = app({ partitioner: 'key' }, { concurrency, concurrentJobsPerThread }).routing[0]!.subscriptionGroups[0]!.topics[0]!;
  expect(topic.virtualPartitions?.maxPartitions).toBe(expected);
});

test('an explicit maxPartitions over 1024 is refused, not clamped', () => {
  expect(problems({ partitioner: 'key', maxPartitions: 1025 })).toContain('routes[0].topics[0].virtualPartitions.maxPartitions must be an integer between 1 and 1024');
});

test.each<[string, unknown, string]>([
  ['not an object', 'key', 'routes[0].topics[0].virtualPartitions must be { partitioner, maxPartitions?, reducer?, distribution?, offsetMetadata? }'],
  ['no partitioner', {}, 'routes[0].topics[0].virtualPartitions.partitioner is required'],
  ['an unknown partitioner', { partitioner: 'hash' }, "routes[0].topics[0].virtualPartitions.partitioner must be a function (message) => key, or one of 'key', 'round-robin', 'header:<name>'"],
  ['a header without a name', { partitioner: 'header:' }, "routes[0].topics[0].virtualPartitions.partitioner must be a function (message) => key, or one of 'key', 'round-robin', 'header:<name>'"],
  ['maxPartitions 0', { partitioner: 'key', maxPartitions: 0 }, 'routes[0].topics[0].virtualPartitions.maxPartitions must be an integer between 1 and 1024'],
  ['a reducer that is not a function', { partitioner: 'key', reducer: 3 }, 'routes[0].topics[0].virtualPartitions.reducer must be a function (key, count) => index'],
  ['an unknown distribution', { partitioner: 'key', distribution: 'random' }, 'routes[0].topics[0].virtualPartitions.distribution must be one of "consistent", "balanced"'],
  ['offsetMetadata not a boolean', { partitioner: 'key', offsetMetadata: 'yes' }, 'routes[0].topics[0].virtualPartitions.offsetMetadata must be a boolean'],
  ['a misspelt key', { partitioner: 'key', maxPartition: 2 }, "routes[0].topics[0].virtualPartitions.maxPartition is not a known option; did you mean 'maxPartitions'?"],
])('%s', (_name, vp, message) => {
  expect(problems(vp)).toContain(message);
});

test('snake_case aliases of the guide are accepted', () => {
  const topic = app({ partitioner: 'round-robin', max_partitions: 5, offset_metadata: false }).routing[0]!.subscriptionGroups[0]!.topics[0]!;
  expect(topic.virtualPartitions).toMatchObject({ maxPartitions: 5, offsetMetadata: false });
});

test('errors name the keys as written: virtual_partitions and max_partitions stay snake_case in the path', () => {
  let issues: string[] = [];
  try {
    new App({
      kafka: { 'bootstrap.servers': '127.0.0.1:9092', 'group.id': 'g' },
      features: [virtualPartitions()],
      routes: [{ topics: [{ topic: 't', consumer, virtual_partitions: { partitioner: 'key', max_partitions: 0 } } as never] }],
    });
  } catch (error) {
    issues = (error as ConfigurationError).issues.map((i) => `${i.path} ${i.rule}`);
  }
  expect(issues).toEqual(['routes[0].topics[0].virtual_partitions.max_partitions must be an integer between 1 and 1024']);
});
