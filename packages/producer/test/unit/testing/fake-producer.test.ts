// Claim: FakeProducer is a Producer (it goes wherever one is expected, and type-checks as one)
// that never connects: what it is given is validated and partitioned as production does, and
// recorded as given with the partition and offset it was written at; failProducing makes every
// produce fail as against a broker that refuses; transactions record their messages only once
// committed.
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { hasErrorCode, Producer, type DeliveryReport, type ProduceMessage } from '@decanter/producer';
import { FakeProducer } from '@decanter/producer/testing';

// Code under test, written against the real class.
async function placeOrder(producer: Producer, id: string): Promise<DeliveryReport> {
  return producer.produceSync({ topic: 'orders', key: id, payload: JSON.stringify({ id }), headers: { source: 'web' } });
}

const producers: Producer[] = [];
const fake = (options?: ConstructorParameters<typeof FakeProducer>[0]): FakeProducer => {
  const p = new FakeProducer(options);
  producers.push(p);
  return p;
};
afterAll(async () => {
  await Promise.all(producers.map((p) => p.close()));
});

it('is a Producer: passed where one is expected, it records what it was given', async () => {
  const producer = fake();
  const asProducer: Producer = producer; // type-compatible: a subclass
  expect(asProducer).toBeInstanceOf(Producer);
  const report = await placeOrder(producer, 'a');
  expect(report).toEqual({ topic: 'orders', partition: 0, offset: '0' });
  await placeOrder(producer, 'b');
  expect(producer.produced).toEqual([
    { topic: 'orders', key: 'a', payload: '{"id":"a"}', headers: { source: 'web' } },
    { topic: 'orders', key: 'b', payload: '{"id":"b"}', headers: { source: 'web' } },
  ]);
  expect(producer.written.map((w) => [w.topic, w.partition, w.offset])).toEqual([
    ['orders', 0, '0'],
    ['orders', 0, '1'],
  ]);
  expect(producer.state).toBe('connected'); // connect() happened, to nothing
});

it('keeps a copy: changing the message later does not change the record', async () => {
  const producer = fake();
  const message: ProduceMessage = { topic: 't', payload: 'v', headers: { h: '1' } };
  await producer.produceSync(message);
  message.payload = 'changed';
  message.headers!['h'] = '2';
  expect(producer.produced).toEqual([{ topic: 't', payload: 'v', headers: { h: '1' } }]);
});

it('partitions keys as production does over the partitions it is told a topic has', async () => {
  const producer = fake({ partitions: { orders: 6 } });
  const murmur2 = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 0 }) as PartitionMetadata);
  const keys = ['customer-1', 'customer-2', 'customer-3', 'customer-4'];
  const reports = await producer.produceManySync(keys.map((key) => ({ topic: 'orders', key, payload: key })));
  expect(reports.map((r) => r.partition)).toEqual(keys.map((key) => murmur2({ topic: 'orders', partitionMetadata, message: { key, value: null } })));
  // a partition the topic does not have fails as against Kafka
  const error = await producer.produceSync({ topic: 'orders', partition: 6, payload: 'x' }).catch((e: unknown) => e);
  expect(hasErrorCode(error, 'DELIVERY_FAILED') || hasErrorCode(error, 'MESSAGE_INVALID')).toBe(true);
});

it('refuses what a real producer refuses, before recording anything', async () => {
  const producer = fake({ kafka: { 'message.max.bytes': 1_000 } });
  await expect(producer.produceSync({ topic: 'orders', payload: 42 as unknown as string })).rejects.toMatchObject({ code: 'MESSAGE_INVALID' });
  await expect(producer.produceSync({ topic: 'orders', payload: Buffer.alloc(5_000) })).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
  // a record's timestamp is whole ms: a fraction or an invalid Date is refused at the call, naming the field
  for (const timestamp of [1.5, new Date('not a date'), Number.NaN]) {
    await expect(producer.produceSync({ topic: 'orders', payload: 'x', timestamp })).rejects.toMatchObject({
      code: 'MESSAGE_INVALID',
      message: expect.stringMatching(/message\.timestamp must be a whole number of ms or a valid Date/),
    });
  }
  expect(producer.produced).toEqual([]);
  expect(() => new FakeProducer({ kafka: { 'lingr.ms': 5 } as never })).toThrow(/kafka\['lingr\.ms'\] is not a known setting; did you mean 'linger\.ms'\?/);
});

