// Claim: a codec whose package is not installed is a clear ConfigurationError at construction
// (naming the key, the codec and the package to install), never a failure at first send.
import type { ConfigurationError } from '@decanter/producer';

it('names the missing package for lz4', () => {
  jest.isolateModules(() => {
    jest.doMock('lz4-napi', () => {
      throw new Error("Cannot find module 'lz4-napi'");
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { resolveProducerOptions } = require('../../../src/options-contract') as typeof import('../../../src/options-contract');
    let error: unknown;
    try {
      resolveProducerOptions({ kafka: { 'bootstrap.servers': '127.0.0.1:9092', 'compression.codec': 'lz4' } });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigurationError).code).toBe('CONFIGURATION_INVALID');
    expect((error as ConfigurationError).issues).toEqual([
      {
        path: "kafka['compression.codec']",
        rule: "'lz4' needs the optional package 'lz4-napi' (add it to your project's dependencies), which could not be loaded: Cannot find module 'lz4-napi'",
        value: 'lz4',
      },
    ]);
  });
});
