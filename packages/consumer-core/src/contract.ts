// The contract of AppOptions: checks every key once at construction, reports every problem in one
// ConfigurationError (path, rule, value), and returns the frozen resolved options and routing.
// Nothing here runs per message.
import { configPath, resolveAliases, resolveSecuritySettings, SECURITY_SETTING_ALIASES, SECURITY_SETTING_KEYS, type SecuritySettings } from '@decanter/producer';
import { ConfigurationError } from './errors';
import { IssueList, isBoolean, isInteger, isNonEmptyString, isOneOf, isPlainObject } from './contract-rules';
import type { LoggerLike } from './instrumentation/logger-listener';
import {
  defaultAppOptions,
  defaultKafkaSettings,
  kafkaSettingAliases,
  kafkaSettingHints,
  type AppOptions,
  type ConsumerProducerTarget,
  type ResolvedAppOptions,
  type ResolvedKafkaSettings,
} from './options';
import type { ConsumerGroup } from './routing/consumer-group';
import { FeatureSet } from './features/feature-set';
import { buildRouting, TOPIC_KEYS } from './routing/router';

const APP_KEYS = [
  'id',
  'kafka',
  'routes',
  'concurrency',
  'maxMessages',
  'max_messages',
  'maxWaitTimeMs',
  'max_wait_time',
  'shutdownTimeoutMs',
  'shutdown_timeout',
  'pauseTimeoutMs',
  'pause_timeout',
  'pause.timeout',
  'pauseMaxTimeoutMs',
  'pause_max_timeout',
  'pause.max_timeout',
  'pauseWithExponentialBackoff',
  'pause_with_exponential_backoff',
  'pause.with_exponential_backoff',
  'rebalanceDrainTimeoutMs',
  'rebalance_drain_timeout',
  'logger',
  'producer',
  'features',
  'concurrentJobsPerThread',
  'concurrent_jobs_per_thread',
];

const KAFKA_KEYS = [
  'bootstrap.servers',
  'group.id',
  'client.id',
  'fetch.wait.max.ms',
  'fetch.min.bytes',
  'fetch.message.max.bytes',
  'fetch.max.bytes',
  'fetch.error.backoff.ms',
  'enable.partition.eof',
  'queued.max.messages.kbytes',
  'session.timeout.ms',
  'heartbeat.interval.ms',
  'max.poll.interval.ms',
  'auto.offset.reset',
  'auto.commit.interval.ms',
  'isolation.level',
  'statistics.interval.ms',
  'socket.connection.setup.timeout.ms',
  'request.timeout.ms',
  'offset.metadata.max.bytes',
  'ssl',
  'sasl',
  ...SECURITY_SETTING_KEYS,
  ...Object.keys(kafkaSettingAliases),
  ...Object.keys(SECURITY_SETTING_ALIASES),
];
const KAFKA_LIST = ' (the list: https://github.com/decanter-kafka/decanter/blob/main/docs/consumer.md#the-kafka-block)';

export interface ResolvedApp {
  options: ResolvedAppOptions;
  routing: ConsumerGroup[];
  /** The built-in features and the registered ones. */
  features: FeatureSet;
}

const isBrokerList = (v: unknown): string | null => {
  const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()) : v;
  return Array.isArray(list) && list.length > 0 && list.every((b) => typeof b === 'string' && /^[^\s:]+:\d+$/.test(b))
    ? null
    : "must be 'host:port' entries, comma-separated or an array";
};

/** How the contract is applied: the testing kit resolves bare routes that have no producer to check. */
export interface ContractMode {
  /** Check the rules that need the app's `producer` (a dead letter queue does). Default true. */
  checkProducer?: boolean;
}

