// Dynamic multiplexing's decisions on windows of samples, and the scaler driving a control: one
// step per scale delay, never past min or max, each step an event with its reason, a refused or
// failed step reported and retried only after another full window.
import type { ConnectionsControl, ConnectionView } from '@decanter/consumer-core/features';
import { Monitor } from '../../../consumer-core/src/instrumentation/monitor';
import { decide, MultiplexingScaler } from '../../src/scaler';

const view = (connection: number, over: Partial<ConnectionView> = {}): ConnectionView => ({ connection, partitions: 2, lag: 0, busy: false, bufferedBytes: 0, rebalancing: false, ...over });
const bounds = { min: 1, max: 4 };
const windowOf = (n: number, sample: () => ConnectionView[]): ConnectionView[][] => Array.from({ length: n }, sample);

describe('decide', () => {
  test('lagging in every sample, every connection holding two or more partitions: up', () => {
    // the threshold is per connection: 600 behind over 2 connections is not lagging at 500 each
    expect(decide(windowOf(5, () => [view(0, { lag: 600 }), view(1, { lag: 0 })]), bounds, 500)).not.toEqual({ step: 'up', reason: 'lagging' });
    expect(decide(windowOf(5, () => [view(0, { lag: 1100 }), view(1, { lag: 0 })]), bounds, 500)).toEqual({ step: 'up', reason: 'lagging' });
  });

  test('lagging in all but one sample is not lagging', () => {
    const samples = windowOf(5, () => [view(0, { lag: 600 })]);
    samples[2] = [view(0, { lag: 10 })];
    expect(decide(samples, bounds, 500)).toBeNull();
  });

  test('busy on every connection in 90% of the samples: up', () => {
    const samples = windowOf(10, () => [view(0, { busy: true }), view(1, { busy: true })]);
    samples[3] = [view(0, { busy: true }), view(1)];
    expect(decide(samples, bounds, 500)).toEqual({ step: 'up', reason: 'busy' });
  });

  test('no step up when a connection holds one partition (a new one would get nothing from it), nor at max', () => {
    expect(decide(windowOf(5, () => [view(0, { lag: 900 }), view(1, { partitions: 1, lag: 900 })]), bounds, 500)).toBeNull();
    expect(decide(windowOf(5, () => [0, 1, 2, 3].map((i) => view(i, { lag: 900 }))), bounds, 500)).toBeNull();
  });

  test('a connection that held nothing in the whole window goes first', () => {
    expect(decide(windowOf(5, () => [view(0, { lag: 900 }), view(1, { partitions: 0 }), view(2)]), bounds, 500)).toEqual({ step: 'down', reason: 'unassigned', connection: 1 });
  });

  test('idle (never lagging, rarely busy): the last connection goes; never below min', () => {
    expect(decide(windowOf(10, () => [view(0), view(2)]), bounds, 500)).toEqual({ step: 'down', reason: 'idle', connection: 2 });
    expect(decide(windowOf(10, () => [view(0)]), bounds, 500)).toBeNull();
    const halfBusy = windowOf(10, () => [view(0), view(1)]);
    for (let i = 0; i < 5; i++) halfBusy[i] = [view(0, { busy: true }), view(1)];
    expect(decide(halfBusy, bounds, 500)).toBeNull();
  });

  test('a rebalance anywhere in the window: no step', () => {
    const samples = windowOf(5, () => [view(0, { lag: 900 }), view(1, { lag: 900 })]);
    samples[0] = [view(0, { rebalancing: true }), view(1)];
    expect(decide(samples, bounds, 500)).toBeNull();
  });
});

describe('MultiplexingScaler', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function control(views: () => ConnectionView[], add: () => Promise<number | null>) {
    const monitor = new Monitor();
    const events: Array<[string, unknown]> = [];
    monitor.on('multiplexing.scaled_up', (e) => events.push(['up', e]));
    monitor.on('multiplexing.scaled_down', (e) => events.push(['down', e]));
    monitor.on('error.occurred', (e) => events.push(['error', e]));
    const adds = jest.fn(add);
    const c: ConnectionsControl = {
      group: { id: 'events', consumerGroup: 'g', topics: [], maxMessages: 100, maxWaitTimeMs: 100, fetch: {} as never },
      count: { boot: 1, min: 1, max: 4 },
      monitor,
      view: views,
      add: adds,
      remove: jest.fn(async () => true),
    };
    return { c, events, adds };
  }

  test('one step per scale delay while the group lags, each an event with its reason', async () => {
    let n = 1;
    const { c, events, adds } = control(
      () => Array.from({ length: n }, (_, i) => view(i, { partitions: 8 / n, lag: 1000 })),
      async () => n++,
    );
    const scaler = new MultiplexingScaler(c, { min: 1, max: 4, boot: 1, scaleDelayMs: 1000, dynamic: true });
    await jest.advanceTimersByTimeAsync(999);
    expect(adds).not.toHaveBeenCalled(); // the first window is not over
    await jest.advanceTimersByTimeAsync(10_000);
    scaler.stop();
    expect(n).toBe(4); // and no further: max
    expect(events.map(([k, e]) => [k, (e as { from: number; to: number; reason: string }).reason, (e as { to: number }).to])).toEqual([
      ['up', 'lagging', 2],
      ['up', 'lagging', 3],
      ['up', 'lagging', 4],
    ]);
  });

  test('a failed step is reported and not retried before another window', async () => {
    const { c, events, adds } = control(
      () => [view(0, { partitions: 4, lag: 1000 })],
      async () => {
        throw new Error('join failed');
      },
    );
    const scaler = new MultiplexingScaler(c, { min: 1, max: 4, boot: 1, scaleDelayMs: 1000, dynamic: true });
    await jest.advanceTimersByTimeAsync(1500);
    expect(adds).toHaveBeenCalledTimes(1);
    expect(events[0]).toEqual(['error', expect.objectContaining({ type: 'multiplexing.scaling.error', subscriptionGroup: 'events' })]);
    await jest.advanceTimersByTimeAsync(400); // 900 ms after the failure
    expect(adds).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(200);
    expect(adds).toHaveBeenCalledTimes(2);
    scaler.stop();
  });

  test('stopped: no more samples or steps', async () => {
    const { c, adds } = control(() => [view(0, { partitions: 4, lag: 1000 })], async () => 1);
    new MultiplexingScaler(c, { min: 1, max: 4, boot: 1, scaleDelayMs: 1000, dynamic: true }).stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(adds).not.toHaveBeenCalled();
  });
});
