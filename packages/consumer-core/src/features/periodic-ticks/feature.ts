// Periodic ticks (Karafka's periodic jobs), a built-in feature registered by default: a route with
// `periodic: true` or `{ intervalMs }` runs the consumer's `tick()` (with no messages) on every
// assigned partition of the topic on which no other job ran within the interval, paused or not.
import { isInteger, isPlainObject } from '../../contract-rules';
import type { RouteExtension } from '../../routing/route-extension';
import type { Feature } from '../feature';

/** A periodic `tick()` for the topic's partitions (also when no messages arrive). */
export interface PeriodicDefinition {
  /** How often `tick()` runs per assigned partition when no job ran on it within that time, in ms. Default 5000. Alias `interval`. */
  intervalMs?: number;
  interval?: number;
}

declare module '../../routing/route-extension' {
  interface TopicRouteExtensions {
    /** `true` or `{ intervalMs }`: call the consumer's `tick()` periodically per partition. Default: off. */
    periodic?: boolean | PeriodicDefinition;
  }
  interface TopicSettings {
    /** Interval of the periodic `tick()`, ms, or null when the route is not periodic. */
    readonly periodicIntervalMs?: number | null;
  }
}

const DEFAULT_PERIODIC_INTERVAL_MS = 5_000;

const periodicRoute: RouteExtension<number | null> = {
  key: 'periodic',
  field: 'periodicIntervalMs',
  level: 'topic',
  resolve(value, path, issues) {
    if (value === undefined || value === false) return null;
    if (value === true) return DEFAULT_PERIODIC_INTERVAL_MS;
    if (isPlainObject(value) !== null) {
      issues.add(path, 'must be a boolean or { intervalMs }', value);
      return null;
    }
    const raw = value as Record<string, unknown>;
    issues.unknownKeys(path, raw, ['intervalMs', 'interval']);
    const interval = issues.optionalAliased(path, raw, 'intervalMs', 'interval', isInteger(1));
    return typeof interval === 'number' ? interval : DEFAULT_PERIODIC_INTERVAL_MS;
  },
};

export const PERIODIC_TICKS_FEATURE = 'periodic-ticks';

export function periodicTicks(): Feature {
  return {
    name: PERIODIC_TICKS_FEATURE,
    packageName: '@decanter/consumer-core',
    routes: [periodicRoute],
    behaviour(topic) {
      const interval = topic.periodicIntervalMs ?? null;
      if (interval === null) return null;
      return { idle: { due: (partition, now) => (now - partition.lastJobAt >= interval ? 'tick' : null) } };
    },
  };
}
