import { LoggerListener, Monitor } from '@decanter/consumer-core';

test('prints the poll and job lines', () => {
  const monitor = new Monitor();
  const lines: string[] = [];
  const log = (m: string): void => void lines.push(m);
  const listener = new LoggerListener(monitor, { info: log, warn: log, error: log, debug: log });
  const scope = { consumerGroup: 'g', subscriptionGroup: 'default' };
  monitor.notify('poll.completed', { ...scope, messages: 100, partitions: 2, durationMs: 3.2 });
  monitor.notify('poll.completed', { ...scope, messages: 0, partitions: 0, durationMs: 1000 });
  const job = { ...scope, topic: 'orders', partition: 0, consumer: 'OrdersConsumer', messages: 10, firstOffset: 0, lastOffset: 9, lane: 0 };
  const done = { ...job, processingLatencyMs: 1, consumptionLatencyMs: 5, maxConsumptionLatencyMs: 6, threadId: 1, markedOffset: 10 };
  monitor.notify('consumer.consumed', { ...done, durationMs: 12.4, success: true });
  monitor.notify('consumer.consumed', { ...done, durationMs: 2, success: false });
  listener.close();
  monitor.notify('poll.completed', { ...scope, messages: 5, partitions: 1, durationMs: 1 });
  expect(lines).toEqual([
    '[default] Polled 100 messages in 3 ms',
    'Consume job for OrdersConsumer on orders-0 finished in 12 ms',
    'Consume job for OrdersConsumer on orders-0 failed in 2 ms',
  ]);
});

test('warns about processed work a lost partition could not commit (the duplicates to come)', () => {
  const monitor = new Monitor();
  const lines: string[] = [];
  const listener = new LoggerListener(monitor, { info: () => undefined, warn: (m) => void lines.push(m), error: () => undefined });
  monitor.notify('offsets.discarded', {
    consumerGroup: 'g',
    subscriptionGroup: 'default',
    topic: 'orders',
    partition: 3,
    fromOffset: 100,
    toOffset: 140,
    messages: 40,
    reason: 'finished-after-revocation',
  });
  listener.close();
  expect(lines).toEqual([
    'Lost orders-3 with 40 processed but uncommitted messages (100..139, finished-after-revocation): the next owner processes them again',
  ]);
});
