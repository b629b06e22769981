// The contract of ProducerOptions: every rule in one table, checked once at construction, and
// every broken rule reported together in one ConfigurationError (path, rule, value). Nothing
// here runs per message.
import { ensureCodec } from './compression/codecs';
import { ConfigurationError, type ConfigurationIssue } from './errors';
import {
  defaultKafkaSettings,
  defaultProducerOptions,
  normaliseAcks,
  type ProducerKafkaSettings,
  type ProducerOptions,
  type ResolvedProducerOptions,
} from './options';
import { resolveSecuritySettings, SECURITY_SETTING_KEYS, type SecuritySettings } from './security-settings';
import { COMPRESSION_CODECS, type Acks, type CompressionCodecName } from './types';

type Rule = { rule: string; test: (value: unknown) => boolean };

const int = (min: number, max = Number.MAX_SAFE_INTEGER): Rule => ({
  rule: max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer between ${min} and ${max}`,
  test: (v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max,
});
const oneOf = (values: readonly unknown[]): Rule => ({
  rule: `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`,
  test: (v) => values.includes(v),
});
const bool: Rule = { rule: 'must be a boolean', test: (v) => typeof v === 'boolean' };
const nonEmptyString: Rule = { rule: 'must be a non-empty string', test: (v) => typeof v === 'string' && v.length > 0 };
const brokerList: Rule = {
  rule: "must be a comma-separated list of host:port (e.g. '127.0.0.1:9092')",
  test: (v) =>
    typeof v === 'string' &&
    v.split(',').every((b) => /^[^\s:,]+:\d{1,5}$/.test(b.trim())),
};
const ACKS: readonly Acks[] = [0, 1, -1, 'all'];

/** Every key the `kafka` block accepts, with its rule (the security settings: security-settings.ts). */
const KAFKA_RULES: { readonly [K in Exclude<keyof ProducerKafkaSettings, keyof SecuritySettings>]-?: Rule } = {
  'bootstrap.servers': brokerList,
  'client.id': nonEmptyString,
  'queue.buffering.max.ms': int(0, 900_000),
  'batch.size': int(1, 2_147_483_647),
  'batch.num.messages': int(1, 1_000_000),
  'compression.codec': oneOf(COMPRESSION_CODECS),
  'compression.type': oneOf(COMPRESSION_CODECS),
  'request.required.acks': oneOf(ACKS),
  acks: oneOf(ACKS),
  'message.timeout.ms': int(1, 2_147_483_647),
  'request.timeout.ms': int(1, 900_000),
  'queue.buffering.max.messages': int(1, 2_147_483_647),
  'queue.buffering.max.kbytes': int(1, 2_147_483_647),
  'message.max.bytes': int(1000, 1_000_000_000),
  'max.in.flight.requests.per.connection': int(1, 1_000_000),
  'retry.backoff.ms': int(1, 300_000),
  'retry.backoff.max.ms': int(1, 300_000),
  'enable.idempotence': bool,
  'transactional.id': nonEmptyString,
  'transaction.timeout.ms': int(1000, 2_147_483_647),
  'topic.metadata.refresh.interval.ms': int(1000, 3_600_000),
  'socket.connection.setup.timeout.ms': int(1, 2_147_483_647),
  'allow.auto.create.topics': bool,
};

const TOP_RULES: { readonly [K in keyof Required<ProducerOptions>]?: Rule } = {
  id: { rule: 'must be a non-empty string of letters, digits, ".", "_" or "-"', test: (v) => typeof v === 'string' && /^[\w.-]+$/.test(v) },
  maxWaitTimeoutMs: int(0, 2_147_483_647),
  kafkaJsLogLevel: oneOf(['nothing', 'error', 'warn', 'info', 'debug']),
  ssl: { rule: 'must be a boolean or a TLS options object', test: (v) => typeof v === 'boolean' || (typeof v === 'object' && v !== null) },
  sasl: { rule: 'must be a KafkaJS SASL options object', test: (v) => typeof v === 'object' && v !== null && typeof (v as { mechanism?: unknown }).mechanism === 'string' },
};
const TOP_KEYS = new Set<string>(['kafka', ...Object.keys(TOP_RULES)]);

/** Checks `options` against the contract; returns the frozen resolved options or throws ConfigurationError. */
export function resolveProducerOptions(options: ProducerOptions): ResolvedProducerOptions {
  const issues: ConfigurationIssue[] = [];
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError([{ path: 'options', rule: 'must be an object', value: options }]);
  }
  for (const [key, value] of Object.entries(options)) {
    if (!TOP_KEYS.has(key)) {
      issues.push({ path: key, rule: `is not a known option (known: ${[...TOP_KEYS].join(', ')})`, value });
      continue;
    }
    const rule = TOP_RULES[key as keyof ProducerOptions];
    if (rule && value !== undefined && !rule.test(value)) issues.push({ path: key, rule: rule.rule, value });
  }
  const kafka = options.kafka;
  if (typeof kafka !== 'object' || kafka === null) {
    issues.push({ path: 'kafka', rule: "must be an object with at least 'bootstrap.servers'", value: kafka });
    throw new ConfigurationError(issues);
  }
  for (const [key, value] of Object.entries(kafka)) {
    const rule = (KAFKA_RULES as Record<string, Rule | undefined>)[key];
    if (!rule && (SECURITY_SETTING_KEYS as readonly string[]).includes(key)) continue;
    if (!rule) {
      issues.push({ path: `kafka.${key}`, rule: 'is not a supported setting (the list: https://github.com/decanter-kafka/decanter/blob/main/docs/producer.md#kafka-settings)', value });
    } else if (value !== undefined && !rule.test(value)) {
      issues.push({ path: `kafka.${key}`, rule: rule.rule, value });
    }
  }
  if (kafka['bootstrap.servers'] === undefined) {
    issues.push({ path: 'kafka.bootstrap.servers', rule: 'is required', value: undefined });
  }
  checkCrossFieldRules(kafka, issues);
  const security = resolveSecuritySettings(kafka, (key) => `kafka.${key}`, { ssl: options.ssl !== undefined, sasl: options.sasl !== undefined });
  issues.push(...security.issues);
  if (issues.length > 0) throw new ConfigurationError(issues);

  const k = { ...defaultKafkaSettings, ...stripUndefined(kafka) };
  const id = options.id ?? defaultProducerOptions.id;
  const acks = normaliseAcks(kafka['request.required.acks'] ?? kafka.acks ?? defaultKafkaSettings['request.required.acks']);
  const compression: CompressionCodecName =
    kafka['compression.codec'] ?? kafka['compression.type'] ?? defaultKafkaSettings['compression.codec'];
  const transactionalId = kafka['transactional.id'];
  const idempotent = kafka['enable.idempotence'] ?? transactionalId !== undefined;
  const resolved: ResolvedProducerOptions = {
    id,
    clientId: kafka['client.id'] ?? id,
    brokers: (kafka['bootstrap.servers'] ?? '').split(',').map((b) => b.trim()),
    lingerMs: k['queue.buffering.max.ms'],
    // A batch never outgrows what the broker accepts as one record batch.
    batchSizeBytes: Math.min(k['batch.size'], k['message.max.bytes']),
    batchMaxMessages: k['batch.num.messages'],
    compression,
    acks,
    messageTimeoutMs: k['message.timeout.ms'],
    requestTimeoutMs: k['request.timeout.ms'],
    queueMaxMessages: k['queue.buffering.max.messages'],
    queueMaxBytes: k['queue.buffering.max.kbytes'] * 1024,
    messageMaxBytes: k['message.max.bytes'],
    maxInFlight: idempotent ? 1 : k['max.in.flight.requests.per.connection'],
    retryBackoffMs: k['retry.backoff.ms'],
    retryBackoffMaxMs: k['retry.backoff.max.ms'],
    idempotent,
    transactionalId,
    transactionTimeoutMs: k['transaction.timeout.ms'],
    metadataMaxAgeMs: k['topic.metadata.refresh.interval.ms'],
    connectionTimeoutMs: k['socket.connection.setup.timeout.ms'],
    allowAutoTopicCreation: k['allow.auto.create.topics'],
    maxWaitTimeoutMs: options.maxWaitTimeoutMs ?? defaultProducerOptions.maxWaitTimeoutMs,
    ssl: options.ssl ?? security.ssl,
    sasl: options.sasl ?? security.sasl,
    kafkaJsLogLevel: options.kafkaJsLogLevel ?? defaultProducerOptions.kafkaJsLogLevel,
  };
  return Object.freeze(resolved);
}

function checkCrossFieldRules(kafka: ProducerKafkaSettings, issues: ConfigurationIssue[]): void {
  const acksKey = kafka['request.required.acks'] !== undefined ? 'request.required.acks' : 'acks';
  const acks = kafka['request.required.acks'] ?? kafka.acks;
  if (kafka['request.required.acks'] !== undefined && kafka.acks !== undefined && normaliseAcks(kafka.acks) !== normaliseAcks(kafka['request.required.acks'])) {
    issues.push({ path: 'kafka.acks', rule: "must equal kafka.request.required.acks when both are set (they are aliases)", value: kafka.acks });
  }
  if (kafka['compression.codec'] !== undefined && kafka['compression.type'] !== undefined && kafka['compression.codec'] !== kafka['compression.type']) {
    issues.push({ path: 'kafka.compression.type', rule: 'must equal kafka.compression.codec when both are set (they are aliases)', value: kafka['compression.type'] });
  }
  const idempotent = kafka['enable.idempotence'] ?? kafka['transactional.id'] !== undefined;
  if (idempotent && acks !== undefined && normaliseAcks(acks) !== -1) {
    issues.push({ path: `kafka.${acksKey}`, rule: "must be -1 or 'all' with enable.idempotence (or transactional.id)", value: acks });
  }
  if (kafka['transactional.id'] !== undefined && kafka['enable.idempotence'] === false) {
    issues.push({ path: 'kafka.enable.idempotence', rule: 'must be true (or unset) when transactional.id is set', value: false });
  }
  if (idempotent && (kafka['max.in.flight.requests.per.connection'] ?? 1) > 5) {
    issues.push({ path: 'kafka.max.in.flight.requests.per.connection', rule: 'must be <= 5 with enable.idempotence', value: kafka['max.in.flight.requests.per.connection'] });
  }
  const backoff = kafka['retry.backoff.ms'] ?? defaultKafkaSettings['retry.backoff.ms'];
  const backoffMax = kafka['retry.backoff.max.ms'] ?? defaultKafkaSettings['retry.backoff.max.ms'];
  if (backoffMax < backoff) {
    issues.push({ path: 'kafka.retry.backoff.max.ms', rule: `must be >= kafka.retry.backoff.ms (${backoff})`, value: backoffMax });
  }
  for (const key of ['compression.codec', 'compression.type'] as const) {
    const codec = kafka[key];
    if (codec === undefined || !COMPRESSION_CODECS.includes(codec)) continue;
    const problem = ensureCodec(codec);
    if (problem) issues.push({ path: `kafka.${key}`, rule: `'${codec}' ${problem}`, value: codec });
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
