import { Monitor } from '@decanter/consumer-core';

test('a throwing listener is reported as error.occurred and does not stop the others', () => {
  const monitor = new Monitor();
  const seen: string[] = [];
  monitor.subscribe('poll.started', () => {
    throw new Error('listener bug');
  });
  monitor.subscribe('poll.started', () => seen.push('second'));
  monitor.subscribe('error.occurred', (e) => seen.push(`${e.type}: ${e.error.message}`));
  monitor.notify('poll.started', { consumerGroup: 'g', subscriptionGroup: 's' });
  expect(seen).toEqual(['instrumentation.listener.error: listener bug', 'second']);
});

test('subscribe returns an unsubscribe function', () => {
  const monitor = new Monitor();
  let calls = 0;
  const off = monitor.subscribe('poll.started', () => (calls += 1));
  monitor.notify('poll.started', { consumerGroup: 'g', subscriptionGroup: 's' });
  off();
  monitor.notify('poll.started', { consumerGroup: 'g', subscriptionGroup: 's' });
  expect(calls).toBe(1);
});
