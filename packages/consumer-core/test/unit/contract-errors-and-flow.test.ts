// One test per contract rule of the error-handling and flow-control options (pause.*, a route's
// deadLetterQueue and periodic), asserting the message users see (path, rule, value).
import { App, type AppOptions } from '@decanter/consumer-core';
import { noopConsumer as consumer, problems, validOptions as valid } from './fixtures/contract-problems';

const producer = { produceSync: async () => ({ topic: 't', partition: 0, offset: '0' }), produceAsync: async () => ({ wait: async () => ({ topic: 't', partition: 0, offset: '0' }) }) };
const withTopic = (extra: Record<string, unknown>, withProducer = true): unknown => ({
  ...valid(),
  ...(withProducer ? { producer } : {}),
  routes: [{ topics: [{ topic: 'orders', consumer, ...extra }] }],
});

test('pause defaults: 1 s doubling up to 30 s', () => {
  const app = new App(valid());
  expect([app.options.pauseTimeoutMs, app.options.pauseMaxTimeoutMs, app.options.pauseWithExponentialBackoff]).toEqual([1_000, 30_000, true]);
});

test('Karafka names, snake_case and camelCase all set the pause options', () => {
  const dotted = new App({ ...valid(), 'pause.timeout': 10, 'pause.max_timeout': 80, 'pause.with_exponential_backoff': false });
  expect([dotted.options.pauseTimeoutMs, dotted.options.pauseMaxTimeoutMs, dotted.options.pauseWithExponentialBackoff]).toEqual([10, 80, false]);
  const snake = new App({ ...valid(), pause_timeout: 20, pause_max_timeout: 90, pause_with_exponential_backoff: false });
  expect([snake.options.pauseTimeoutMs, snake.options.pauseMaxTimeoutMs, snake.options.pauseWithExponentialBackoff]).toEqual([20, 90, false]);
  const camel = new App({ ...valid(), pauseTimeoutMs: 30, pauseMaxTimeoutMs: 100, pauseWithExponentialBackoff: true });
  expect([camel.options.pauseTimeoutMs, camel.options.pauseMaxTimeoutMs, camel.options.pauseWithExponentialBackoff]).toEqual([30, 100, true]);
});

test('a dead letter queue and periodic ticks resolve with their defaults', () => {
  const app = new App(withTopic({ deadLetterQueue: { topic: 'orders-dlq' }, periodic: true }) as AppOptions);
  const topic = app.routing[0]!.subscriptionGroups[0]!.topics[0]!;
  expect(topic.deadLetterQueue).toEqual({ topic: 'orders-dlq', maxRetries: 3, independent: false });
  expect(topic.periodicIntervalMs).toBe(5_000);
  const other = new App(withTopic({ dead_letter_queue: { topic: 'dlq', max_retries: 0, independent: true }, periodic: { interval: 250 } }) as AppOptions);
  const t2 = other.routing[0]!.subscriptionGroups[0]!.topics[0]!;
  expect(t2.deadLetterQueue).toEqual({ topic: 'dlq', maxRetries: 0, independent: true });
  expect(t2.periodicIntervalMs).toBe(250);
});

test.each<[string, unknown, string]>([
  ['pause.timeout', { ...valid(), 'pause.timeout': -1 }, "options['pause.timeout'] must be an integer >= 0 (got -1)"],
  ['pause.max_timeout', { ...valid(), 'pause.max_timeout': 'long' }, `options['pause.max_timeout'] must be an integer >= 0 (got "long")`],
  ['pause.with_exponential_backoff', { ...valid(), 'pause.with_exponential_backoff': 'yes' }, `options['pause.with_exponential_backoff'] must be a boolean (got "yes")`],
  ['pause alias conflict', { ...valid(), pauseTimeoutMs: 5, 'pause.timeout': 6 }, "options.pauseTimeoutMs conflicts with its alias options['pause.timeout'] (6) (got 5)"],
  ['backoff cap below timeout (cross-field)', { ...valid(), pauseTimeoutMs: 5_000, pauseMaxTimeoutMs: 1_000 }, 'options.pauseMaxTimeoutMs must be >= options.pauseTimeoutMs (5000) (backoff-cap-above-timeout) (got 1000)'],
  ['deadLetterQueue shape', withTopic({ deadLetterQueue: 'dlq' }), 'routes[0].topics[0].deadLetterQueue must be { topic, maxRetries?, independent? } (got "dlq")'],
  ['deadLetterQueue.topic', withTopic({ deadLetterQueue: { topic: 'bad topic' } }), 'routes[0].topics[0].deadLetterQueue.topic must be a Kafka topic name ([a-zA-Z0-9._-], 1-249 characters) (got "bad topic")'],
  ['deadLetterQueue.maxRetries', withTopic({ deadLetterQueue: { topic: 'dlq', maxRetries: -1 } }), 'routes[0].topics[0].deadLetterQueue.maxRetries must be an integer >= 0 (got -1)'],
  ['deadLetterQueue.independent', withTopic({ deadLetterQueue: { topic: 'dlq', independent: 1 } }), 'routes[0].topics[0].deadLetterQueue.independent must be a boolean (got 1)'],
  ['deadLetterQueue unknown key', withTopic({ deadLetterQueue: { topic: 'dlq', retries: 2 } }), 'routes[0].topics[0].deadLetterQueue.retries is not a known option (got 2)'],
  ['deadLetterQueue same topic', withTopic({ deadLetterQueue: { topic: 'orders' } }), 'routes[0].topics[0].deadLetterQueue.topic must differ from the route topic (dlq-not-source) (got "orders")'],
  ['deadLetterQueue without producer (cross-field)', withTopic({ deadLetterQueue: { topic: 'dlq' } }, false), 'routes[0].topics[0].deadLetterQueue needs the app option `producer` to produce to the DLQ topic (dlq-needs-producer) (got {"topic":"dlq","maxRetries":3,"independent":false})'],
  ['periodic shape', withTopic({ periodic: 5 }), 'routes[0].topics[0].periodic must be a boolean or { intervalMs } (got 5)'],
  ['periodic.intervalMs', withTopic({ periodic: { intervalMs: 0 } }), 'routes[0].topics[0].periodic.intervalMs must be an integer >= 1 (got 0)'],
])('%s', (_name, options, message) => {
  expect(problems(options)).toContain(message);
});