export function resolveAppOptions(input: AppOptions, mode: ContractMode = {}): ResolvedApp {
  const issues = new IssueList();
  if (isPlainObject(input) !== null) throw new ConfigurationError([{ path: 'options', rule: 'must be an object', value: input }]);
  const raw = input as unknown as Record<string, unknown>;
  issues.unknownKeys('options', raw, APP_KEYS);
  issues.optional('options.id', input.id, isNonEmptyString);
  issues.optional('options.concurrency', input.concurrency, isInteger(1, 256));
  const concurrentJobsPerThread = issues.optionalAliased('options', raw, 'concurrentJobsPerThread', 'concurrent_jobs_per_thread', isInteger(1, 1024));
  const maxMessages = issues.optionalAliased('options', raw, 'maxMessages', 'max_messages', isInteger(1));
  const maxWaitTimeMs = issues.optionalAliased('options', raw, 'maxWaitTimeMs', 'max_wait_time', isInteger(1));
  const shutdownTimeoutMs = issues.optionalAliased('options', raw, 'shutdownTimeoutMs', 'shutdown_timeout', isInteger(0));
  const pauseTimeoutMs = issues.optionalAliased('options', raw, 'pauseTimeoutMs', ['pause_timeout', 'pause.timeout'], isInteger(0));
  const pauseMaxTimeoutMs = issues.optionalAliased('options', raw, 'pauseMaxTimeoutMs', ['pause_max_timeout', 'pause.max_timeout'], isInteger(0));
  const exponential = issues.optionalAliased('options', raw, 'pauseWithExponentialBackoff', [
    'pause_with_exponential_backoff',
    'pause.with_exponential_backoff',
  ], isBoolean);
  const rebalanceDrainTimeoutMs = issues.optionalAliased('options', raw, 'rebalanceDrainTimeoutMs', 'rebalance_drain_timeout', isInteger(0));
  const pauseTimeout = typeof pauseTimeoutMs === 'number' ? pauseTimeoutMs : defaultAppOptions.pauseTimeoutMs;
  const pauseMax = typeof pauseMaxTimeoutMs === 'number' ? pauseMaxTimeoutMs : defaultAppOptions.pauseMaxTimeoutMs;
  // Cross-field rule: the cap of the backoff cannot be below its first step.
  if (pauseMax < pauseTimeout) {
    issues.add('options.pauseMaxTimeoutMs', `must be >= options.pauseTimeoutMs (${pauseTimeout}) (backoff-cap-above-timeout)`, pauseMax);
  }
  issues.optional('options.logger', input.logger, (v) =>
    typeof v === 'boolean' || (typeof v === 'object' && v !== null && typeof (v as LoggerLike).info === 'function')
      ? null
      : 'must be a boolean or an object with info/warn/error methods',
  );
  issues.optional('options.producer', input.producer, (v) =>
    typeof v === 'object' && v !== null && typeof (v as ConsumerProducerTarget).produceSync === 'function'
      ? null
      : 'must be a producer with produceSync/produceAsync (an @decanter/producer Producer)',
  );

  const features = new FeatureSet(input.features, issues, { topic: TOPIC_KEYS, subscriptionGroup: [] });
  const kafka = resolveKafka(input.kafka, issues);
  const routing = kafka
    ? buildRouting(
        input.routes,
        {
          features,
          app: {
            producer: (mode.checkProducer ?? true) ? input.producer !== undefined : null,
            concurrency: typeof input.concurrency === 'number' ? input.concurrency : defaultAppOptions.concurrency,
            concurrentJobsPerThread: typeof concurrentJobsPerThread === 'number' ? concurrentJobsPerThread : defaultAppOptions.concurrentJobsPerThread,
          },
          groupId: kafka.groupId,
          maxMessages: (maxMessages as number | undefined) ?? defaultAppOptions.maxMessages,
          maxWaitTimeMs: (maxWaitTimeMs as number | undefined) ?? defaultAppOptions.maxWaitTimeMs,
          initialOffset: kafka.autoOffsetReset,
          fetch: {
            fetchWaitMaxMs: kafka.fetchWaitMaxMs,
            fetchMinBytes: kafka.fetchMinBytes,
            fetchMessageMaxBytes: kafka.fetchMessageMaxBytes,
            fetchMaxBytes: kafka.fetchMaxBytes,
            queuedMaxMessagesKbytes: kafka.queuedMaxMessagesKbytes,
            enablePartitionEof: kafka.enablePartitionEof,
          },
        },
        issues,
      )
    : [];
  if (issues.issues.length === 0 && routing.length === 0) {
    issues.add('routes', 'must contain at least one active topic', input.routes);
  }
  if (issues.issues.length > 0 || kafka === undefined) throw new ConfigurationError(issues.issues);

  const logger = input.logger ?? defaultAppOptions.logger;
  const options: ResolvedAppOptions = Object.freeze({
    id: input.id ?? defaultAppOptions.id,
    kafka,
    concurrency: input.concurrency ?? defaultAppOptions.concurrency,
    concurrentJobsPerThread: (concurrentJobsPerThread as number | undefined) ?? defaultAppOptions.concurrentJobsPerThread,
    offsetMetadataMaxBytes: offsetMetadataMaxBytes(input.kafka),
    maxMessages: (maxMessages as number | undefined) ?? defaultAppOptions.maxMessages,
    maxWaitTimeMs: (maxWaitTimeMs as number | undefined) ?? defaultAppOptions.maxWaitTimeMs,
    shutdownTimeoutMs: (shutdownTimeoutMs as number | undefined) ?? defaultAppOptions.shutdownTimeoutMs,
    pauseTimeoutMs: pauseTimeout,
    pauseMaxTimeoutMs: pauseMax,
    pauseWithExponentialBackoff: (exponential as boolean | undefined) ?? defaultAppOptions.pauseWithExponentialBackoff,
    rebalanceDrainTimeoutMs: (rebalanceDrainTimeoutMs as number | undefined) ?? defaultAppOptions.rebalanceDrainTimeoutMs,
    logger: logger === true ? console : logger,
    producer: input.producer,
  });
  return { options, routing, features };
}

