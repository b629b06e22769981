// Claim: the idempotent producer delivers every message exactly once with consecutive offsets;
// a transaction commits what it produced when its callback resolves, and aborts it when the
// callback throws: aborted messages are invisible to a read-committed consumer, committed ones
// and the offsets sent to the transaction are visible. Both record encoders: KafkaJS's, and
// Decanter's own (recordEncoder 'decanter', numbered by its own KafkaJS EOS manager).
import { Kafka, logLevel } from 'kafkajs';
import { brokers, javaDescribeProducers, topicMessageCount } from '@decanter/test-helpers';
import { hasErrorCode } from '@decanter/producer';
import { cleanUp, newProducer, readTopic, topic } from './support';

afterAll(cleanUp);

describe.each(['kafkajs', 'decanter'] as const)('recordEncoder %s', (recordEncoder) => {
  it('idempotent producer: consecutive offsets, no duplicates', async () => {
    const t = await topic(`idempotent-${recordEncoder}`, 2);
    const producer = newProducer({ 'enable.idempotence': true, 'queue.buffering.max.ms': 2 }, { recordEncoder });
    const handles = await producer.produceManyAsync(
      Array.from({ length: 200 }, (_, i) => ({ topic: t, key: `k${i % 10}`, payload: `i-${i}` })),
    );
    const reports = await Promise.all(handles.map((h) => h.wait()));
    for (const partition of [0, 1]) {
      const offsets = reports.filter((r) => r.partition === partition).map((r) => Number(r.offset));
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
    expect(await topicMessageCount(t)).toBe(200);
    // the broker's own view: one producer id wrote each partition, its sequences ran to the end
    const states = await Promise.all([0, 1].map((p) => javaDescribeProducers(t, p)));
    for (const [partition, state] of states.entries()) {
      expect(state).toHaveLength(1);
      expect(state[0]!.lastSequence).toBe(reports.filter((r) => r.partition === partition).length - 1);
    }
    expect(states[0]![0]!.producerId).toBe(states[1]![0]!.producerId);
    expect(Number(states[0]![0]!.producerId)).toBeGreaterThanOrEqual(0);
  });

  it('transactions: committed visible, aborted invisible, offsets committed with the transaction', async () => {
    const t = await topic(`tx-${recordEncoder}`);
    const groupId = `${t}-group`;
    const producer = newProducer({ 'transactional.id': `${t}-txid`, 'queue.buffering.max.ms': 2 }, { recordEncoder });

    // Produce outside a transaction is refused on a transactional producer.
    const outside = await producer.produceSync({ topic: t, payload: 'outside' }).catch((e: unknown) => e);
    expect(hasErrorCode(outside, 'TRANSACTION_REQUIRED')).toBe(true);

    const committed = await producer.transaction(async (tx) => {
      const reports = await tx.produceManySync([
        { topic: t, payload: 'committed-1' },
        { topic: t, payload: 'committed-2' },
      ]);
      await tx.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic: t, partitions: [{ partition: 0, offset: '42' }] }],
      });
      return reports;
    });
    expect(committed.map((r) => r.offset)).toEqual(['0', '1']);

    const boom = new Error('handler failed');
    await expect(
      producer.transaction(async (tx) => {
        await tx.produceSync({ topic: t, payload: 'aborted-1' });
        await tx.produceAsync({ topic: t, payload: 'aborted-2' });
        throw boom;
      }),
    ).rejects.toBe(boom);

    await producer.transaction(async (tx) => {
      await tx.produceAsync({ topic: t, payload: 'marker' });
    });

    const visible = await readTopic(t, (records) => records.some((r) => r.value === 'marker'), { readCommitted: true });
    expect(visible.map((r) => r.value)).toEqual(['committed-1', 'committed-2', 'marker']);
    const everything = await readTopic(t, (records) => records.some((r) => r.value === 'marker'));
    expect(everything.map((r) => r.value)).toEqual(expect.arrayContaining(['aborted-1', 'aborted-2']));

    const admin = new Kafka({ clientId: 'tx-check', brokers: brokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId, topics: [t] });
    await admin.disconnect();
    expect(offsets[0]?.partitions[0]?.offset).toBe('42');
  });
});
