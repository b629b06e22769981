// The public entries of the published packages (each package root and each subpath of its
// `exports`), read from the packages' package.json so a new subpath is covered by the packaging
// tests the day it is added, and a few exports per entry the tests use by name.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { publishablePackages } from './tarball-project';

export interface PublicEntry {
  /** what a user imports, e.g. '@decanter/consumer-core/testing' */
  specifier: string;
  packageName: string;
  /** the `exports` key, e.g. './testing' */
  subpath: string;
}

export function publicEntries(): PublicEntry[] {
  return publishablePackages().flatMap((pkg) => {
    const manifest = JSON.parse(readFileSync(path.join(pkg.dir, 'package.json'), 'utf8')) as {
      exports?: Record<string, unknown>;
    };
    return Object.keys(manifest.exports ?? { '.': null })
      .filter((subpath) => subpath !== './package.json')
      .map((subpath) => ({
        specifier: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
        packageName: pkg.name,
        subpath,
      }));
  });
}

/**
 * Per entry: runtime exports that must be functions (classes or functions), and type-only exports.
 * Every public entry must be listed (a test checks), so a new entry gets its sample on purpose.
 */
export const SAMPLE_EXPORTS: Record<string, { functions: string[]; types: string[] }> = {
  '@decanter/consumer-core': {
    functions: ['App', 'Consumer', 'Monitor', 'DecanterError'],
    types: ['AppOptions', 'RoutesDefinition'],
  },
  '@decanter/consumer-core/testing': {
    functions: ['createTestingKit', 'TestingKit'],
    types: ['TestConsumer', 'FedMessage'],
  },
  '@decanter/consumer-core/features': {
    functions: ['deadLetterQueue', 'ContiguousLedger'],
    types: ['Feature', 'PartitionStrategy'],
  },
  '@decanter/producer': {
    functions: ['Producer', 'LoggerListener', 'DecanterError'],
    types: ['ProducerOptions', 'DeliveryReport'],
  },
  '@decanter/producer/errors': { functions: ['DeliveryError', 'isDecanterError'], types: ['ProducerErrorCode'] },
  '@decanter/producer/testing': { functions: ['FakeProducer', 'ProducedLog'], types: ['FakeProducerOptions', 'WrittenMessage'] },
  '@decanter/virtual-partitions': { functions: ['virtualPartitions', 'byKey'], types: ['VirtualPartitionsDefinition'] },
  '@decanter/multiplexing': { functions: ['multiplexing', 'stickyAssigner'], types: ['MultiplexingDefinition'] },
};
