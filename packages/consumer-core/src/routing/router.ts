// Turns the routing table users write into consumer groups → subscription groups → topics,
// applying defaults and splitting topics with different fetch/poll settings into their own
// subscription groups. Every problem is added to the caller's IssueList with the route's path.
import type { FeatureSet } from '../features/feature-set';
import { isUrl, MODULE_LOCATION_RULE, modulePathOf, resolveModuleFile } from '../loading/module-file';
import { IssueList, isBoolean, isInteger, isNonEmptyString, isOneOf, isPlainObject, writtenKey } from '../contract-rules';
import { configPath, resolveAliases, unknownKeyRule } from '@decanter/producer';
import { kafkaSettingAliases } from '../options';
import type { ResolvedFetchSettings } from './fetch-settings';
import type { ConsumerGroup } from './consumer-group';
import type { ConsumerReference, RoutesDefinition, TopicRouteDefinition } from './routes';
import type { SubscriptionGroup } from './subscription-group';
import type { ResolvedReference, Topic } from './topic';
import type { AppContext, RouteLevel } from './route-extension';
import { TOPIC_NAME_RULE, isTopicName } from './topic-name';

export interface RoutingDefaults {
  /** The route keys features add, and the hint for a key of a feature nobody registered. */
  features: FeatureSet;
  /** What cross-field rules of feature keys may know about the app. */
  app: AppContext;
  groupId: string | undefined;
  maxMessages: number;
  maxWaitTimeMs: number;
  initialOffset: 'earliest' | 'latest';
  fetch: ResolvedFetchSettings;
}

/** The core's own keys of a topic route; every other key belongs to a feature's route extension. */
export const TOPIC_KEYS = [
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
  'subscriptionGroup',
  'subscription_group',
  'kafka',
] as const;

/** The core's own keys of a consumer group route. */
const CONSUMER_GROUP_KEYS = ['consumerGroup', 'topics', 'subscriptionGroups'];

const OVERRIDE_KEYS = {
  'fetch.wait.max.ms': ['fetchWaitMaxMs', isInteger(0)],
  'fetch.min.bytes': ['fetchMinBytes', isInteger(1)],
  'fetch.message.max.bytes': ['fetchMessageMaxBytes', isInteger(1)],
  'fetch.max.bytes': ['fetchMaxBytes', isInteger(1)],
  'queued.max.messages.kbytes': ['queuedMaxMessagesKbytes', isInteger(1)],
  'enable.partition.eof': ['enablePartitionEof', isBoolean],
} as const;

function resolveReference(path: string, ref: unknown, issues: IssueList): ResolvedReference | undefined {
  if (isPlainObject(ref) !== null) {
    issues.add(path, 'must be { module, export? } naming a module file and its export', ref);
    return undefined;
  }
  const { module, export: exportName, ...rest } = ref as ConsumerReference;
  issues.unknownKeys(path, rest, []);
  const before = issues.issues.length;
  if (!isUrl(module)) issues.required(`${path}.module`, module, isNonEmptyString);
  issues.optional(`${path}.export`, exportName, isNonEmptyString);
  if (issues.issues.length > before) return undefined;
  // an absolute path, or a file: URL (string or URL object: the ES module way, from import.meta.url)
  const modulePath = modulePathOf(module);
  if (modulePath === undefined) {
    issues.add(`${path}.module`, MODULE_LOCATION_RULE, module);
    return undefined;
  }
  const file = resolveModuleFile(modulePath);
  if (file === undefined) {
    issues.add(`${path}.module`, 'must name an existing .js, .mjs, .cjs, .ts, .mts or .cts file', module);
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
  unknownRouteKeys(path, raw, TOPIC_KEYS, 'topic', defaults.features, issues);
  issues.required(`${path}.topic`, def.topic, (v) => (isTopicName(v) ? null : TOPIC_NAME_RULE));
  const consumer = resolveReference(`${path}.consumer`, def.consumer, issues);
  const maxMessages = issues.optionalAliased(path, raw, 'maxMessages', 'max_messages', isInteger(1));
  const maxWaitTimeMs = issues.optionalAliased(path, raw, 'maxWaitTimeMs', 'max_wait_time', isInteger(1));
  const initialOffset = issues.optionalAliased(path, raw, 'initialOffset', 'initial_offset', isOneOf(['earliest', 'latest']));
  const sgName = issues.optionalAliased(path, raw, 'subscriptionGroup', 'subscription_group', isNonEmptyString);
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
      const overrides = Object.keys(OVERRIDE_KEYS);
      issues.unknownKeys(`${path}.kafka`, def.kafka, [...overrides, ...Object.keys(kafkaSettingAliases)], 'setting');
      const aliased = resolveAliases(def.kafka as Record<string, unknown>, kafkaSettingAliases, (key) => configPath(`${path}.kafka`, key));
      for (const issue of aliased.issues) issues.add(issue.path, issue.rule, issue.value);
      for (const [key, [field, check]] of Object.entries(OVERRIDE_KEYS)) {
        const value = aliased.values[key];
        issues.optional(configPath(`${path}.kafka`, aliased.written(key)), value, check);
        if (value !== undefined) fetch[field] = value as number | boolean;
      }
    }
  }
  const settings = resolveExtensions(path, raw, 'topic', { name: String(def.topic) }, defaults, issues);
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
    fetch: Object.freeze(fetch) as unknown as ResolvedFetchSettings,
    routePath: path,
    ...settings,
  } as Topic & { groupName: string };
}

