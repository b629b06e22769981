// The feature registry at construction: unique feature names and route keys, a key of a feature
// that is not registered naming the package to register, a registered feature's contract errors
// with their full paths, one strategy per topic, subscription group keys, and route types that
// grow with the registered features (declaration merging, checked by the type-check of the tests).
import { App, type AppOptions, type TopicRouteDefinition } from '@decanter/consumer-core';
import type { Feature } from '@decanter/consumer-core/features';
import { noopConsumer as consumer, problems, validOptions } from '../fixtures/contract-problems';
import { shards } from './fixtures/shards-feature';

const withRoutes = (topics: unknown[], extra: Record<string, unknown> = {}): unknown => ({ ...validOptions(), ...extra, routes: [{ topics, ...(extra['route'] as object) }] });

test('a registered feature adds its keys: the route is accepted and resolved under the key', () => {
  const app = new App({ ...validOptions(), features: [shards()], routes: [{ topics: [{ topic: 'orders', consumer, shards: { count: 3 } }] }] });
  const topic = app.routing[0]!.subscriptionGroups[0]!.topics[0]!;
  expect(topic.shards).toEqual({ count: 3 });
  expect(app.features.features.map((f) => f.name)).toEqual(['shards', 'partition-eof', 'periodic-ticks', 'dead-letter-queue', 'manual-offset-management']);
});

test("a key of one of Decanter's feature packages that is not registered names the package to register", () => {
  expect(problems(withRoutes([{ topic: 'orders', consumer, virtualPartitions: { partitioner: 'key' } }]))).toEqual([
    "routes[0].topics[0].virtualPartitions belongs to the feature 'virtual-partitions', which is not registered: add features: [virtualPartitions()] from @decanter/virtual-partitions to the App options (got {\"partitioner\":\"key\"})",
  ]);
  expect(problems({ ...validOptions(), routes: [{ topics: [{ topic: 'orders', consumer }], subscriptionGroups: { default: { multiplexing: { min: 2 } } } }] })).toEqual([
    "routes[0].subscriptionGroups.default.multiplexing belongs to the feature 'multiplexing', which is not registered: add features: [multiplexing()] from @decanter/multiplexing to the App options (got {\"min\":2})",
  ]);
});

test('a misspelt key of a registered feature is still not a known option', () => {
  expect(problems(withRoutes([{ topic: 'orders', consumer, shard: { count: 3 } }], { features: [shards()] }))).toEqual([
    `routes[0].topics[0].shard is not a known option; did you mean 'shards'? (got {"count":3})`,
  ]);
});

test("a feature's contract reports its errors with their full paths", () => {
  expect(problems(withRoutes([{ topic: 'orders', consumer, shards: { count: 0, size: 2 } }], { features: [shards()] }))).toEqual([
    'routes[0].topics[0].shards.size is not a known option (got 2)',
    'routes[0].topics[0].shards.count must be an integer >= 1 (got 0)',
  ]);
});

test('two features with one name, or a registered feature named like a built-in one, are refused', () => {
  expect(problems({ ...validOptions(), features: [shards(), shards()] })).toEqual(
    expect.arrayContaining(["options.features[1].name must be unique: options.features[0] is already named 'shards' (got \"shards\")"]),
  );
  expect(problems({ ...validOptions(), features: [shards('dead-letter-queue')] })).toContain(
    "options.features[0].name must be unique: built-in feature 'dead-letter-queue' is already named 'dead-letter-queue' (got \"dead-letter-queue\")",
  );
});

test("two features may not own one route key, nor take one of the core's", () => {
  const again: Feature = { ...shards('shards-again'), strategy: undefined };
  expect(problems({ ...validOptions(), features: [shards(), again] })).toEqual([
    "options.features[1].routes[0].key must be unique: 'shards' is a key of the feature 'shards' (got \"shards\")",
    "options.features[1].routes[1].key must be unique: 'lanes' is a key of the feature 'shards' (got \"lanes\")",
  ]);
  const greedy: Feature = { name: 'greedy', routes: [{ key: 'topic', level: 'topic', resolve: () => null }] };
  expect(problems({ ...validOptions(), features: [greedy] })).toEqual([
    "options.features[0].routes[0].key must not be one of Decanter's own topic route keys (got \"topic\")",
  ]);
});

