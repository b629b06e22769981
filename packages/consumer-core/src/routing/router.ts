// Turns the routing table users write into consumer groups → subscription groups → topics,
// applying defaults and splitting topics with different fetch/poll settings into their own
// subscription groups. Every problem is added to the caller's IssueList with the route's path.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { IssueList, isBoolean, isInteger, isNonEmptyString, isOneOf, isPlainObject } from '../contract-rules';
import type { ResolvedFetchSettings } from '../options';
import type { ConsumerGroup } from './consumer-group';
import type { ConsumerReference, RoutesDefinition, TopicRouteDefinition } from './routes';
import type { SubscriptionGroup } from './subscription-group';
import type { ResolvedDeadLetterQueue, ResolvedReference, Topic } from './topic';

export interface RoutingDefaults {
  groupId: string | undefined;
  maxMessages: number;
  maxWaitTimeMs: number;
  initialOffset: 'earliest' | 'latest';
  fetch: ResolvedFetchSettings;
}

const TOPIC_KEYS = [
  'topic',
  'consumer',
  'maxMessages',
  'max_messages',
  'maxWaitTimeMs',
  'max_wait_time',
  'initialOffset',
  'initial_offset',
  'deserializer',
  'active',
  'manualOffsetManagement',
  'manual_offset_management',
  'subscriptionGroup',
  'subscription_group',
  'kafka',
  'deadLetterQueue',
  'dead_letter_queue',
  'periodic',
] as const;

const DEFAULT_DLQ_MAX_RETRIES = 3;
const DEFAULT_PERIODIC_INTERVAL_MS = 5_000;

const OVERRIDE_KEYS = {
  'fetch.wait.max.ms': ['fetchWaitMaxMs', isInteger(0)],
  'fetch.min.bytes': ['fetchMinBytes', isInteger(1)],
  'fetch.message.max.bytes': ['fetchMessageMaxBytes', isInteger(1)],
  'fetch.max.bytes': ['fetchMaxBytes', isInteger(1)],
  'queued.max.messages.kbytes': ['queuedMaxMessagesKbytes', isInteger(1)],
  'enable.partition.eof': ['enablePartitionEof', isBoolean],
} as const;

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const MODULE_EXTENSIONS = ['', '.js', '.cjs', '.ts', '.cts', '/index.js', '/index.ts'];

