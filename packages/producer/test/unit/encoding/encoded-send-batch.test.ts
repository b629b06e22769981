// Claim: encodedSendBatch groups a dispatcher's messages into one RecordBatch per partition and
// one Produce request per leader, leaves out partitions with no known leader, reports every
// partition's result in KafkaJS's RecordMetadata shape, and turns the first partition error into
// the channel's error after letting the channel recover. With ProducerSequences, each batch
// carries the producer id, epoch and its partition's next sequence, taken under the leader's
// lock and given back when the request fails, as KafkaJS's sendMessages does. The dispatcher's
// batches go out as the bytes written at admission (or written once, then kept), and a resend
// sends those bytes again, restamped with the numbers it takes.
import type { ProduceChannel, ProducerSequences } from '../../../src/encoding/encoded-send-batch';
import { encodedSendBatch, PartlySentError } from '../../../src/encoding/encoded-send-batch';
import { isRetriable, mayHaveBeenWritten } from '../../../src/delivery/failure-classification';
import type { ProduceRequestBody } from '../../../src/encoding/produce-request';
import { PartitionBatch } from '../../../src/batching/partition-batch';
import { ProduceRecord, type DeliverySink } from '../../../src/batching/produce-record';
import type { BatchEncoding } from '../../../src/encoding/batch-encoding';
import { decodeWithKafkaJs } from './support';

function fakeChannel(
  leaders: Record<string, Record<number, number>>,
  errorFor?: string,
  errorCode = 6,
): ProduceChannel & { sent: [number, ProduceRequestBody][]; recovered: unknown[] } {
  const sent: [number, ProduceRequestBody][] = [];
  const recovered: unknown[] = [];
  return {
    sent,
    recovered,
    leaders: async (topics) =>
      new Map(topics.map((t) => [t, new Map(Object.entries(leaders[t] ?? {}).map(([p, l]) => [Number(p), l]))])),
    produce: async (nodeId, body) => {
      sent.push([nodeId, body]);
      if (body.acks === 0) return null;
      return {
        throttleTimeMs: 0,
        topics: body.topics.map(({ topic, partitions }) => ({
          topic,
          partitions: partitions.map(({ partition }) => ({
            partition,
            errorCode: `${topic}/${partition}` === errorFor ? errorCode : 0,
            baseOffset: `${100 + partition}`,
            logAppendTime: '-1',
            logStartOffset: '0',
            errorMessage: null,
            recordErrors: [],
          })),
        })),
      };
    },
    protocolError: (code) =>
      code === 10
        ? Object.assign(new Error(`code ${code}`), { type: 'MESSAGE_TOO_LARGE', retriable: false })
        : Object.assign(new Error(`code ${code}`), { type: 'NOT_LEADER_OR_FOLLOWER', retriable: true }),
    recover: async (error) => {
      recovered.push(error);
    },
  };
}

const msg = (partition: number, value: string, timestamp?: string) => ({
  partition,
  key: null,
  value,
  ...(timestamp === undefined ? {} : { timestamp }),
});

it('one batch per partition, one request per leader, unknown partitions left out', async () => {
  const channel = fakeChannel({ a: { 0: 1, 1: 2 }, b: { 0: 2 } });
  const results = await encodedSendBatch(channel)({
    acks: -1,
    timeout: 1000,
    compression: 0,
    topicMessages: [
      { topic: 'a', messages: [msg(0, 'a0'), msg(1, 'a1'), msg(0, 'a0b', '5'), msg(9, 'nowhere')] },
      { topic: 'b', messages: [msg(0, 'b0')] },
    ],
  });
  expect(
    channel.sent.map(([leader, body]) => [
      leader,
      body.topics.map((t) => `${t.topic}:${t.partitions.map((p) => p.partition).join(',')}`),
    ]),
  ).toEqual([
    [1, ['a:0']],
    [2, ['a:1', 'b:0']],
  ]);
  const batch = await decodeWithKafkaJs(channel.sent[0]![1].topics[0]!.partitions[0]!.batch);
  expect(batch.records.map((r) => [String(r.value), r.timestamp === '5'])).toEqual([
    ['a0', false],
    ['a0b', true],
  ]);
  expect(results).toEqual([
    { topicName: 'a', partition: 0, errorCode: 0, baseOffset: '100', logAppendTime: '-1', logStartOffset: '0' },
    { topicName: 'a', partition: 1, errorCode: 0, baseOffset: '101', logAppendTime: '-1', logStartOffset: '0' },
    { topicName: 'b', partition: 0, errorCode: 0, baseOffset: '100', logAppendTime: '-1', logStartOffset: '0' },
  ]);
});

