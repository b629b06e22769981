// One test per contract rule, asserting the message users see (path, rule, value).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, ConfigurationError, type AppOptions } from '@decanter/consumer-core';
import { noopConsumer as consumer, problems, validOptions as valid } from './fixtures/contract-problems';

const withTopic = (extra: Record<string, unknown>): unknown => ({ ...valid(), routes: [{ topics: [{ topic: 'orders', consumer, ...extra }] }] });
const withKafka = (extra: Record<string, unknown>): unknown => ({ ...valid(), kafka: { ...valid().kafka, ...extra } });
const caFile = join(__dirname, 'fixtures', 'tls', 'ca.pem');

test('valid options construct an App with defaults applied', () => {
  const app = new App(valid());
  expect(app.options.concurrency).toBe(5);
  expect(app.options.maxMessages).toBe(100);
  expect(app.options.kafka.fetchWaitMaxMs).toBe(500);
  expect(Object.isFrozen(app.options)).toBe(true);
  expect(app.state).toBe('pending');
});

test('the librdkafka security settings become KafkaJS ssl and sasl; KafkaJS-style ssl and sasl win', () => {
  const app = new App(
    withKafka({
      'security.protocol': 'SASL_SSL',
      'sasl.mechanisms': 'SCRAM-SHA-256',
      'sasl.username': 'u',
      'sasl.password': 'p',
      'ssl.ca.location': caFile, // its text becomes the trusted CA
    }) as AppOptions,
  );
  expect(app.options.kafka.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'u', password: 'p' });
  expect(app.options.kafka.ssl).toEqual({ ca: [readFileSync(caFile, 'utf8')] });
  const own = new App(withKafka({ 'security.protocol': 'sasl_ssl', ssl: true, sasl: { mechanism: 'plain', username: 'a', password: 'b' } }) as AppOptions);
  expect(own.options.kafka.ssl).toBe(true);
  expect(own.options.kafka.sasl).toEqual({ mechanism: 'plain', username: 'a', password: 'b' });
  expect(new App(valid()).options.kafka.ssl).toBeUndefined();
});

test("the Java client's names are accepted where they mean the same, in the kafka block and a route's overrides", () => {
  const app = new App({
    ...valid(),
    kafka: { ...valid().kafka, 'fetch.max.wait.ms': 250, 'max.partition.fetch.bytes': 65_536, 'security.protocol': 'sasl_plaintext', 'sasl.mechanism': 'PLAIN', 'sasl.username': 'u', 'sasl.password': 'p' },
    routes: [{ topics: [{ topic: 'orders', consumer, kafka: { 'fetch.max.wait.ms': 50 } }] }],
  });
  expect([app.options.kafka.fetchWaitMaxMs, app.options.kafka.fetchMessageMaxBytes]).toEqual([250, 65_536]);
  expect(app.options.kafka.sasl).toEqual({ mechanism: 'plain', username: 'u', password: 'p' });
  const topic = app.routing[0]!.subscriptionGroups[0]!.topics[0]!;
  expect(topic.fetch.fetchWaitMaxMs).toBe(50);
  // both names with the same value is no conflict
  expect(new App(withKafka({ 'fetch.wait.max.ms': 100, 'fetch.max.wait.ms': 100 }) as AppOptions).options.kafka.fetchWaitMaxMs).toBe(100);
});

test('guide spellings are accepted', () => {
  const app = new App({ ...valid(), max_messages: 7, max_wait_time: 70, shutdown_timeout: 700 });
  expect([app.options.maxMessages, app.options.maxWaitTimeMs, app.options.shutdownTimeoutMs]).toEqual([7, 70, 700]);
});

