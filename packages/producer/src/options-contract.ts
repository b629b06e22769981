// The contract of ProducerOptions: every rule in one table, checked once at construction, and
// every broken rule reported together in one ConfigurationError (path, rule, value). Nothing
// here runs per message.
import { ensureCodec } from './compression/codecs';
import { configPath } from './config-path';
import { ConfigurationError, type ConfigurationIssue } from './errors';
import { unknownKeyRule } from './nearest-key';
import {
  defaultKafkaSettings,
  defaultProducerOptions,
  normaliseAcks,
  producerKafkaAliases,
  producerKafkaHints,
  type ProducerKafkaSettings,
  type ProducerOptions,
  type ResolvedProducerOptions,
} from './options';
import { resolveSecuritySettings, SECURITY_SETTING_ALIASES, SECURITY_SETTING_KEYS, type SecuritySettings } from './security-settings';
import { resolveAliases } from './setting-aliases';
import { COMPRESSION_CODECS, type Acks } from './types';

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

type Alias = keyof typeof producerKafkaAliases;

/** Every setting of the `kafka` block, with its rule (the security settings: security-settings.ts; aliases: their setting's rule). */
const KAFKA_RULES: { readonly [K in Exclude<keyof ProducerKafkaSettings, keyof SecuritySettings | Alias>]-?: Rule } = {
  'bootstrap.servers': brokerList,
  'client.id': nonEmptyString,
  'queue.buffering.max.ms': int(0, 900_000),
  'batch.size': int(1, 2_147_483_647),
  'batch.num.messages': int(1, 1_000_000),
  'compression.codec': oneOf(COMPRESSION_CODECS),
  'request.required.acks': oneOf(ACKS),
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
  recordEncoder: oneOf(['kafkajs', 'decanter']),
  ssl: { rule: 'must be a boolean or a TLS options object', test: (v) => typeof v === 'boolean' || (typeof v === 'object' && v !== null) },
  sasl: { rule: 'must be a KafkaJS SASL options object', test: (v) => typeof v === 'object' && v !== null && typeof (v as { mechanism?: unknown }).mechanism === 'string' },
};
const TOP_KEYS = new Set<string>(['kafka', ...Object.keys(TOP_RULES)]);

/** Every key the `kafka` block accepts: its settings, their aliases, the security settings and theirs. */
const KAFKA_KEYS: readonly string[] = [
  ...Object.keys(KAFKA_RULES),
  ...Object.keys(producerKafkaAliases),
  ...SECURITY_SETTING_KEYS,
  ...Object.keys(SECURITY_SETTING_ALIASES),
];
const KAFKA_LIST = ' (the list: https://github.com/decanter-kafka/decanter/blob/main/docs/producer.md#kafka-settings)';

const kafkaPath = (key: string): string => configPath('kafka', key);
const sameSetting = (name: string, a: unknown, b: unknown): boolean =>
  name === 'request.required.acks' ? normaliseAcks(a as Acks) === normaliseAcks(b as Acks) : Object.is(a, b);