it('acks 0: no results', async () => {
  const channel = fakeChannel({ a: { 0: 1 } });
  await expect(
    encodedSendBatch(channel)({
      acks: 0,
      timeout: 1000,
      compression: 0,
      topicMessages: [{ topic: 'a', messages: [msg(0, 'x')] }],
    }),
  ).resolves.toEqual([]);
});

it("a partition error becomes the channel's error, after recovery", async () => {
  const channel = fakeChannel({ a: { 0: 1, 1: 1 } }, 'a/1');
  const send = encodedSendBatch(channel);
  await expect(
    send({
      acks: 1,
      timeout: 1000,
      compression: 0,
      topicMessages: [{ topic: 'a', messages: [msg(0, 'x'), msg(1, 'y')] }],
    }),
  ).rejects.toMatchObject({
    type: 'NOT_LEADER_OR_FOLLOWER',
  });
  expect(channel.recovered).toHaveLength(1);
});

it('refuses a message without a partition', async () => {
  const send = encodedSendBatch(fakeChannel({ a: { 0: 1 } }));
  await expect(
    send({
      acks: 1,
      timeout: 1000,
      compression: 0,
      topicMessages: [{ topic: 'a', messages: [{ key: null, value: 'x' }] }],
    }),
  ).rejects.toThrow("needs every message's partition");
});

/** A ProducerSequences that records what it was asked, as KafkaJS's EOS manager keeps numbers. */
function fakeSequences(
  transactionalId: string | null = null,
): ProducerSequences & { log: string[]; next: Map<string, number> } {
  const next = new Map<string, number>();
  const log: string[] = [];
  return {
    log,
    next,
    identity: () => ({ producerId: '9007199254740993', producerEpoch: 3 }), // past 2^53: written exactly
    transactionalId,
    sequence: (topic, partition) => next.get(`${topic}/${partition}`) ?? 0,
    advance: (topic, partition, by) => {
      next.set(`${topic}/${partition}`, (next.get(`${topic}/${partition}`) ?? 0) + by);
    },
    lock: async (nodeId) => {
      log.push(`lock ${nodeId}`);
    },
    unlock: (nodeId) => {
      log.push(`unlock ${nodeId}`);
    },
    addPartitions: async (topics) => {
      log.push(`add ${topics.map((t) => `${t.topic}:${t.partitions.join(',')}`).join(' ')}`);
    },
  };
}

