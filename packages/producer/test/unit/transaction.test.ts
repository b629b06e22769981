// Claim: a transaction's sendOffsets retries, with backoff, what a group coordinator answers while
// it moves or loads (NOT_COORDINATOR_FOR_GROUP is common on a fresh broker), reporting each retry
// as `offsets.retrying`; it never retries another error, nor past the transaction's timeout.
// (A fake KafkaJS transaction stands in: unit level.)
import { Monitor, type ErrorEvent } from '@decanter/producer';
import type { DeliveryPipeline } from '../../src/delivery/delivery-pipeline';
import type { VariantSettings } from '../../src/delivery/variant-settings';
import { isCoordinatorNotReady, Transaction } from '../../src/transaction';

const settings: VariantSettings = { key: 'v', acks: -1, compression: 'none', compressionType: 0, timeoutMs: 1_000, requestTimeoutMs: 1_000 };
const offsets = { consumerGroupId: 'g', topics: [{ topic: 't', partitions: [{ partition: 0, offset: '5' }] }] };
const protocolError = (type: string): Error => Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type, retriable: true });
/** As KafkaJS rejects it after its own one retry on a transactional producer. */
const exhausted = (cause: Error): Error => Object.assign(new Error(cause.message), { name: 'KafkaJSNumberOfRetriesExceeded', retryCount: 1, cause });

function transaction(answers: Array<Error | 'ok'>, expiresAt = Date.now() + 60_000) {
  let calls = 0;
  const monitor = new Monitor();
  const retries: ErrorEvent[] = [];
  monitor.on('error.occurred', (e) => retries.push(e));
  const tx = new Transaction(
    {} as DeliveryPipeline,
    {
      sendOffsets: async () => {
        const answer = answers[Math.min(calls, answers.length - 1)];
        calls += 1;
        if (answer instanceof Error) throw answer;
      },
    },
    settings,
    monitor,
    'p',
    () => undefined,
    { retryBackoffMs: 5, retryBackoffMaxMs: 20, expiresAt },
  );
  return { tx, calls: () => calls, retries };
}

it('retries NOT_COORDINATOR_FOR_GROUP, GROUP_COORDINATOR_NOT_AVAILABLE and GROUP_LOAD_IN_PROGRESS until the coordinator is ready', async () => {
  const { tx, calls, retries } = transaction([
    exhausted(protocolError('NOT_COORDINATOR_FOR_GROUP')),
    protocolError('GROUP_COORDINATOR_NOT_AVAILABLE'),
    exhausted(protocolError('GROUP_LOAD_IN_PROGRESS')),
    'ok',
  ]);
  await tx.sendOffsets(offsets);
  expect(calls()).toBe(4);
  expect(retries.map((e) => e.type)).toEqual(['offsets.retrying', 'offsets.retrying', 'offsets.retrying']);
});

it('fails at once on any other error', async () => {
  const fenced = protocolError('INVALID_PRODUCER_EPOCH');
  const { tx, calls } = transaction([fenced, 'ok']);
  await expect(tx.sendOffsets(offsets)).rejects.toBe(fenced);
  expect(calls()).toBe(1);
});

it('never retries past the transaction timeout', async () => {
  const notReady = exhausted(protocolError('NOT_COORDINATOR_FOR_GROUP'));
  const { tx, calls } = transaction([notReady], Date.now() + 60);
  const start = Date.now();
  await expect(tx.sendOffsets(offsets)).rejects.toBe(notReady);
  expect(Date.now() - start).toBeLessThan(60);
  expect(calls()).toBeGreaterThan(1);
});

it('recognises the coordinator errors under KafkaJS names and current Kafka names', () => {
  for (const type of ['NOT_COORDINATOR_FOR_GROUP', 'NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']) {
    expect(isCoordinatorNotReady(exhausted(protocolError(type)))).toBe(true);
  }
  expect(isCoordinatorNotReady(Object.assign(new Error('x'), { name: 'KafkaJSGroupCoordinatorNotFound' }))).toBe(true);
  expect(isCoordinatorNotReady(protocolError('TRANSACTIONAL_ID_AUTHORIZATION_FAILED'))).toBe(false);
});
