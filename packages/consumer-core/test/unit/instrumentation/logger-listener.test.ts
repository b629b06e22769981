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

test('prints the flow-control lines: resume, DLQ, hooks, a held prefetch buffer, a restarted listener', () => {
  const monitor = new Monitor();
  const lines: string[] = [];
  const at = (level: string) => (m: string): void => void lines.push(`${level} ${m}`);
  const listener = new LoggerListener(monitor, { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') });
  const scope = { consumerGroup: 'g', subscriptionGroup: 'default' };
  const partition = { ...scope, topic: 'orders', partition: 2 };
  monitor.notify('partition.resumed', { ...partition, offset: 40, timeoutMs: 0, reason: 'error', attempt: 0 });
  const dlq = { ...partition, offset: 41, deadLetterTopic: 'orders.dlq', attempts: 3, errorClass: 'TypeError', isolation: null };
  monitor.notify('dlq.dispatched', { ...dlq, deadLetterPartition: 0, deadLetterOffset: '7', durationMs: 3 });
  monitor.notify('partition.paused', { ...partition, offset: 44, timeoutMs: 0, reason: 'isolation', attempt: 0 });
  const isolation = { firstOffset: 40, lastOffset: 49, messages: 10, jobs: 4 };
  monitor.notify('dlq.dispatched', { ...dlq, offset: 45, isolation, deadLetterPartition: 0, deadLetterOffset: '8', durationMs: 3 });
  monitor.notify('consumer.hooked', { ...partition, hook: 'eofed', consumer: 'OrdersConsumer', durationMs: 1.2, success: true });
  monitor.notify('consumer.hooked', { ...partition, hook: 'tick', consumer: 'OrdersConsumer', durationMs: 4, success: false });
  monitor.notify('listener.buffer.held', { ...scope, bufferedBytes: 65_536 * 1024, limitBytes: 65_536 * 1024, durationMs: 120.4 });
  monitor.notify('listener.restarted', scope);
  listener.close();
  expect(lines).toEqual([
    'info Resumed orders-2 at offset 40',
    "warn Sent orders-2@41 to dead letter topic 'orders.dlq' (0@7) after 3 attempt(s) failing with TypeError",
    'debug Paused orders-2 for 0 ms, restarting at offset 44 (isolation)',
    "warn Sent orders-2@45 to dead letter topic 'orders.dlq' (0@8) after 3 attempt(s) failing with TypeError, isolated from its batch 40..49 (10 messages) in 4 job(s)",
    'debug eofed hook of OrdersConsumer on orders-2 finished in 1 ms',
    'debug tick hook of OrdersConsumer on orders-2 failed in 4 ms',
    'debug [default] Held fetching for 120 ms: prefetch buffer full (65536 of 65536 KiB, queued.max.messages.kbytes)',
    'warn [g/default] Listener restarted after a crash',
  ]);
});

test("a subscription group's further connections (multiplexing) are told apart by their index", () => {
  const monitor = new Monitor();
  const lines: string[] = [];
  const log = (m: string): void => void lines.push(m);
  const listener = new LoggerListener(monitor, { info: log, warn: log, error: log, debug: log });
  for (const connection of [0, 2]) monitor.notify('partitions.assigned', { consumerGroup: 'g', subscriptionGroup: 'events', connection, partitions: [{ topic: 't', partition: connection }] });
  listener.close();
  expect(lines).toEqual(['[g/events] Assigned t-0', '[g/events#2] Assigned t-2']);
});
