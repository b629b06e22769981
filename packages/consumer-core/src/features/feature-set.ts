// The features an App runs with: the built-in ones plus those the user registered, checked once
// at construction (unique names, unique route keys, well-formed parts). Answers the router (which
// extension owns a key; which package to register for a key nobody owns) and the runners (a
// topic's strategy and behaviours, a subscription group's connections). Every problem is added to
// the caller's IssueList with its path, so one ConfigurationError lists them all.
import { SINGLE_CONNECTION, type ConnectionCount, type ConnectionsPlan } from '../connection/connections-plan';
import { IssueList, isNonEmptyString, isPlainObject } from '../contract-rules';
import { combineFailurePolicies, type FailurePolicy } from '../processing/strategies/failure-policy';
import { defaultStrategy } from '../processing/strategies/default-strategy';
import type { PartitionStrategy } from '../processing/strategies/partition-strategy';
import type { RouteExtension, RouteLevel } from '../routing/route-extension';
import type { SubscriptionGroup } from '../routing/subscription-group';
import type { Topic } from '../routing/topic';
import { builtInFeatures } from './built-in-features';
import type { Feature } from './feature';
import type { BehaviourContext, IdleHook } from './topic-behaviour';

/** A route key owned by a registered feature. */
export interface OwnedExtension {
  readonly extension: RouteExtension;
  readonly feature: Feature;
}

/** Keys of Decanter's own feature packages: a key of one that is not registered says what to register. */
export const KNOWN_FEATURE_KEYS: Readonly<Record<string, { readonly feature: string; readonly packageName: string; readonly factory: string }>> = Object.freeze({
  virtualPartitions: { feature: 'virtual-partitions', packageName: '@decanter/virtual-partitions', factory: 'virtualPartitions()' },
  virtual_partitions: { feature: 'virtual-partitions', packageName: '@decanter/virtual-partitions', factory: 'virtualPartitions()' },
  multiplexing: { feature: 'multiplexing', packageName: '@decanter/multiplexing', factory: 'multiplexing()' },
});

/** What a topic runs with: its strategy and what the features add to its partitions. */
export interface TopicFeatures {
  readonly strategy: PartitionStrategy;
  readonly manualOffsetManagement: boolean;
  readonly failurePolicy: FailurePolicy;
  /** Hook jobs for idle partitions, in the order they are asked. */
  readonly idleHooks: readonly IdleHook[];
}

const FEATURE_KEYS = ['name', 'packageName', 'routes', 'strategy', 'behaviour', 'connections'];