/** The commit metadata cap (checked with the other kafka keys). */
function offsetMetadataMaxBytes(kafka: unknown): number {
  const v = (kafka as Record<string, unknown> | undefined)?.['offset.metadata.max.bytes'];
  return typeof v === 'number' ? v : defaultKafkaSettings['offset.metadata.max.bytes'];
}

function resolveKafka(input: unknown, issues: IssueList): ResolvedKafkaSettings | undefined {
  if (input === undefined) {
    issues.add('options.kafka', 'is required', input);
    return undefined;
  }
  if (isPlainObject(input) !== null) {
    issues.add('options.kafka', 'must be an object', input);
    return undefined;
  }
  const given = input as Record<string, unknown>;
  issues.unknownKeys('options.kafka', given, KAFKA_KEYS, 'setting', { hints: kafkaSettingHints, otherwise: KAFKA_LIST });
  // the Java names are read as the settings they stand for; issues name the key the user wrote
  const aliased = resolveAliases(given, kafkaSettingAliases, (key) => configPath('options.kafka', key));
  for (const issue of aliased.issues) issues.add(issue.path, issue.rule, issue.value);
  const k = aliased.values;
  const p = (key: string): string => configPath('options.kafka', aliased.written(key));
  issues.required(p('bootstrap.servers'), k['bootstrap.servers'], isBrokerList);
  issues.optional(p('group.id'), k['group.id'], isNonEmptyString);
  issues.optional(p('client.id'), k['client.id'], isNonEmptyString);
  for (const key of ['fetch.wait.max.ms', 'fetch.error.backoff.ms', 'statistics.interval.ms']) {
    issues.optional(p(key), k[key], isInteger(0));
  }
  for (const key of [
    'fetch.min.bytes',
    'fetch.message.max.bytes',
    'fetch.max.bytes',
    'queued.max.messages.kbytes',
    'session.timeout.ms',
    'heartbeat.interval.ms',
    'max.poll.interval.ms',
    'auto.commit.interval.ms',
    'socket.connection.setup.timeout.ms',
    'request.timeout.ms',
    'offset.metadata.max.bytes',
  ]) {
    issues.optional(p(key), k[key], isInteger(1));
  }
  issues.optional(p('enable.partition.eof'), k['enable.partition.eof'], isBoolean);
  issues.optional(p('auto.offset.reset'), k['auto.offset.reset'], isOneOf(['earliest', 'latest']));
  issues.optional(p('isolation.level'), k['isolation.level'], isOneOf(['read_committed', 'read_uncommitted']));
  issues.optional(p('ssl'), k['ssl'], (v) => (typeof v === 'boolean' || isPlainObject(v) === null ? null : 'must be a boolean or TLS options'));
  issues.optional(p('sasl'), k['sasl'], (v) =>
    isPlainObject(v) === null && typeof (v as { mechanism?: unknown }).mechanism === 'string'
      ? null
      : 'must be KafkaJS SASL options with a mechanism',
  );
  const security = resolveSecuritySettings(k as SecuritySettings, p, { ssl: k['ssl'] !== undefined, sasl: k['sasl'] !== undefined });
  for (const issue of security.issues) issues.add(issue.path, issue.rule, issue.value);

  const num = (key: keyof typeof defaultKafkaSettings): number => {
    const v = k[key];
    return typeof v === 'number' ? v : (defaultKafkaSettings[key] as number);
  };
  const session = num('session.timeout.ms');
  const heartbeat = num('heartbeat.interval.ms');
  // Cross-field rule: a member must heartbeat several times per session or it is evicted.
  if (typeof session === 'number' && typeof heartbeat === 'number' && heartbeat >= session) {
    issues.add(p('heartbeat.interval.ms'), `must be lower than ${p('session.timeout.ms')} (heartbeat-below-session)`, heartbeat);
  }
  // Cross-field rule: a partition's fetch must fit in the whole response.
  if (num('fetch.message.max.bytes') > num('fetch.max.bytes')) {
    issues.add(p('fetch.message.max.bytes'), `must not exceed ${p('fetch.max.bytes')} (partition-fetch-within-fetch)`, num('fetch.message.max.bytes'));
  }
  const servers = k['bootstrap.servers'];
  const brokers = (typeof servers === 'string' ? servers.split(',') : Array.isArray(servers) ? servers : [])
    .map((s) => String(s).trim())
    .filter((s) => s.length > 0);
  return Object.freeze({
    brokers: Object.freeze(brokers),
    groupId: k['group.id'] as string | undefined,
    clientId: (k['client.id'] as string | undefined) ?? defaultKafkaSettings['client.id'],
    fetchWaitMaxMs: num('fetch.wait.max.ms'),
    fetchMinBytes: num('fetch.min.bytes'),
    fetchMessageMaxBytes: num('fetch.message.max.bytes'),
    fetchMaxBytes: num('fetch.max.bytes'),
    fetchErrorBackoffMs: num('fetch.error.backoff.ms'),
    enablePartitionEof: (k['enable.partition.eof'] as boolean | undefined) ?? defaultKafkaSettings['enable.partition.eof'],
    queuedMaxMessagesKbytes: num('queued.max.messages.kbytes'),
    sessionTimeoutMs: session,
    heartbeatIntervalMs: heartbeat,
    rebalanceTimeoutMs: num('max.poll.interval.ms'),
    autoOffsetReset: (k['auto.offset.reset'] as 'earliest' | 'latest' | undefined) ?? defaultKafkaSettings['auto.offset.reset'],
    autoCommitIntervalMs: num('auto.commit.interval.ms'),
    readUncommitted: k['isolation.level'] === 'read_uncommitted',
    statisticsIntervalMs: num('statistics.interval.ms'),
    connectionTimeoutMs: num('socket.connection.setup.timeout.ms'),
    requestTimeoutMs: num('request.timeout.ms'),
    ssl: (k['ssl'] as ResolvedKafkaSettings['ssl']) ?? security.ssl,
    sasl: (k['sasl'] as ResolvedKafkaSettings['sasl']) ?? security.sasl,
  });
}
