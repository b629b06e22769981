// The contract of the `virtualPartitions` key: every setting checked once, at construction,
// each problem named by its full path (routes[0].topics[1].virtualPartitions.maxPartitions …).
import { isBoolean, isInteger, isOneOf, isPlainObject, type RouteExtension } from '@decanter/consumer-core/features';
import { defaultVirtualPartitions, MAX_VIRTUAL_PARTITIONS, type ResolvedVirtualPartitions } from './options';

const PARTITIONER_RULE = "must be a function (message) => key, or one of 'key', 'round-robin', 'header:<name>'";
const KEYS = ['partitioner', 'maxPartitions', 'max_partitions', 'reducer', 'distribution', 'offsetMetadata', 'offset_metadata'];

export const virtualPartitionsRoute: RouteExtension<ResolvedVirtualPartitions | null> = {
  key: 'virtualPartitions',
  aliases: ['virtual_partitions'],
  level: 'topic',
  resolve(value, path, issues, _route, app) {
    if (value === undefined || value === null || value === false) return null;
    if (isPlainObject(value) !== null) {
      issues.add(path, 'must be { partitioner, maxPartitions?, reducer?, distribution?, offsetMetadata? }', value);
      return null;
    }
    const raw = value as Record<string, unknown>;
    issues.unknownKeys(path, raw, KEYS);
    const partitioner = raw['partitioner'];
    issues.required(`${path}.partitioner`, partitioner, (v) =>
      typeof v === 'function' || v === 'key' || v === 'round-robin' || (typeof v === 'string' && /^header:.+$/.test(v)) ? null : PARTITIONER_RULE,
    );
    const maxPartitions = issues.optionalAliased(path, raw, 'maxPartitions', 'max_partitions', isInteger(1, MAX_VIRTUAL_PARTITIONS));
    issues.optional(`${path}.reducer`, raw['reducer'], (v) => (typeof v === 'function' ? null : 'must be a function (key, count) => index'));
    issues.optional(`${path}.distribution`, raw['distribution'], isOneOf(['consistent', 'balanced']));
    const offsetMetadata = issues.optionalAliased(path, raw, 'offsetMetadata', 'offset_metadata', isBoolean);
    return Object.freeze({
      partitioner: partitioner as ResolvedVirtualPartitions['partitioner'],
      // the default is clamped, not refused: the user wrote no maxPartitions to fix, and valid App
      // settings (concurrency up to 256, concurrentJobsPerThread up to 1024) multiply past the cap
      maxPartitions: typeof maxPartitions === 'number' ? maxPartitions : Math.min(MAX_VIRTUAL_PARTITIONS, Math.max(1, app.concurrency * app.concurrentJobsPerThread)),
      reducer: typeof raw['reducer'] === 'function' ? (raw['reducer'] as ResolvedVirtualPartitions['reducer']) : null,
      distribution: (raw['distribution'] as ResolvedVirtualPartitions['distribution'] | undefined) ?? defaultVirtualPartitions.distribution,
      offsetMetadata: (offsetMetadata as boolean | undefined) ?? defaultVirtualPartitions.offsetMetadata,
    });
  },
};
