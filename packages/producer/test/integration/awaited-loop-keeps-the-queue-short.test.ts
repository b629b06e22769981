// Claim: a loop of awaited produceAsync calls (each await resolves on a microtask, so the loop
// never yields to the event loop by itself) does not fill the local queue up to
// queue.buffering.max.messages before anything is sent: admission waits while more sealed batches
// wait than max.in.flight full requests carry, so requests leave and acknowledgements are read as
// the loop goes. The queue stays near that bound, and every message arrives.
import { topicMessageCount } from '@decanter/test-helpers';
import { cleanUp, newProducer, topic } from './support';

afterAll(cleanUp);

it('an awaited produceAsync loop keeps the queue to about one round of full requests', async () => {
  const partitions = 3;
  const t = await topic('awaited-loop', partitions);
  const batchMessages = 100;
  const maxInFlight = 2;
  const producer = newProducer({
    'batch.num.messages': batchMessages,
    'max.in.flight.requests.per.connection': maxInFlight,
    'request.required.acks': 1,
  });
  let failures = 0;
  producer.on('error.occurred', () => (failures += 1));
  await producer.produceSync({ topic: t, payload: 'warm-up' }); // metadata, not counted
  const total = 20_000;
  let maxQueued = 0;
  for (let i = 0; i < total; i += 1) {
    await producer.produceAsync({ topic: t, payload: `m-${i}` });
    if (producer.queued > maxQueued) maxQueued = producer.queued;
  }
  await producer.close();
  expect(failures).toBe(0);
  expect(await topicMessageCount(t)).toBe(total + 1);
  // Waiting (sealed): at most max.in.flight x partitions x batch.num.messages (+ the batch that
  // tipped it over); in flight: as many again; open: one batch per partition.
  const bound = 2 * maxInFlight * partitions * batchMessages + 2 * partitions * batchMessages;
  expect(maxQueued).toBeLessThanOrEqual(bound);
  expect(maxQueued).toBeGreaterThan(0);
});
