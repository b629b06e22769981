// Claim: when the broker acknowledges a batch of several records to one partition, KafkaJS's
// sendBatch answers with the batch's base offset only, and each record's delivery report gets
// base offset + its index in the batch (also past 2^53, where a JS number would round), the same
// for produceSync's promise, produceAsync's handle and the `message.acknowledged` event.
// (A fake admin and a fake sendBatch stand in for KafkaJS: unit level.)
import { resolveProducerOptions, type DeliveryReport } from '@decanter/producer';
import { DeliveryPipeline } from '../../../src/delivery/delivery-pipeline';
import type { SendBatchRequest } from '../../../src/delivery/dispatcher';
import { Monitor } from '../../../src/events';
import { onePartitionAdmin, pipelineShared, variant } from './support';

const RULE = 'each record of an acknowledged batch is reported at base offset + its index in the batch';


/**
 * A pipeline on a one-partition topic (linger 0: records produced in one synchronous run share a
 * batch) whose fake sendBatch acknowledges every batch at `baseOffset`, as KafkaJS does: one
 * RecordMetadata per topic-partition, carrying the base offset of the batch and nothing per record.
 */
function pipelineAcknowledgingAt(baseOffset: string) {
  const options = resolveProducerOptions({
    kafka: { 'bootstrap.servers': '127.0.0.1:1', 'queue.buffering.max.ms': 0, 'allow.auto.create.topics': false },
  });
  const monitor = new Monitor();
  const shared = pipelineShared(options, onePartitionAdmin(), monitor);
  /** Per request, the records of each batch (`topic/partition:payloads`). */
  const requests: string[][] = [];
  const pipeline = new DeliveryPipeline(shared, async (request: SendBatchRequest) => {
    requests.push(
      request.topicMessages.map(
        (t) => `${t.topic}/${t.messages[0]?.partition}:${t.messages.map((m) => String(m.value)).join(',')}`,
      ),
    );
    return request.topicMessages.map((t) => ({
      topicName: t.topic,
      partition: t.messages[0]?.partition ?? -1,
      errorCode: 0,
      baseOffset,
    }));
  });
  return { pipeline, monitor, requests };
}

const offsets = (reports: readonly DeliveryReport[]): Array<string | null> => reports.map((r) => r.offset);

it(`produceSync: ${RULE}`, async () => {
  const { pipeline, requests } = pipelineAcknowledgingAt('100');
  const reports = await Promise.all(
    ['a', 'b', 'c', 'd'].map((payload) => pipeline.produce({ topic: 't', payload, label: payload }, variant)),
  );
  // The premise: one batch of four records, one request, one base offset for all of them.
  expect(requests).toEqual([['t/0:a,b,c,d']]);
  expect({ [RULE]: offsets(reports) }).toEqual({ [RULE]: ['100', '101', '102', '103'] });
  expect(reports.map((r) => [r.partition, r.label])).toEqual([
    [0, 'a'],
    [0, 'b'],
    [0, 'c'],
    [0, 'd'],
  ]);
});

it(`produceAsync: ${RULE}, whether wait() is called before or after the acknowledgement`, async () => {
  const { pipeline, requests } = pipelineAcknowledgingAt('7');
  const handles = ['a', 'b', 'c', 'd'].map((payload) => pipeline.queue({ topic: 't', payload }, variant));
  // The first two are waited on before the batch goes (settled by the acknowledgement), the last
  // two only afterwards (their reports built then from the base offset and index they kept).
  const early = await Promise.all(handles.slice(0, 2).map(async (h) => (await h).wait()));
  await pipeline.drain();
  const late = await Promise.all(handles.slice(2).map(async (h) => (await h).wait()));
  expect(requests).toEqual([['t/0:a,b,c,d']]);
  expect({ [RULE]: offsets([...early, ...late]) }).toEqual({ [RULE]: ['7', '8', '9', '10'] });
});

it(`message.acknowledged: ${RULE}`, async () => {
  const { pipeline, monitor, requests } = pipelineAcknowledgingAt('41');
  const acknowledged: DeliveryReport[] = [];
  monitor.on('message.acknowledged', (e) => acknowledged.push(e.report));
  await Promise.all(['a', 'b', 'c'].map((payload) => pipeline.produce({ topic: 't', payload }, variant)));
  expect(requests).toEqual([['t/0:a,b,c']]);
  expect({ [RULE]: offsets(acknowledged) }).toEqual({ [RULE]: ['41', '42', '43'] });
});

it(`${RULE}, counted exactly in int64 past Number.MAX_SAFE_INTEGER`, async () => {
  const { pipeline, requests } = pipelineAcknowledgingAt(String(Number.MAX_SAFE_INTEGER)); // 9007199254740991
  const reports = await Promise.all(
    ['a', 'b', 'c'].map((payload) => pipeline.produce({ topic: 't', payload }, variant)),
  );
  expect(requests).toEqual([['t/0:a,b,c']]);
  // 9007199254740993 has no double: Number arithmetic would round it to ...992.
  expect({ [RULE]: offsets(reports) }).toEqual({
    [RULE]: ['9007199254740991', '9007199254740992', '9007199254740993'],
  });
});
