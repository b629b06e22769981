// The rebalance drain option: validated at construction, named in the error, aliased, resolved.
import { join } from 'node:path';
import { App, ConfigurationError, defaultAppOptions } from '@decanter/consumer-core';

const consumer = { module: join(__dirname, 'fixtures', 'noop-consumer'), export: 'NoopConsumer' };
const base = { kafka: { 'bootstrap.servers': '127.0.0.1:1', 'group.id': 'g' }, routes: [{ topics: [{ topic: 't', consumer }] }] };

test('rebalanceDrainTimeoutMs must be an integer >= 0', () => {
  expect(() => new App({ ...base, rebalanceDrainTimeoutMs: -1 })).toThrow(ConfigurationError);
  expect(() => new App({ ...base, rebalanceDrainTimeoutMs: 1.5 })).toThrow(/options\.rebalanceDrainTimeoutMs must be an integer >= 0 \(got 1\.5\)/);
});

test('rebalanceDrainTimeoutMs defaults to 0 (no wait) and accepts its snake_case alias', () => {
  expect(defaultAppOptions.rebalanceDrainTimeoutMs).toBe(0);
  expect(new App(base).options.rebalanceDrainTimeoutMs).toBe(0);
  expect(new App({ ...base, rebalance_drain_timeout: 2500 }).options.rebalanceDrainTimeoutMs).toBe(2500);
});