/** Finds the file a module path names, trying the extensions Node and ts-node would. */
export function resolveModuleFile(path: string): string | undefined {
  for (const ext of MODULE_EXTENSIONS) {
    const candidate = ext.startsWith('/') ? join(path, ext.slice(1)) : path + ext;
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function resolveReference(path: string, ref: unknown, issues: IssueList): ResolvedReference | undefined {
  if (isPlainObject(ref) !== null) {
    issues.add(path, 'must be { module, export? } naming a module file and its export', ref);
    return undefined;
  }
  const { module, export: exportName, ...rest } = ref as ConsumerReference;
  issues.unknownKeys(path, rest, []);
  const before = issues.issues.length;
  issues.required(`${path}.module`, module, isNonEmptyString);
  issues.optional(`${path}.export`, exportName, isNonEmptyString);
  if (issues.issues.length > before) return undefined;
  if (!isAbsolute(module)) {
    issues.add(`${path}.module`, 'must be an absolute path (use require.resolve or join(__dirname, ...))', module);
    return undefined;
  }
  const file = resolveModuleFile(module);
  if (file === undefined) {
    issues.add(`${path}.module`, 'must name an existing .js or .ts file', module);
    return undefined;
  }
  return { module: file, export: exportName ?? 'default' };
}

function resolveTopic(
  path: string,
  def: TopicRouteDefinition,
  consumerGroup: string,
  defaults: RoutingDefaults,
  issues: IssueList,
): (Topic & { groupName: string }) | undefined {
  if (isPlainObject(def) !== null) {
    issues.add(path, 'must be a topic route object', def);
    return undefined;
  }
  const raw = def as unknown as Record<string, unknown>;
  const before = issues.issues.length;
  issues.unknownKeys(path, raw, TOPIC_KEYS);
  issues.required(`${path}.topic`, def.topic, (v) =>
    typeof v === 'string' && TOPIC_NAME.test(v) ? null : 'must be a Kafka topic name ([a-zA-Z0-9._-], 1-249 characters)',
  );
  const consumer = resolveReference(`${path}.consumer`, def.consumer, issues);
  const maxMessages = issues.aliased(path, raw, 'maxMessages', 'max_messages');
  issues.optional(`${path}.maxMessages`, maxMessages, isInteger(1));
  const maxWaitTimeMs = issues.aliased(path, raw, 'maxWaitTimeMs', 'max_wait_time');
  issues.optional(`${path}.maxWaitTimeMs`, maxWaitTimeMs, isInteger(1));
  const initialOffset = issues.aliased(path, raw, 'initialOffset', 'initial_offset');
  issues.optional(`${path}.initialOffset`, initialOffset, isOneOf(['earliest', 'latest']));
  const manual = issues.aliased(path, raw, 'manualOffsetManagement', 'manual_offset_management');
  issues.optional(`${path}.manualOffsetManagement`, manual, isBoolean);
  const sgName = issues.aliased(path, raw, 'subscriptionGroup', 'subscription_group');
  issues.optional(`${path}.subscriptionGroup`, sgName, isNonEmptyString);
  issues.optional(`${path}.active`, def.active, isBoolean);

  let deserializer: Topic['deserializer'] | undefined = 'json';
  if (typeof def.deserializer === 'string' || def.deserializer === undefined) {
    issues.optional(`${path}.deserializer`, def.deserializer, isOneOf(['json', 'string', 'raw']));
    deserializer = def.deserializer ?? 'json';
  } else {
    deserializer = resolveReference(`${path}.deserializer`, def.deserializer, issues);
  }

  const fetch: Record<string, number | boolean> = { ...defaults.fetch };
  if (def.kafka !== undefined) {
    if (isPlainObject(def.kafka) !== null) {
      issues.add(`${path}.kafka`, 'must be an object', def.kafka);
    } else {
      issues.unknownKeys(`${path}.kafka`, def.kafka, Object.keys(OVERRIDE_KEYS));
      for (const [key, [field, check]] of Object.entries(OVERRIDE_KEYS)) {
        const value = (def.kafka as Record<string, unknown>)[key];
        issues.optional(`${path}.kafka['${key}']`, value, check);
        if (value !== undefined) fetch[field] = value as number | boolean;
      }
    }
  }
  const deadLetterQueue = resolveDeadLetterQueue(path, issues.aliased(path, raw, 'deadLetterQueue', 'dead_letter_queue'), issues);
  const periodicIntervalMs = resolvePeriodic(`${path}.periodic`, def.periodic, issues);
  if (deadLetterQueue !== null && deadLetterQueue.topic === def.topic) {
    issues.add(`${path}.deadLetterQueue.topic`, 'must differ from the route topic (dlq-not-source)', deadLetterQueue.topic);
  }
  if (issues.issues.length > before || consumer === undefined || deserializer === undefined) return undefined;
  return {
    name: def.topic,
    consumerGroup,
    subscriptionGroup: '',
    groupName: (sgName as string | undefined) ?? 'default',
    consumer,
    maxMessages: (maxMessages as number | undefined) ?? defaults.maxMessages,
    maxWaitTimeMs: (maxWaitTimeMs as number | undefined) ?? defaults.maxWaitTimeMs,
    initialOffset: (initialOffset as 'earliest' | 'latest' | undefined) ?? defaults.initialOffset,
    deserializer,
    active: def.active ?? true,
    manualOffsetManagement: (manual as boolean | undefined) ?? false,
    fetch: Object.freeze(fetch) as unknown as ResolvedFetchSettings,
    routePath: path,
    deadLetterQueue,
    periodicIntervalMs,
  };
}

function resolveDeadLetterQueue(routePath: string, value: unknown, issues: IssueList): ResolvedDeadLetterQueue | null {
  if (value === undefined) return null;
  const path = `${routePath}.deadLetterQueue`;
  if (isPlainObject(value) !== null) {
    issues.add(path, 'must be { topic, maxRetries?, independent? }', value);
    return null;
  }
  const raw = value as Record<string, unknown>;
  issues.unknownKeys(path, raw, ['topic', 'maxRetries', 'max_retries', 'independent']);
  issues.required(`${path}.topic`, raw['topic'], (v) =>
    typeof v === 'string' && TOPIC_NAME.test(v) ? null : 'must be a Kafka topic name ([a-zA-Z0-9._-], 1-249 characters)',
  );
  const maxRetries = issues.aliased(path, raw, 'maxRetries', 'max_retries');
  issues.optional(`${path}.maxRetries`, maxRetries, isInteger(0));
  issues.optional(`${path}.independent`, raw['independent'], isBoolean);
  return Object.freeze({
    topic: String(raw['topic']),
    maxRetries: typeof maxRetries === 'number' ? maxRetries : DEFAULT_DLQ_MAX_RETRIES,
    independent: raw['independent'] === true,
  });
}

function resolvePeriodic(path: string, value: unknown, issues: IssueList): number | null {
  if (value === undefined || value === false) return null;
  if (value === true) return DEFAULT_PERIODIC_INTERVAL_MS;
  if (isPlainObject(value) !== null) {
    issues.add(path, 'must be a boolean or { intervalMs }', value);
    return null;
  }
  const raw = value as Record<string, unknown>;
  issues.unknownKeys(path, raw, ['intervalMs', 'interval']);
  const interval = issues.aliased(path, raw, 'intervalMs', 'interval');
  issues.optional(`${path}.intervalMs`, interval, isInteger(1));
  return typeof interval === 'number' ? interval : DEFAULT_PERIODIC_INTERVAL_MS;
}

/**
 * Builds the routing tree. Returns only consumer groups with at least one active topic; problems
 * go to `issues` (the caller throws one ConfigurationError for options and routes together).
 */
export function buildRouting(routes: RoutesDefinition, defaults: RoutingDefaults, issues: IssueList): ConsumerGroup[] {
  if (!Array.isArray(routes) || routes.length === 0) {
    issues.add('routes', 'must be a non-empty array of consumer group routes', routes);
    return [];
  }
  const groups: ConsumerGroup[] = [];
  const seenGroups = new Set<string>();
  routes.forEach((cg, i) => {
    const path = `routes[${i}]`;
    if (isPlainObject(cg) !== null) {
      issues.add(path, 'must be a consumer group route object', cg);
      return;
    }
    issues.unknownKeys(path, cg, ['consumerGroup', 'topics']);
    const id = cg.consumerGroup ?? defaults.groupId;
    if (id === undefined) {
      issues.add(`${path}.consumerGroup`, "is required when kafka['group.id'] is not set", cg.consumerGroup);
    } else {
      issues.optional(`${path}.consumerGroup`, id, isNonEmptyString);
      if (seenGroups.has(id)) issues.add(`${path}.consumerGroup`, 'must be unique across routes', id);
      seenGroups.add(id);
    }
    if (!Array.isArray(cg.topics) || cg.topics.length === 0) {
      issues.add(`${path}.topics`, 'must be a non-empty array of topic routes', cg.topics);
      return;
    }
    const groupId = id ?? '?';
    const topics: (Topic & { groupName: string })[] = [];
    const seenTopics = new Set<string>();
    cg.topics.forEach((t, j) => {
      const topic = resolveTopic(`${path}.topics[${j}]`, t, groupId, defaults, issues);
      if (topic === undefined) return;
      if (seenTopics.has(topic.name)) {
        issues.add(`${path}.topics[${j}].topic`, 'must appear once per consumer group', topic.name);
        return;
      }
      seenTopics.add(topic.name);
      if (topic.active) topics.push(topic);
    });
    if (topics.length > 0) groups.push({ id: groupId, subscriptionGroups: splitSubscriptionGroups(groupId, topics) });
  });
  return groups;
}

/** Same name + same fetch and poll settings → same subscription group; otherwise a new one. */
function splitSubscriptionGroups(consumerGroup: string, topics: (Topic & { groupName: string })[]): SubscriptionGroup[] {
  const byKey = new Map<string, { id: string; topics: Topic[]; sample: Topic }>();
  const namesUsed = new Map<string, number>();
  for (const { groupName, ...topic } of topics) {
    const key = JSON.stringify([groupName, topic.maxMessages, topic.maxWaitTimeMs, topic.fetch]);
    let entry = byKey.get(key);
    if (entry === undefined) {
      const n = namesUsed.get(groupName) ?? 0;
      namesUsed.set(groupName, n + 1);
      entry = { id: n === 0 ? groupName : `${groupName}_${n}`, topics: [], sample: topic };
      byKey.set(key, entry);
    }
    entry.topics.push(Object.freeze({ ...topic, subscriptionGroup: entry.id }));
  }
  return [...byKey.values()].map((e) =>
    Object.freeze({
      id: e.id,
      consumerGroup,
      topics: Object.freeze(e.topics),
      maxMessages: e.sample.maxMessages,
      maxWaitTimeMs: e.sample.maxWaitTimeMs,
      fetch: e.sample.fetch,
    }),
  );
}