describe('with producer sequences (idempotence, transactions)', () => {
  const request = (messages: ReturnType<typeof msg>[]) => ({
    acks: -1,
    timeout: 1000,
    compression: 0 as const,
    topicMessages: [{ topic: 'a', messages }],
  });

  it("stamps id, epoch and each partition's next sequence, and advances it by the record count", async () => {
    const channel = fakeChannel({ a: { 0: 1, 1: 1 } });
    const sequences = fakeSequences();
    const send = encodedSendBatch(channel, { sequences });
    await send(request([msg(0, 'x'), msg(0, 'y'), msg(1, 'z')]));
    await send(request([msg(0, 'w')]));
    const [first, second] = await Promise.all(
      [channel.sent[0]!, channel.sent[1]!].map(([, body]) =>
        Promise.all(body.topics[0]!.partitions.map((p) => decodeWithKafkaJs(p.batch))),
      ),
    );
    expect(first!.map((b) => [b.producerId, b.producerEpoch, b.firstSequence, b.inTransaction])).toEqual([
      ['9007199254740993', 3, 0, false],
      ['9007199254740993', 3, 0, false],
    ]);
    expect(second!.map((b) => b.firstSequence)).toEqual([2]);
    expect(sequences.next).toEqual(
      new Map([
        ['a/0', 3],
        ['a/1', 1],
      ]),
    );
    expect(channel.sent[0]![1].transactionalId).toBeNull();
    expect(sequences.log).toEqual(['lock 1', 'unlock 1', 'lock 1', 'unlock 1']);
  });

  it('a retriable partition error: every number of the call goes back (the appended partition too), so the exact resend reuses them', async () => {
    const channel = fakeChannel({ a: { 0: 1, 1: 1 } }, 'a/1');
    const sequences = fakeSequences();
    const send = encodedSendBatch(channel, { sequences });
    await expect(send(request([msg(0, 'x'), msg(1, 'y')]))).rejects.toMatchObject({ type: 'NOT_LEADER_OR_FOLLOWER' });
    expect(sequences.next).toEqual(
      new Map([
        ['a/0', 0],
        ['a/1', 0],
      ]),
    );
    expect(sequences.log).toEqual(['lock 1', 'unlock 1']);
  });

  it('gives the numbers back when the request throws', async () => {
    const channel = fakeChannel({ a: { 0: 1 } });
    channel.produce = async () => {
      throw new Error('connection closed');
    };
    const sequences = fakeSequences();
    await expect(encodedSendBatch(channel, { sequences })(request([msg(0, 'x')]))).rejects.toThrow('connection closed');
    expect(sequences.next.get('a/0')).toBe(0);
    expect(sequences.log).toEqual(['lock 1', 'unlock 1']);
  });

  it('a final partition error: only the partitions the broker did not append give their numbers back', async () => {
    const channel = fakeChannel({ a: { 0: 1, 1: 1 } }, 'a/1', 10);
    const sequences = fakeSequences();
    await expect(
      encodedSendBatch(channel, { sequences })(request([msg(0, 'x'), msg(0, 'x2'), msg(1, 'y')])),
    ).rejects.toMatchObject({
      type: 'MESSAGE_TOO_LARGE',
    });
    // a/0 was appended: its next batch must not reuse 0-1, which the broker holds
    expect(sequences.next).toEqual(
      new Map([
        ['a/0', 2],
        ['a/1', 0],
      ]),
    );
  });

  it('two leaders, one fails: the call waits for the other, gives back both, and says the batches may be written', async () => {
    const channel = fakeChannel({ a: { 0: 1, 1: 2 } });
    const answer = channel.produce;
    let releaseLeader2!: () => void;
    const leader2Answered = new Promise<void>((resolve) => (releaseLeader2 = resolve));
    let leader2Done = false;
    channel.produce = async (nodeId, body) => {
      if (nodeId === 1)
        throw Object.assign(new Error('There is no broker with node id 1'), {
          name: 'KafkaJSBrokerNotFound',
          retriable: true,
        });
      await leader2Answered;
      const response = await answer(nodeId, body);
      leader2Done = true;
      return response;
    };
    const sequences = fakeSequences();
    const call = encodedSendBatch(channel, { sequences })(request([msg(0, 'x'), msg(1, 'y')]));
    let settled = false;
    void call.catch(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false); // leader 2's request is still in flight
    releaseLeader2();
    const error = await call.catch((e: unknown) => e);
    expect(leader2Done).toBe(true);
    expect(error).toBeInstanceOf(PartlySentError);
    expect(error).toMatchObject({ retriable: true, failure: { name: 'KafkaJSBrokerNotFound' } });
    // the classification the dispatcher uses: retried, and possibly written (not "nothing sent")
    expect(isRetriable(error)).toBe(true);
    expect(mayHaveBeenWritten(error, false)).toBe(true);
    expect(sequences.next).toEqual(
      new Map([
        ['a/0', 0],
        ['a/1', 0],
      ]),
    );
  });

  it('in a transaction: adds the partitions first, sets the transactional bit and id', async () => {
    const channel = fakeChannel({ a: { 0: 1, 1: 1 } });
    const sequences = fakeSequences('tx-1');
    await encodedSendBatch(channel, { sequences })(request([msg(1, 'y'), msg(0, 'x')]));
    expect(sequences.log).toEqual(['lock 1', 'add a:1,0', 'unlock 1']);
    const [, body] = channel.sent[0]!;
    expect(body.transactionalId).toBe('tx-1');
    const batches = await Promise.all(body.topics[0]!.partitions.map((p) => decodeWithKafkaJs(p.batch)));
    expect(batches.map((b) => b.inTransaction)).toEqual([true, true]);
  });
});