/** Checks `options` against the contract; returns the frozen resolved options or throws ConfigurationError. */
export function resolveProducerOptions(options: ProducerOptions): ResolvedProducerOptions {
  const issues: ConfigurationIssue[] = [];
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError([{ path: 'options', rule: 'must be an object', value: options }]);
  }
  for (const [key, value] of Object.entries(options)) {
    if (!TOP_KEYS.has(key)) {
      issues.push({ path: configPath('', key), rule: unknownKeyRule(key, TOP_KEYS, 'option', { otherwise: ` (known: ${[...TOP_KEYS].join(', ')})` }), value });
      continue;
    }
    const rule = TOP_RULES[key as keyof ProducerOptions];
    if (rule && value !== undefined && !rule.test(value)) issues.push({ path: key, rule: rule.rule, value });
  }
  const given = options.kafka;
  if (typeof given !== 'object' || given === null) {
    issues.push({ path: 'kafka', rule: "must be an object with at least 'bootstrap.servers'", value: given });
    throw new ConfigurationError(issues);
  }
  const rules = KAFKA_RULES as Record<string, Rule | undefined>;
  const aliases = producerKafkaAliases as Record<string, string>;
  for (const [key, value] of Object.entries(given)) {
    if (!KAFKA_KEYS.includes(key)) {
      issues.push({ path: kafkaPath(key), rule: unknownKeyRule(key, KAFKA_KEYS, 'setting', { hints: producerKafkaHints, otherwise: KAFKA_LIST }), value });
      continue;
    }
    const rule = rules[aliases[key] ?? key]; // undefined for the security settings, checked below
    if (rule && value !== undefined && !rule.test(value)) issues.push({ path: kafkaPath(key), rule: rule.rule, value });
  }
  const aliased = resolveAliases(given as Record<string, unknown>, aliases, kafkaPath, sameSetting);
  issues.push(...aliased.issues);
  const kafka = aliased.values as Omit<ProducerKafkaSettings, Alias>;
  /** The path of a setting as the user wrote it (its alias when only that was set). */
  const at = (name: string): string => kafkaPath(aliased.written(name));
  if (kafka['bootstrap.servers'] === undefined) {
    issues.push({ path: at('bootstrap.servers'), rule: 'is required', value: undefined });
  }
  checkCrossFieldRules(kafka, at, issues);
  const security = resolveSecuritySettings(kafka, (key) => at(key), { ssl: options.ssl !== undefined, sasl: options.sasl !== undefined });
  issues.push(...security.issues);
  if (issues.length > 0) throw new ConfigurationError(issues);

  const k = { ...defaultKafkaSettings, ...stripUndefined(kafka) };
  const id = options.id ?? defaultProducerOptions.id;
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
    compression: k['compression.codec'],
    acks: normaliseAcks(k['request.required.acks']),
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
    recordEncoder: options.recordEncoder ?? defaultProducerOptions.recordEncoder,
  };
  return Object.freeze(resolved);
}

/** The rules between settings; `at(name)` is a setting's path as written. */
function checkCrossFieldRules(kafka: Omit<ProducerKafkaSettings, Alias>, at: (name: string) => string, issues: ConfigurationIssue[]): void {
  const acks = kafka['request.required.acks'];
  const idempotent = kafka['enable.idempotence'] ?? kafka['transactional.id'] !== undefined;
  if (idempotent && acks !== undefined && normaliseAcks(acks) !== -1) {
    issues.push({ path: at('request.required.acks'), rule: `must be -1 or 'all' with ${at('enable.idempotence')} (or ${at('transactional.id')})`, value: acks });
  }
  if (kafka['transactional.id'] !== undefined && kafka['enable.idempotence'] === false) {
    issues.push({ path: at('enable.idempotence'), rule: `must be true (or unset) when ${at('transactional.id')} is set`, value: false });
  }
  if (idempotent && (kafka['max.in.flight.requests.per.connection'] ?? 1) > 5) {
    issues.push({ path: at('max.in.flight.requests.per.connection'), rule: `must be <= 5 with ${at('enable.idempotence')}`, value: kafka['max.in.flight.requests.per.connection'] });
  }
  const backoff = kafka['retry.backoff.ms'] ?? defaultKafkaSettings['retry.backoff.ms'];
  const backoffMax = kafka['retry.backoff.max.ms'] ?? defaultKafkaSettings['retry.backoff.max.ms'];
  if (backoffMax < backoff) {
    issues.push({ path: at('retry.backoff.max.ms'), rule: `must be >= ${at('retry.backoff.ms')} (${backoff})`, value: backoffMax });
  }
  const codec = kafka['compression.codec'];
  if (codec !== undefined && COMPRESSION_CODECS.includes(codec)) {
    const problem = ensureCodec(codec);
    if (problem) issues.push({ path: at('compression.codec'), rule: `'${codec}' ${problem}`, value: codec });
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