test.each<[string, unknown, string]>([
  ['unknown option', { ...valid(), speed: 1 }, 'options.speed is not a known option (got 1)'],
  ['concurrency', { ...valid(), concurrency: 0 }, 'options.concurrency must be an integer between 1 and 256 (got 0)'],
  ['maxMessages', { ...valid(), maxMessages: 0 }, 'options.maxMessages must be an integer >= 1 (got 0)'],
  ['max_messages alias', { ...valid(), max_messages: 1.5 }, 'options.max_messages must be an integer >= 1 (got 1.5)'],
  ['alias conflict', { ...valid(), maxMessages: 5, max_messages: 6 }, 'options.maxMessages conflicts with its alias options.max_messages (6) (got 5)'],
  ['maxWaitTimeMs', { ...valid(), maxWaitTimeMs: -1 }, 'options.maxWaitTimeMs must be an integer >= 1 (got -1)'],
  ['shutdownTimeoutMs', { ...valid(), shutdown_timeout: 'soon' }, 'options.shutdown_timeout must be an integer >= 0 (got "soon")'],
  ['pauseTimeoutMs', { ...valid(), pauseTimeoutMs: -5 }, 'options.pauseTimeoutMs must be an integer >= 0 (got -5)'],
  ['logger', { ...valid(), logger: 'yes' }, 'options.logger must be a boolean or an object with info/warn/error methods (got "yes")'],
  ['producer', { ...valid(), producer: {} }, 'options.producer must be a producer with produceSync/produceAsync (an @decanter/producer Producer) (got {})'],
  ['kafka missing', { routes: valid().routes }, 'options.kafka is required (got undefined)'],
  ['bootstrap.servers missing', { ...valid(), kafka: { 'group.id': 'g' } }, "options.kafka['bootstrap.servers'] is required (got undefined)"],
  ['bootstrap.servers format', withKafka({ 'bootstrap.servers': 'localhost' }), "options.kafka['bootstrap.servers'] must be 'host:port' entries, comma-separated or an array (got \"localhost\")"],
  ['unknown kafka key', withKafka({ 'frobnicate.ms': 5 }), "options.kafka['frobnicate.ms'] is not a known setting (the list: https://github.com/decanter-kafka/decanter/blob/main/docs/consumer.md#the-kafka-block) (got 5)"],
  ['misspelt kafka key', withKafka({ 'auto.offset.rest': 'earliest' }), "options.kafka['auto.offset.rest'] is not a known setting; did you mean 'auto.offset.reset'? (got \"earliest\")"],
  ['misspelt option', { ...valid(), maxMesages: 5 }, "options.maxMesages is not a known option; did you mean 'maxMessages'? (got 5)"],
  ['Java name with another meaning', withKafka({ 'max.poll.records': 500 }), "options.kafka['max.poll.records'] is not a known setting: the Java client's poll returns what is there; the option maxMessages is the most one poll hands out, and a poll waits up to maxWaitTimeMs to fill it (got 500)"],
  ['producer setting on the consumer', withKafka({ 'linger.ms': 5 }), "options.kafka['linger.ms'] is not a known setting (the list: "],
  ['Java alias checked by its rule', withKafka({ 'fetch.max.wait.ms': -1 }), "options.kafka['fetch.max.wait.ms'] must be an integer >= 0 (got -1)"],
  ['Java alias conflict', withKafka({ 'fetch.wait.max.ms': 100, 'fetch.max.wait.ms': 200 }), "options.kafka['fetch.wait.max.ms'] conflicts with its alias options.kafka['fetch.max.wait.ms'] (200) (got 100)"],
  ['Java alias in a cross-field rule', withKafka({ 'max.partition.fetch.bytes': 2000, 'fetch.max.bytes': 1000 }), "options.kafka['max.partition.fetch.bytes'] must not exceed options.kafka['fetch.max.bytes'] (partition-fetch-within-fetch) (got 2000)"],
  ['sasl.mechanism alias conflict', withKafka({ 'security.protocol': 'sasl_ssl', 'sasl.mechanisms': 'PLAIN', 'sasl.mechanism': 'SCRAM-SHA-512', 'sasl.username': 'u', 'sasl.password': 'p' }), "options.kafka['sasl.mechanisms'] conflicts with its alias options.kafka['sasl.mechanism'] (\"SCRAM-SHA-512\") (got \"PLAIN\")"],
  ['fetch.wait.max.ms', withKafka({ 'fetch.wait.max.ms': -1 }), "options.kafka['fetch.wait.max.ms'] must be an integer >= 0 (got -1)"],
  ['fetch.min.bytes', withKafka({ 'fetch.min.bytes': 0 }), "options.kafka['fetch.min.bytes'] must be an integer >= 1 (got 0)"],
  ['fetch.message.max.bytes', withKafka({ 'fetch.message.max.bytes': '1MB' }), "options.kafka['fetch.message.max.bytes'] must be an integer >= 1 (got \"1MB\")"],
  ['queued.max.messages.kbytes', withKafka({ 'queued.max.messages.kbytes': 0 }), "options.kafka['queued.max.messages.kbytes'] must be an integer >= 1 (got 0)"],
  ['enable.partition.eof', withKafka({ 'enable.partition.eof': 'true' }), "options.kafka['enable.partition.eof'] must be a boolean (got \"true\")"],
  ['auto.offset.reset', withKafka({ 'auto.offset.reset': 'smallest' }), "options.kafka['auto.offset.reset'] must be one of \"earliest\", \"latest\" (got \"smallest\")"],
  ['isolation.level', withKafka({ 'isolation.level': 'dirty' }), "options.kafka['isolation.level'] must be one of \"read_committed\", \"read_uncommitted\" (got \"dirty\")"],
  ['heartbeat below session (cross-field)', withKafka({ 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 6000 }), "options.kafka['heartbeat.interval.ms'] must be lower than options.kafka['session.timeout.ms'] (heartbeat-below-session) (got 6000)"],
  ['partition fetch within fetch (cross-field)', withKafka({ 'fetch.message.max.bytes': 2000, 'fetch.max.bytes': 1000 }), "options.kafka['fetch.message.max.bytes'] must not exceed options.kafka['fetch.max.bytes'] (partition-fetch-within-fetch) (got 2000)"],
  ['sasl', withKafka({ sasl: { username: 'u' } }), "options.kafka.sasl must be KafkaJS SASL options with a mechanism (got {\"username\":\"u\"})"],
  ['security.protocol', withKafka({ 'security.protocol': 'tls' }), 'options.kafka[\'security.protocol\'] must be one of "plaintext", "ssl", "sasl_plaintext", "sasl_ssl" (in any case) (got "tls")'],
  ['sasl_ssl needs a mechanism (cross-field)', withKafka({ 'security.protocol': 'SASL_SSL' }), "options.kafka['sasl.mechanisms'] is required with options.kafka['security.protocol'] \"SASL_SSL\" (or pass KafkaJS sasl options) (got undefined)"],
  ['ssl.* needs TLS (cross-field)', withKafka({ 'ssl.ca.location': '/ca.pem' }), "options.kafka['ssl.ca.location'] has no effect unless options.kafka['security.protocol'] is 'ssl' or 'sasl_ssl' (got \"/ca.pem\")"],
  ['ssl.ca.location unreadable', withKafka({ 'security.protocol': 'ssl', 'ssl.ca.location': '/no/such/ca.pem' }), "options.kafka['ssl.ca.location'] must name a readable PEM file (ENOENT) (got \"/no/such/ca.pem\")"],
  ['routes empty', { ...valid(), routes: [] }, 'routes must be a non-empty array of consumer group routes (got [])'],
  ['consumer group id missing', { ...valid(), kafka: { 'bootstrap.servers': '127.0.0.1:9092' } }, "routes[0].consumerGroup is required when kafka['group.id'] is not set (got undefined)"],
  ['topics empty', { ...valid(), routes: [{ topics: [] }] }, 'routes[0].topics must be a non-empty array of topic routes (got [])'],
  ['topic name', withTopic({ topic: 'bad topic' }), 'routes[0].topics[0].topic must be a Kafka topic name ([a-zA-Z0-9._-], 1-249 characters) (got "bad topic")'],
  ['unknown topic key', withTopic({ retries: 3 }), 'routes[0].topics[0].retries is not a known option (got 3)'],
  ['consumer module relative', withTopic({ consumer: { module: './orders', export: 'X' } }), 'routes[0].topics[0].consumer.module must be an absolute path or a file: URL (CommonJS: join(__dirname, \'orders-consumer\'); ES module: new URL(\'./orders-consumer.js\', import.meta.url)) (got "./orders")'],
  ['consumer module not a file: URL', withTopic({ consumer: { module: 'https://example.com/orders.js', export: 'X' } }), 'routes[0].topics[0].consumer.module must be an absolute path or a file: URL (CommonJS: join(__dirname, \'orders-consumer\'); ES module: new URL(\'./orders-consumer.js\', import.meta.url)) (got "https://example.com/orders.js")'],
  ['consumer module missing', withTopic({ consumer: { module: '/nope/orders-consumer', export: 'X' } }), 'routes[0].topics[0].consumer.module must name an existing .js, .mjs, .cjs, .ts, .mts or .cts file (got "/nope/orders-consumer")'],
  ['consumer not a reference', withTopic({ consumer: 'OrdersConsumer' }), 'routes[0].topics[0].consumer must be { module, export? } naming a module file and its export (got "OrdersConsumer")'],
  ['max_wait_time alias', { ...valid(), max_wait_time: -5 }, 'options.max_wait_time must be an integer >= 1 (got -5)'],
  ['pause.timeout alias', { ...valid(), 'pause.timeout': -1 }, "options['pause.timeout'] must be an integer >= 0 (got -1)"],
  ['topic maxMessages', withTopic({ max_messages: 0 }), 'routes[0].topics[0].max_messages must be an integer >= 1 (got 0)'],
  ['topic initialOffset', withTopic({ initialOffset: 'beginning' }), 'routes[0].topics[0].initialOffset must be one of "earliest", "latest" (got "beginning")'],
  ['topic deserializer', withTopic({ deserializer: 'avro' }), 'routes[0].topics[0].deserializer must be one of "json", "string", "raw" (got "avro")'],
  ['topic active', withTopic({ active: 'no' }), 'routes[0].topics[0].active must be a boolean (got "no")'],
  ['topic manualOffsetManagement', withTopic({ manualOffsetManagement: 1 }), 'routes[0].topics[0].manualOffsetManagement must be a boolean (got 1)'],
  ['topic kafka override', withTopic({ kafka: { 'fetch.min.bytes': 0 } }), "routes[0].topics[0].kafka['fetch.min.bytes'] must be an integer >= 1 (got 0)"],
  ['topic kafka unknown key', withTopic({ kafka: { 'session.timeout.ms': 1 } }), "routes[0].topics[0].kafka['session.timeout.ms'] is not a known setting (got 1)"],
  ['topic kafka misspelt key', withTopic({ kafka: { 'fetch.min.byte': 1 } }), "routes[0].topics[0].kafka['fetch.min.byte'] is not a known setting; did you mean 'fetch.min.bytes'? (got 1)"],
  ['topic kafka Java alias', withTopic({ kafka: { 'max.partition.fetch.bytes': 0 } }), "routes[0].topics[0].kafka['max.partition.fetch.bytes'] must be an integer >= 1 (got 0)"],
  ['topic kafka alias conflict', withTopic({ kafka: { 'fetch.wait.max.ms': 1, 'fetch.max.wait.ms': 2 } }), "routes[0].topics[0].kafka['fetch.wait.max.ms'] conflicts with its alias routes[0].topics[0].kafka['fetch.max.wait.ms'] (2) (got 1)"],
  ['misspelt topic key', withTopic({ maxMesages: 3 }), "routes[0].topics[0].maxMesages is not a known option; did you mean 'maxMessages'? (got 3)"],
  ['dotted unknown topic key', withTopic({ 'max.messages': 3 }), "routes[0].topics[0]['max.messages'] is not a known option"],
  [
    'duplicate topic',
    { ...valid(), routes: [{ topics: [{ topic: 'a', consumer }, { topic: 'a', consumer }] }] },
    'routes[0].topics[1].topic must appear once per consumer group (got "a")',
  ],
  [
    'duplicate consumer group',
    { ...valid(), routes: [{ consumerGroup: 'x', topics: [{ topic: 'a', consumer }] }, { consumerGroup: 'x', topics: [{ topic: 'b', consumer }] }] },
    'routes[1].consumerGroup must be unique across routes (got "x")',
  ],
  ['no active topic', withTopic({ active: false }), 'routes must contain at least one active topic (got [{"topics":[{"topic":"orders","consumer":{"module":'],
])('rule: %s', (_name, options, expected) => {
  const found = problems(options);
  expect(found.some((p) => p.startsWith(expected))).toBe(true);
  if (!found.some((p) => p.startsWith(expected))) throw new Error(found.join('\n'));
});

test('every bad key is reported at once, in one error message', () => {
  try {
    new App({ ...valid(), concurrency: 0, maxMessages: 0, kafka: { 'bootstrap.servers': 'x', 'group.id': 'g', 'fetch.min.bytes': 0 } } as unknown as AppOptions);
    throw new Error('expected a ConfigurationError');
  } catch (error) {
    const e = error as ConfigurationError;
    expect(e.code).toBe('CONFIGURATION_INVALID');
    expect(e.issues.map((i) => i.path)).toEqual([
      'options.concurrency',
      'options.maxMessages',
      "options.kafka['bootstrap.servers']",
      "options.kafka['fetch.min.bytes']",
    ]);
    expect(e.message).toContain('4 problems');
    expect(e.message).toContain('options.concurrency must be an integer between 1 and 256 (got 0)');
  }
});