it('failProducing makes produce fail with DELIVERY_FAILED (cause = the error) until cleared', async () => {
  const producer = fake();
  const down = new Error('broker down');
  producer.failProducing(down);
  const error = await producer.produceSync({ topic: 'orders', payload: 'x' }).catch((e: unknown) => e);
  expect(hasErrorCode(error, 'DELIVERY_FAILED')).toBe(true);
  expect((error as Error).cause).toBe(down);
  const handle = await producer.produceAsync({ topic: 'orders', payload: 'y' });
  await expect(handle.wait()).rejects.toMatchObject({ code: 'DELIVERY_FAILED' });
  expect(producer.produced).toEqual([]);
  producer.failProducing(null);
  expect(await producer.produceSync({ topic: 'orders', payload: 'z' })).toEqual({ topic: 'orders', partition: 0, offset: '0' });
  expect(producer.produced.map((m) => m.payload)).toEqual(['z']);
});

it('runs the rest of the API: async produce, buffer and flush, variants, events, close', async () => {
  const producer = fake();
  const acknowledged: string[] = [];
  producer.on('message.acknowledged', (e) => acknowledged.push(String(e.report.offset)));
  const handle = await producer.produceAsync({ topic: 't', payload: 'a', label: 'first' });
  expect(await handle.wait()).toEqual({ topic: 't', partition: 0, offset: '0', label: 'first' });
  producer.bufferMany([{ topic: 't', payload: 'b' }, { topic: 't', payload: 'c' }]);
  expect(producer.produced).toHaveLength(1);
  await producer.flushSync();
  await producer.variant({ acks: 1 }).produceSync({ topic: 't', payload: 'd' });
  producer.buffer({ topic: 't', payload: 'e' });
  await producer.close(); // flushes the buffer, as a real close does
  expect(producer.produced.map((m) => m.payload)).toEqual(['a', 'b', 'c', 'd', 'e']);
  expect(acknowledged).toEqual(['0', '1', '2', '3', '4']);
  expect(producer.state).toBe('closed');
  await expect(producer.produceSync({ topic: 't', payload: 'late' })).rejects.toMatchObject({ code: 'PRODUCER_CLOSED' });
});

it('records a committed transaction (messages and offsets) and nothing of an aborted one', async () => {
  const producer = fake({ kafka: { 'transactional.id': 'orders-tx' } });
  await producer.transaction(async (tx) => {
    await tx.produceSync({ topic: 'out', payload: 'one' });
    await tx.sendOffsets({ consumerGroupId: 'g', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '5' }] }] });
  });
  await expect(
    producer.transaction(async (tx) => {
      await tx.produceSync({ topic: 'out', payload: 'two' });
      throw new Error('changed my mind');
    }),
  ).rejects.toThrow('changed my mind');
  expect(producer.produced.map((m) => m.payload)).toEqual(['one']);
  expect(producer.transactions).toEqual([
    { messages: [{ topic: 'out', payload: 'one' }], offsets: [{ consumerGroupId: 'g', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '5' }] }] }], outcome: 'committed' },
    { messages: [{ topic: 'out', payload: 'two' }], offsets: [], outcome: 'aborted' },
  ]);
  // outside a transaction a transactional producer refuses, as the real one does
  await expect(producer.produceSync({ topic: 'out', payload: 'x' })).rejects.toMatchObject({ code: 'TRANSACTION_REQUIRED' });
  producer.failProducing(new Error('fenced'));
  await expect(producer.transaction(async (tx) => tx.produceSync({ topic: 'out', payload: 'three' }))).rejects.toBeDefined();
  expect(producer.produced.map((m) => m.payload)).toEqual(['one']);
  producer.clear();
  expect([producer.produced, producer.transactions]).toEqual([[], []]);
});
