// The multiplexing key of a subscription group: every setting checked at construction, named by
// its full path; the defaults (min = max: static; boot = max when static, else the middle); a
// key of the feature without the feature registered names the package.
import { join } from 'node:path';
import { App, ConfigurationError, type AppOptions } from '@decanter/consumer-core';
import { multiplexing } from '@decanter/multiplexing';

const consumer = { module: join(__dirname, 'fixtures', 'mux-consumers.ts'), export: 'NoopConsumer' };
const options = (mux: unknown, features = [multiplexing()]): AppOptions => ({
  kafka: { 'bootstrap.servers': '127.0.0.1:9092', 'group.id': 'g' },
  features,
  routes: [{ subscriptionGroups: { events: { multiplexing: mux as never } }, topics: [{ topic: 't', subscriptionGroup: 'events', consumer }] }],
});
const group = (mux: unknown) => new App(options(mux)).routing[0]!.subscriptionGroups[0]!;
const problems = (opts: AppOptions): string[] => {
  try {
    new App(opts);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).issues.map((i) => `${i.path} ${i.rule}`);
  }
  throw new Error('expected a ConfigurationError');
};
const at = 'routes[0].subscriptionGroups.events.multiplexing';

test('max alone is static multiplexing: min = boot = max, the default scale delay', () => {
  expect(group({ max: 3 }).multiplexing).toEqual({ min: 3, max: 3, boot: 3, scaleDelayMs: 300_000, dynamic: false });
});

test('min < max scales; boot defaults to the middle, rounded up', () => {
  expect(group({ min: 1, max: 4 }).multiplexing).toMatchObject({ min: 1, max: 4, boot: 3, dynamic: true });
  expect(group({ min: 1, max: 4, boot: 1, scale_delay_ms: 2000 }).multiplexing).toMatchObject({ boot: 1, scaleDelayMs: 2000 });
});

test('a subscription group without the key runs one connection', () => {
  const app = new App({ ...options(undefined), routes: [{ topics: [{ topic: 't', consumer }] }] });
  const g = app.routing[0]!.subscriptionGroups[0]!;
  expect(g.multiplexing).toBeNull();
  expect(app.features.connectionsFor(g)).toEqual({ boot: 1, min: 1, max: 1 });
});

test('the connections plan gives the resolved bounds', () => {
  const app = new App(options({ min: 2, max: 5, boot: 4 }));
  expect(app.features.connectionsFor(app.routing[0]!.subscriptionGroups[0]!)).toEqual({ boot: 4, min: 2, max: 5 });
});

test.each<[string, unknown, string]>([
  ['not an object', 4, `${at} must be { max, min?, boot?, scaleDelayMs? }`],
  ['no max', { min: 2 }, `${at}.max is required`],
  ['max 0', { max: 0 }, `${at}.max must be an integer between 1 and 64`],
  ['max above 64', { max: 65 }, `${at}.max must be an integer between 1 and 64`],
  ['a fractional min', { min: 1.5, max: 4 }, `${at}.min must be an integer between 1 and 64`],
  ['min above max', { min: 5, max: 4 }, `${at}.min must be at most max (4)`],
  ['boot outside the bounds', { min: 2, max: 4, boot: 1 }, `${at}.boot must be between min (2) and max (4)`],
  ['a scale delay under a second', { min: 1, max: 2, scaleDelayMs: 10 }, `${at}.scaleDelayMs must be an integer >= 1000`],
  ['a misspelt key', { max: 2, maximum: 3 }, `${at}.maximum is not a known option`],
])('%s', (_name, mux, message) => {
  expect(problems(options(mux))).toContain(message);
});

test('without the feature registered, the key names the package to register', () => {
  expect(problems(options({ max: 2 }, []))).toContain(
    `${at} belongs to the feature 'multiplexing', which is not registered: add features: [multiplexing()] from @decanter/multiplexing to the App options`,
  );
});

test("a topic route with another problem still has its subscription group's settings checked (not refused as unused)", () => {
  const opts = options({ min: 5, max: 4 });
  const bad = { ...opts, routes: [{ ...opts.routes[0]!, topics: [{ topic: 't', subscriptionGroup: 'events', consumer: { module: '/nowhere/consumer.ts', export: 'X' } }] }] };
  const found = problems(bad);
  expect(found).toContain(`${at}.min must be at most max (4)`);
  expect(found.some((p) => p.startsWith('routes[0].subscriptionGroups.events must be the subscription group'))).toBe(false);
});