/**
 * Reports every key of a route object that neither the core nor a registered feature knows; a key
 * of one of Decanter's feature packages that is not registered says what to register.
 */
function unknownRouteKeys(path: string, raw: Record<string, unknown>, core: readonly string[], level: RouteLevel, features: FeatureSet, issues: IssueList): void {
  const owned = features.extensions(level);
  for (const key of Object.keys(raw)) {
    if (core.includes(key) || owned.has(key)) continue;
    issues.add(configPath(path, key), features.unregisteredKeyRule(key) ?? unknownKeyRule(key, [...core, ...owned.keys()], 'option'), raw[key]);
  }
}

/** Resolves every registered feature's keys of one route object (each extension once, under its `field`). */
function resolveExtensions(
  path: string,
  raw: Record<string, unknown>,
  level: RouteLevel,
  route: { name: string },
  defaults: RoutingDefaults,
  issues: IssueList,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { extension } of new Set(defaults.features.extensions(level).values())) {
    if (extension.key in out) continue;
    const aliases = extension.aliases ?? [];
    const value = aliases.length === 0 ? raw[extension.key] : issues.aliasedAll(path, raw, extension.key, aliases);
    // the feature names its nested keys under the spelling the user wrote (`virtual_partitions.…`)
    const at = configPath(path, writtenKey(raw, extension.key, aliases));
    out[extension.field ?? extension.key] = extension.resolve(value, at, issues, route, defaults.app);
  }
  return out;
}

/** Runs the cross-field rules of every feature key of an active route against the app. */
function checkExtensions(path: string, resolved: object, level: RouteLevel, features: FeatureSet, app: AppContext, issues: IssueList): void {
  // an extension is listed once per key it answers to (its aliases too): check it once
  for (const extension of new Set([...features.extensions(level).values()].map((owned) => owned.extension))) {
    const value = (resolved as Record<string, unknown>)[extension.field ?? extension.key];
    extension.check?.(value, configPath(path, extension.key), issues, app);
  }
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
    issues.unknownKeys(path, cg, CONSUMER_GROUP_KEYS);
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
    const groupNames = new Set<string>();
    cg.topics.forEach((t, j) => {
      const topic = resolveTopic(`${path}.topics[${j}]`, t, groupId, defaults, issues);
      if (topic === undefined) {
        // a topic route with another problem still names its subscription group: its settings are checked, not refused as unused
        const raw = (isPlainObject(t) === null ? t : {}) as Record<string, unknown>;
        const name = raw['subscriptionGroup'] ?? raw['subscription_group'] ?? 'default';
        if (typeof name === 'string' && name.length > 0) groupNames.add(name);
        return;
      }
      if (seenTopics.has(topic.name)) {
        issues.add(`${path}.topics[${j}].topic`, 'must appear once per consumer group', topic.name);
        return;
      }
      seenTopics.add(topic.name);
      groupNames.add(topic.groupName);
      if (!topic.active) return;
      checkExtensions(topic.routePath, topic, 'topic', defaults.features, defaults.app, issues);
      const claimants = defaults.features.claimants(topic);
      if (claimants.length > 1) {
        issues.add(topic.routePath, `must be claimed by one feature's strategy at most (claimed by ${claimants.map((c) => `'${c.feature.name}'`).join(' and ')})`, topic.name);
      }
      topics.push(topic);
    });
    const settings = resolveSubscriptionGroups(path, cg.subscriptionGroups, groupNames, defaults, issues);
    if (topics.length > 0) groups.push({ id: groupId, subscriptionGroups: splitSubscriptionGroups(groupId, topics, settings) });
  });
  return groups;
}

