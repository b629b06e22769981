// The contract of the `multiplexing` key of a subscription group: every setting checked once, at
// construction, each problem named by its full path
// (routes[0].subscriptionGroups.events.multiplexing.min …), the cross-field rules included.
import { isInteger, isPlainObject, type RouteExtension } from '@decanter/consumer-core/features';
import { defaultMultiplexing, MULTIPLEXING_LIMITS, type ResolvedMultiplexing } from './options';

const KEYS = ['min', 'max', 'boot', 'scaleDelayMs', 'scale_delay_ms'];
const CONNECTIONS = isInteger(1, MULTIPLEXING_LIMITS.maxConnections);

export const multiplexingRoute: RouteExtension<ResolvedMultiplexing | null> = {
  key: 'multiplexing',
  level: 'subscriptionGroup',
  resolve(value, path, issues) {
    if (value === undefined || value === null || value === false) return null;
    if (isPlainObject(value) !== null) {
      issues.add(path, 'must be { max, min?, boot?, scaleDelayMs? }', value);
      return null;
    }
    const raw = value as Record<string, unknown>;
    const before = issues.issues.length;
    issues.unknownKeys(path, raw, KEYS);
    issues.required(`${path}.max`, raw['max'], CONNECTIONS);
    issues.optional(`${path}.min`, raw['min'], CONNECTIONS);
    issues.optional(`${path}.boot`, raw['boot'], CONNECTIONS);
    const scaleDelayMs = issues.optionalAliased(path, raw, 'scaleDelayMs', 'scale_delay_ms', isInteger(MULTIPLEXING_LIMITS.minScaleDelayMs, Number.MAX_SAFE_INTEGER));
    if (issues.issues.length > before) return null;
    const max = raw['max'] as number;
    const min = (raw['min'] as number | undefined) ?? max;
    if (min > max) {
      issues.add(`${path}.min`, `must be at most max (${max})`, min);
      return null;
    }
    const boot = (raw['boot'] as number | undefined) ?? (min === max ? max : Math.ceil((min + max) / 2));
    if (boot < min || boot > max) {
      issues.add(`${path}.boot`, `must be between min (${min}) and max (${max})`, boot);
      return null;
    }
    return Object.freeze({ min, max, boot, scaleDelayMs: (scaleDelayMs as number | undefined) ?? defaultMultiplexing.scaleDelayMs, dynamic: min < max });
  },
};
