// Claim: on a send path that encodes at admission (encodedSendBatch), the pipeline's batches go
// out as the bytes written when their records were produced: records produced one by one while
// their partition is busy are merged into one batch whose bytes hold exactly them, in order, with
// offsets counted from that batch and their admission times; a retried batch is sent as the very
// same bytes; and every record's report has the offset its bytes gave it.
// (A fake admin and a fake ProduceChannel stand in for KafkaJS: unit level.)
import { resolveProducerOptions } from '@decanter/producer';
import { DeliveryPipeline } from '../../../src/delivery/delivery-pipeline';
import { encodedSendBatch, type ProduceChannel } from '../../../src/encoding/encoded-send-batch';
import type { ProduceRequestBody } from '../../../src/encoding/produce-request';
import { decodeWithKafkaJs } from '../encoding/support';
import { onePartitionAdmin, pipelineShared, variant } from './support';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(failFirst = false) {
  const options = resolveProducerOptions({
    kafka: {
      'bootstrap.servers': '127.0.0.1:1',
      'linger.ms': 0,
      'retry.backoff.ms': 5,
      'allow.auto.create.topics': false,
    },
  });
  const sent: ProduceRequestBody[] = [];
  let hold: Promise<void> = Promise.resolve();
  let nextOffset = 100;
  const channel: ProduceChannel = {
    leaders: async (topics) => new Map(topics.map((t) => [t, new Map([[0, 1]])])),
    produce: async (_nodeId, body) => {
      sent.push(body);
      await hold;
      const fail = failFirst && sent.length === 1;
      return {
        throttleTimeMs: 0,
        topics: body.topics.map(({ topic, partitions }) => ({
          topic,
          partitions: partitions.map(({ partition }) => {
            const baseOffset = String(nextOffset);
            if (!fail) nextOffset += 10;
            return {
              partition,
              errorCode: fail ? 6 : 0,
              baseOffset,
              logAppendTime: '-1',
              logStartOffset: '0',
              errorMessage: null,
              recordErrors: [],
            };
          }),
        })),
      };
    },
    protocolError: (code) =>
      Object.assign(new Error(`code ${code}`), { type: 'NOT_LEADER_OR_FOLLOWER', retriable: true }),
    recover: async () => undefined,
  };
  const send = encodedSendBatch(channel);
  const pipeline = new DeliveryPipeline(pipelineShared(options, onePartitionAdmin()), send);
  const holdRequests = (): (() => void) => {
    let release = (): void => undefined;
    hold = new Promise<void>((r) => (release = r));
    return release;
  };
  const batchOf = (request: number): Buffer => sent[request]!.topics[0]!.partitions[0]!.batch;
  return { pipeline, sent, holdRequests, batchOf };
}

it('merges records produced while their partition is busy into one batch whose bytes hold exactly them', async () => {
  const { pipeline, sent, holdRequests, batchOf } = setup();
  const release = holdRequests();
  const reports = [pipeline.produce({ topic: 't', payload: 'a' }, variant)];
  await turn();
  expect(sent).toHaveLength(1); // 'a' in flight, held
  const before = Date.now();
  for (const payload of ['b', 'c', 'd']) {
    reports.push(pipeline.produce({ topic: 't', payload, ...(payload === 'c' ? { timestamp: 42 } : {}) }, variant));
    await turn(); // each one sealed on its own, then merged behind the busy partition
  }
  const after = Date.now();
  expect(sent).toHaveLength(1);
  release();
  const offsets = (await Promise.all(reports)).map((r) => r.offset);
  expect(offsets).toEqual(['100', '110', '111', '112']);
  expect(sent).toHaveLength(2);

  const merged = await decodeWithKafkaJs(batchOf(1));
  expect(merged.records.map((r) => [r.value!.toString(), r.offset])).toEqual([
    ['b', '0'],
    ['c', '1'],
    ['d', '2'],
  ]);
  const [b, c, d] = merged.records.map((r) => Number(r.timestamp));
  expect(c).toBe(42);
  for (const admitted of [b!, d!]) {
    expect(admitted).toBeGreaterThanOrEqual(before);
    expect(admitted).toBeLessThanOrEqual(after);
  }
});

it('resends a retried batch as the very bytes of its first attempt', async () => {
  const { pipeline, sent, batchOf } = setup(true);
  const report = pipeline.produce({ topic: 't', payload: 'x' }, variant);
  await expect(report).resolves.toMatchObject({ offset: '100' });
  expect(sent).toHaveLength(2);
  expect(batchOf(1)).toBe(batchOf(0));
  expect((await decodeWithKafkaJs(batchOf(1))).records.map((r) => r.value!.toString())).toEqual(['x']);
});
