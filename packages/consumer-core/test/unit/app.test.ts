// App lifecycle without a broker: consumer classes are loaded in a worker thread at start() and a
// wrong export fails the boot with a ConfigurationError naming the route (before any connection).
import { join } from 'node:path';
import { App, ConfigurationError, type AppState } from '@decanter/consumer-core';

const consumerModule = join(__dirname, 'fixtures', 'noop-consumer');
const app = (exportName: string): App =>
  new App({
    kafka: { 'bootstrap.servers': '127.0.0.1:1', 'group.id': 'g' },
    concurrency: 1,
    routes: [{ topics: [{ topic: 'a', consumer: { module: consumerModule, export: exportName } }] }],
  });

test('a route naming a missing export fails start() with the route path', async () => {
  const a = app('Missing');
  const states: AppState[] = [];
  a.on('app.state.changed', (e) => states.push(e.to));
  const error = await a.start().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigurationError);
  const issue = (error as ConfigurationError).issues[0]!;
  expect(issue.path).toBe('routes[0].topics[0].consumer');
  expect(issue.rule).toContain("Export 'Missing' of");
  expect(issue.rule).toContain('is not a class extending Consumer');
  expect(states).toEqual(['starting', 'stopped']);
  expect(await a.stop()).toEqual({ timedOut: false });
});

test('stop() before start() is a no-op that ends in stopped', async () => {
  const a = app('NoopConsumer');
  expect(await a.stop()).toEqual({ timedOut: false });
  expect(a.state).toBe('stopped');
});