/**
 * A consumer group route's `subscriptionGroups`: settings per subscription group name (the keys
 * features add, e.g. multiplexing), each name one that a topic of the route uses.
 */
function resolveSubscriptionGroups(
  routePath: string,
  value: unknown,
  groupNames: ReadonlySet<string>,
  defaults: RoutingDefaults,
  issues: IssueList,
): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const path = `${routePath}.subscriptionGroups`;
  const entries = (value === undefined ? {} : value) as Record<string, unknown>;
  if (isPlainObject(entries) !== null) {
    issues.add(path, 'must be an object of subscription group names to their settings', value);
    return out;
  }
  for (const name of [...Object.keys(entries), ...groupNames]) {
    if (out.has(name)) continue;
    const raw = entries[name];
    const at = configPath(path, name);
    if (raw !== undefined && !groupNames.has(name)) {
      issues.add(at, `must be the subscription group of a topic in this consumer group (topics use: ${[...groupNames].map((n) => `'${n}'`).join(', ')})`, raw);
      continue;
    }
    if (raw !== undefined && isPlainObject(raw) !== null) {
      issues.add(at, 'must be an object of subscription group settings', raw);
      continue;
    }
    const record = (raw ?? {}) as Record<string, unknown>;
    unknownRouteKeys(at, record, [], 'subscriptionGroup', defaults.features, issues);
    const resolved = resolveExtensions(at, record, 'subscriptionGroup', { name }, defaults, issues);
    checkExtensions(at, resolved, 'subscriptionGroup', defaults.features, defaults.app, issues);
    out.set(name, resolved);
  }
  return out;
}

/** Same name + same fetch and poll settings → same subscription group; otherwise a new one. */
function splitSubscriptionGroups(
  consumerGroup: string,
  topics: (Topic & { groupName: string })[],
  settings: ReadonlyMap<string, Record<string, unknown>>,
): SubscriptionGroup[] {
  const byKey = new Map<string, { id: string; name: string; topics: Topic[]; sample: Topic }>();
  const namesUsed = new Map<string, number>();
  for (const { groupName, ...topic } of topics) {
    const key = JSON.stringify([groupName, topic.maxMessages, topic.maxWaitTimeMs, topic.fetch]);
    let entry = byKey.get(key);
    if (entry === undefined) {
      const n = namesUsed.get(groupName) ?? 0;
      namesUsed.set(groupName, n + 1);
      entry = { id: n === 0 ? groupName : `${groupName}_${n}`, name: groupName, topics: [], sample: topic };
      byKey.set(key, entry);
    }
    entry.topics.push(Object.freeze({ ...topic, subscriptionGroup: entry.id }));
  }
  return [...byKey.values()].map(
    (e) =>
      Object.freeze({
        ...settings.get(e.name),
        id: e.id,
        consumerGroup,
        topics: Object.freeze(e.topics),
        maxMessages: e.sample.maxMessages,
        maxWaitTimeMs: e.sample.maxWaitTimeMs,
        fetch: e.sample.fetch,
      }) as SubscriptionGroup,
  );
}