export class FeatureSet {
  readonly features: readonly Feature[];
  readonly #extensions = new Map<RouteLevel, Map<string, OwnedExtension>>([
    ['topic', new Map()],
    ['subscriptionGroup', new Map()],
  ]);

  /**
   * `registered` is the App's `features` option (validated here, problems under `path`); the
   * built-in features come after it, so a registered feature's strategy claims topics first.
   * `reservedKeys` are the core's own route keys (per level), which no feature may take.
   */
  constructor(registered: unknown, issues: IssueList, reservedKeys: Readonly<Record<RouteLevel, readonly string[]>> = { topic: [], subscriptionGroup: [] }, path = 'options.features') {
    const registeredAt: Array<{ f: Feature; at: string }> = [];
    const names = new Map<string, string>();
    const list = registered === undefined ? [] : registered;
    if (!Array.isArray(list)) {
      issues.add(path, 'must be an array of features (e.g. [virtualPartitions()])', registered);
    } else {
      list.forEach((f, i) => {
        if (checkFeature(f, `${path}[${i}]`, issues)) registeredAt.push({ f, at: `${path}[${i}]` });
      });
    }
    // built-in names first, so a registered feature that reuses one is the one reported
    const builtIns = builtInFeatures().map((f) => ({ f, at: `built-in feature '${f.name}'` }));
    const kept = new Set<Feature>();
    for (const { f, at } of [...builtIns, ...registeredAt]) {
      const earlier = names.get(f.name);
      if (earlier !== undefined) {
        issues.add(`${at}.name`, `must be unique: ${earlier} is already named '${f.name}'`, f.name);
        continue;
      }
      names.set(f.name, at);
      kept.add(f);
      (f.routes ?? []).forEach((ext, j) => this.#addExtension(ext, f, `${at}.routes[${j}]`, issues, reservedKeys));
    }
    // registered features come first: their strategies claim topics before the default
    const all = [...registeredAt, ...builtIns];
    this.features = Object.freeze(all.filter(({ f }) => kept.has(f)).map(({ f }) => f));
  }

  /** The extensions of one level, by every key and alias they answer to. */
  extensions(level: RouteLevel): ReadonlyMap<string, OwnedExtension> {
    return this.#extensions.get(level)!;
  }

  /** What to say about a key no registered feature owns: a hint naming the package, or null. */
  unregisteredKeyRule(key: string): string | null {
    const known = KNOWN_FEATURE_KEYS[key];
    if (known === undefined) return null;
    return `belongs to the feature '${known.feature}', which is not registered: add features: [${known.factory}] from ${known.packageName} to the App options`;
  }

  /** The features that claim `topic` with their own strategy (the router reports more than one). */
  claimants(topic: Topic): Array<{ feature: Feature; strategy: PartitionStrategy }> {
    const out: Array<{ feature: Feature; strategy: PartitionStrategy }> = [];
    for (const feature of this.features) {
      const strategy = feature.strategy?.(topic) ?? null;
      if (strategy !== null) out.push({ feature, strategy });
    }
    return out;
  }

  /** The topic's strategy (the first claimant's, else the default) and its features' behaviours, for one runner. */
  forTopic(topic: Topic, context: BehaviourContext): TopicFeatures {
    const strategy = this.claimants(topic)[0]?.strategy ?? defaultStrategy();
    let manualOffsetManagement = false;
    const policies: FailurePolicy[] = [];
    const idleHooks: IdleHook[] = [];
    for (const feature of this.features) {
      const b = feature.behaviour?.(topic, context) ?? null;
      if (b === null) continue;
      if (b.manualOffsetManagement === true) manualOffsetManagement = true;
      if (b.failures !== undefined) policies.push(b.failures);
      if (b.idle !== undefined) idleHooks.push(b.idle);
    }
    return Object.freeze({ strategy, manualOffsetManagement, failurePolicy: combineFailurePolicies(policies), idleHooks: Object.freeze(idleHooks) });
  }

  /** The connections of a subscription group: the first plan that speaks for it, else one. */
  connectionsFor(group: SubscriptionGroup): ConnectionCount {
    return this.connectionsPlanFor(group).count;
  }

  /** The count and the plan that gave it (its assigner and scaler apply to the group), or the core's single connection and no plan. */
  connectionsPlanFor(group: SubscriptionGroup): { count: ConnectionCount; plan: ConnectionsPlan | null } {
    for (const feature of this.features) {
      const count = feature.connections?.connections(group) ?? null;
      if (count !== null) return { count, plan: feature.connections ?? null };
    }
    return { count: SINGLE_CONNECTION, plan: null };
  }

  #addExtension(ext: unknown, feature: Feature, path: string, issues: IssueList, reserved: Readonly<Record<RouteLevel, readonly string[]>>): void {
    if (isPlainObject(ext) !== null || typeof (ext as RouteExtension).resolve !== 'function') {
      issues.add(path, 'must be a route extension { key, level, resolve }', ext);
      return;
    }
    const e = ext as RouteExtension;
    if (e.level !== 'topic' && e.level !== 'subscriptionGroup') {
      issues.add(`${path}.level`, "must be 'topic' or 'subscriptionGroup'", e.level);
      return;
    }
    const keys = [e.key, ...(e.aliases ?? [])];
    const owned = this.#extensions.get(e.level)!;
    for (const key of keys) {
      if (isNonEmptyString(key) !== null) {
        issues.add(`${path}.key`, 'must be a non-empty string', key);
        return;
      }
      const taken = owned.get(key);
      if (taken !== undefined) {
        issues.add(`${path}.key`, `must be unique: '${key}' is a key of the feature '${taken.feature.name}'`, key);
        return;
      }
      if (reserved[e.level].includes(key)) {
        issues.add(`${path}.key`, `must not be one of Decanter's own ${e.level === 'topic' ? 'topic route' : 'subscription group'} keys`, key);
        return;
      }
    }
    for (const key of keys) owned.set(key, { extension: e, feature });
  }
}

/** A registered feature's shape: what can be checked before it runs. */
function checkFeature(f: unknown, path: string, issues: IssueList): f is Feature {
  if (isPlainObject(f) !== null) {
    issues.add(path, 'must be a feature object (e.g. virtualPartitions())', f);
    return false;
  }
  const raw = f as Record<string, unknown>;
  const before = issues.issues.length;
  issues.unknownKeys(path, raw, FEATURE_KEYS);
  issues.required(`${path}.name`, raw['name'], isNonEmptyString);
  issues.optional(`${path}.packageName`, raw['packageName'], isNonEmptyString);
  issues.optional(`${path}.routes`, raw['routes'], (v) => (Array.isArray(v) ? null : 'must be an array of route extensions'));
  for (const key of ['strategy', 'behaviour']) issues.optional(`${path}.${key}`, raw[key], (v) => (typeof v === 'function' ? null : 'must be a function'));
  issues.optional(`${path}.connections`, raw['connections'], (v) =>
    isPlainObject(v) === null && typeof (v as { connections?: unknown }).connections === 'function' ? null : 'must be a connections plan { connections(group) }',
  );
  return issues.issues.length === before;
}