test('a malformed feature is refused naming what is wrong', () => {
  expect(problems({ ...validOptions(), features: 'shards' })).toEqual(['options.features must be an array of features (e.g. [virtualPartitions()]) (got "shards")']);
  expect(problems({ ...validOptions(), features: [{ name: '', strategy: 1, colour: 'red' }] })).toEqual([
    'options.features[0].colour is not a known option (got "red")',
    'options.features[0].name must be a non-empty string (got "")',
    'options.features[0].strategy must be a function (got 1)',
  ]);
});

test('a topic is claimed by one strategy at most', () => {
  const rival: Feature = { name: 'rival', strategy: (topic) => (topic.shards == null ? null : { ...shards().strategy!(topic)!, name: 'rival' }) };
  expect(problems(withRoutes([{ topic: 'orders', consumer, shards: { count: 2 } }], { features: [shards(), rival] }))).toEqual([
    "routes[0].topics[0] must be claimed by one feature's strategy at most (claimed by 'shards' and 'rival') (got \"orders\")",
  ]);
  const app = new App({ ...validOptions(), features: [shards()], routes: [{ topics: [{ topic: 'orders', consumer, shards: { count: 2 } }, { topic: 'plain', consumer }] }] });
  const [sharded, plain] = app.routing[0]!.subscriptionGroups[0]!.topics;
  expect([app.features.claimants(sharded!).map((c) => c.strategy.name), app.features.claimants(plain!).length]).toEqual([['shards'], 0]);
});

test('subscription group keys resolve onto the subscription group; a name no topic uses is refused', () => {
  const app = new App({
    ...validOptions(),
    features: [shards()],
    routes: [{ topics: [{ topic: 'orders', consumer }, { topic: 'events', consumer, subscriptionGroup: 'fast' }], subscriptionGroups: { fast: { lanes: 4 } } }],
  });
  expect(app.routing[0]!.subscriptionGroups.map((sg) => [sg.id, sg.lanes])).toEqual([
    ['default', 1],
    ['fast', 4],
  ]);
  expect(
    problems({ ...validOptions(), features: [shards()], routes: [{ topics: [{ topic: 'orders', consumer }], subscriptionGroups: { slow: { lanes: 2 }, default: { lanes: 9 } } }] }),
  ).toEqual([
    "routes[0].subscriptionGroups.slow must be the subscription group of a topic in this consumer group (topics use: 'default') (got {\"lanes\":2})",
    'routes[0].subscriptionGroups.default.lanes must be an integer between 1 and 8 (got 9)',
  ]);
});

test('route types grow with the features: a typed routing table is checked with their keys', () => {
  // compiled by the repo's type-check (pnpm typecheck): the merged interfaces from the fixture
  const route: TopicRouteDefinition = { topic: 'orders', consumer, shards: { count: 2 }, deadLetterQueue: { topic: 'dlq' }, manualOffsetManagement: true, periodic: { intervalMs: 5 } };
  // @ts-expect-error -- a feature's key is typed: count must be a number
  const wrong: TopicRouteDefinition = { topic: 'orders', consumer, shards: { count: 'two' } };
  // @ts-expect-error -- a misspelt key does not compile
  const misspelt: TopicRouteDefinition = { topic: 'orders', consumer, deadLetterQueu: { topic: 'dlq' } };
  const options: AppOptions = { ...validOptions(), routes: [{ topics: [route], subscriptionGroups: { default: { lanes: 2 } } }] };
  expect([wrong, misspelt, options].length).toBe(3);
});
