// Claim: the logger listener prints WaterDrop-style lines, and a throwing listener never breaks
// the producer: it is reported as error.occurred (type listener.failed).
import { LoggerListener, Monitor } from '@decanter/producer';

it('prints the lines', () => {
  const monitor = new Monitor();
  const lines: string[] = [];
  const detach = new LoggerListener({ info: (l) => lines.push(l), error: (l) => lines.push(`E ${l}`) }).attach(monitor);
  monitor.notify('message.produced_sync', { producerId: 'orders-producer', message: { topic: 'orders', payload: 'x' }, durationMs: 0.2712 });
  monitor.notify('messages.produced_async', { producerId: 'p', messages: [{ topic: 'a', payload: '1' }, { topic: 'b', payload: '2' }], durationMs: 1 });
  monitor.notify('error.occurred', { producerId: 'p', type: 'message.delivery', error: new RangeError('boom') });
  detach();
  monitor.notify('producer.closed', { producerId: 'p', durationMs: 1 });
  expect(lines).toEqual([
    "[orders-producer] Sync producing of a message to 'orders' took 0.27 ms",
    '[p] Async producing of 2 messages to 2 topics took 1.00 ms',
    'E [p] Error occurred (message.delivery): RangeError: boom',
  ]);
});

it('reports a throwing listener instead of propagating it', () => {
  const monitor = new Monitor();
  const seen: string[] = [];
  monitor.on('producer.closing', () => {
    throw new Error('listener bug');
  });
  monitor.on('producer.closing', () => seen.push('second listener still ran'));
  monitor.on('error.occurred', (e) => seen.push(`${e.type}: ${e.error.message}`));
  expect(() => monitor.notify('producer.closing', { producerId: 'p' })).not.toThrow();
  expect(seen).toEqual(['listener.failed: listener bug', 'second listener still ran']);
});