describe("the dispatcher's batches (encoded at admission)", () => {
  const sink: DeliverySink = { delivered: () => undefined, reject: () => undefined };
  const batchOf = (partition: number, values: string[], admittedAt: number, encoding: BatchEncoding | null): PartitionBatch => {
    const batch = new PartitionBatch('a', partition, 1, undefined, encoding);
    for (const value of values) {
      batch.add(new ProduceRecord({ topic: 'a', payload: value }, 10, 0, Number.MAX_SAFE_INTEGER, sink, admittedAt));
    }
    return batch;
  };
  const request = (batches: PartitionBatch[]) => ({
    acks: -1,
    timeout: 1000,
    compression: 0 as const,
    topicMessages: batches.map((b) => ({ topic: b.topic, messages: b.records })),
    batches,
  });

  it('sends the bytes written at admission, with the admission timestamps', async () => {
    const channel = fakeChannel({ a: { 0: 1 } });
    const send = encodedSendBatch(channel);
    const batch = batchOf(0, ['x', 'y'], 1_234, send.openEncoding!(64));
    const admitted = batch.encoding;
    await send(request([batch]));
    expect(batch.encoding).toBe(admitted);
    const sent = channel.sent[0]![1].topics[0]!.partitions[0]!.batch;
    expect(sent).toBe(await admitted!.bytes(null));
    const { records } = await decodeWithKafkaJs(sent);
    expect(records.map((r) => [r.value!.toString(), r.timestamp])).toEqual([
      ['x', '1234'],
      ['y', '1234'],
    ]);
  });

  it('encodes a batch without an encoding from its records, and keeps it for the resend', async () => {
    const channel = fakeChannel({ a: { 0: 1 } }, 'a/0');
    const send = encodedSendBatch(channel);
    const batch = batchOf(0, ['x'], 1_234, null);
    await expect(send(request([batch]))).rejects.toThrow('code 6');
    expect(batch.encoding).not.toBeNull();
    await expect(send(request([batch]))).rejects.toThrow('code 6');
    const [first, second] = channel.sent.map(([, body]) => body.topics[0]!.partitions[0]!.batch);
    expect(second).toBe(first);
    expect((await decodeWithKafkaJs(first!)).records[0]!.timestamp).toBe('1234');
  });

  it('resends the same bytes, restamped with the sequence the retry takes', async () => {
    const channel = fakeChannel({ a: { 0: 1 } }, 'a/0');
    const sequences = fakeSequences();
    sequences.advance('a', 0, 7);
    const send = encodedSendBatch(channel, { sequences });
    const batch = batchOf(0, ['x', 'y'], 1_234, send.openEncoding!(64));
    await expect(send(request([batch]))).rejects.toThrow('code 6'); // retriable: numbers given back
    const firstBuffer = channel.sent[0]![1].topics[0]!.partitions[0]!.batch;
    const firstAttempt = Buffer.from(firstBuffer);
    sequences.advance('a', 0, 5); // as if an epoch change renumbered the partition
    await expect(send(request([batch]))).rejects.toThrow('code 6');
    const retry = channel.sent[1]![1].topics[0]!.partitions[0]!.batch;
    expect(retry).toBe(firstBuffer); // restamped in place, not encoded again
    expect((await decodeWithKafkaJs(firstAttempt)).firstSequence).toBe(7);
    expect((await decodeWithKafkaJs(retry)).firstSequence).toBe(12);
    // everything from the record count on is the same records
    expect(retry.subarray(57).equals(firstAttempt.subarray(57))).toBe(true);
  });

  it('refuses an encoding out of step with its batch, rather than send other records', async () => {
    const send = encodedSendBatch(fakeChannel({ a: { 0: 1 } }));
    const batch = batchOf(0, ['x', 'y'], 1, send.openEncoding!(64));
    batch.records.pop(); // as no PartitionBatch method would leave it
    await expect(send(request([batch]))).rejects.toThrow(/encoding of a\/0 holds 2 records, the batch 1/);
  });

  it('encodes afresh a batch whose sealing failed', async () => {
    const channel = fakeChannel({ a: { 0: 1 } });
    const send = encodedSendBatch(channel);
    const batch = batchOf(0, ['x'], 1_234, send.openEncoding!(64));
    const broken = batch.encoding!;
    const failing = { name: 'gzip' as const, attribute: 1, compress: () => Promise.reject(new Error('codec down')) };
    await expect(broken.bytes(failing)).rejects.toThrow('codec down');
    expect(broken.failed).toBe(true);
    await send(request([batch]));
    expect(batch.encoding).not.toBe(broken);
    expect((await decodeWithKafkaJs(channel.sent[0]![1].topics[0]!.partitions[0]!.batch)).records).toHaveLength(1);
  });

  it('refuses two batches of one partition in one request', async () => {
    const send = encodedSendBatch(fakeChannel({ a: { 0: 1 } }));
    await expect(send(request([batchOf(0, ['x'], 1, null), batchOf(0, ['y'], 1, null)]))).rejects.toThrow(
      /one batch per partition per request \(two for a\/0\)/,
    );
  });
});
