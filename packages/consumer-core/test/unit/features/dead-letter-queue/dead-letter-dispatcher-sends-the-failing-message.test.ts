// Claim: once a message has failed more than maxRetries times, the deadLetterQueue() feature's
// failure policy (through the default strategy's settle / retryOrDivert) produces exactly that
// message — its own key, payload and headers — to the route's DLQ topic with every source header
// of DLQ_HEADERS, marks it, and restarts the partition at the NEXT offset (pause reason 'dlq',
// timeout 0). When the produce fails nothing is marked, and the partition retries from the
// failing message after the backoff. The job runs through the real JobExecutor, FeatureSet (its
// built-in deadLetterQueue()), PartitionCoordinator, OffsetTracker and PausesManager, with a fake
// worker pool, a fake listener and a fake producer, under fake timers. No broker.
import { DLQ_HEADERS } from '../../../../src/features/dead-letter-queue/dead-letter-headers';
import type { ProducedMessage } from '../../../../src/options';
import { PARTITION, TOPIC, executorHarness, failed, messagesBetween } from '../../processing/support/executor-harness';

const DLQ_TOPIC = 'orders.dlq';
const BACKOFF = { timeoutMs: 200, maxTimeoutMs: 60_000, exponential: true } as const;

let h: ReturnType<typeof executorHarness>;
const produced: ProducedMessage[] = [];

afterEach(() => {
  h.stop();
  produced.length = 0;
  jest.useRealTimers();
});

/**
 * maxRetries 1: job 10..14 fails after marking 10 (restart at 11, retry 1); the refetched job
 * 11..15 marks 11 and fails at 12 — the second failure in a row, past maxRetries: message 12,
 * which is neither job's first message, is the one given up on.
 */
async function failTwiceAt12(produce: 'acknowledged' | 'refused'): Promise<void> {
  jest.useFakeTimers();
  h = executorHarness({
    backoff: BACKOFF,
    deadLetterQueue: { topic: DLQ_TOPIC, maxRetries: 1, independent: false },
    produce: async (message) => {
      produced.push(message);
      if (produce === 'refused') throw new Error('KafkaJSNumberOfRetriesExceeded: broker unreachable');
      return { topic: DLQ_TOPIC, partition: 3, offset: '77' };
    },
  });
  await h.poll(messagesBetween(10, 14), async () => failed(11, 'cannot parse'));
  h.endPause();
  await h.poll(messagesBetween(11, 15), async () => failed(12, 'cannot parse order 12'));
}

const text = (b: unknown): unknown => (Buffer.isBuffer(b) ? b.toString('utf8') : b);

test('the DLQ gets exactly the failing message: its key, payload and own headers', async () => {
  await failTwiceAt12('acknowledged');

  const rule = 'sends exactly the failing message (offset 12) with its key, payload and own headers';
  expect({ [rule]: produced.map((m) => ({ topic: m.topic, key: text(m.key), payload: text(m.payload), ownHeader: text(m.headers?.['trace']) })) }).toEqual({
    [rule]: [{ topic: DLQ_TOPIC, key: 'key-12', payload: 'value-12', ownHeader: 'trace-12' }],
  });
});

test('the dead-lettered message carries every DLQ_HEADERS source header', async () => {
  await failTwiceAt12('acknowledged');

  const rule = 'adds every DLQ_HEADERS source header (topic, partition, offset, group, attempts, error class and message)';
  const headers = produced[0]?.headers ?? {};
  // one line: a failed assertion always shows the rule it is keyed by
  const sent = Object.values(DLQ_HEADERS)
    .map((name) => `${name}=${String(text(headers[name]))}`)
    .join(', ');
  expect({ [rule]: sent }).toEqual({
    [rule]: [
      `${DLQ_HEADERS.topic}=${TOPIC}`,
      `${DLQ_HEADERS.partition}=${PARTITION}`,
      `${DLQ_HEADERS.offset}=12`,
      `${DLQ_HEADERS.consumerGroup}=cg`,
      `${DLQ_HEADERS.attempts}=2`,
      `${DLQ_HEADERS.errorClass}=TypeError`,
      `${DLQ_HEADERS.errorMessage}=cannot parse order 12`,
    ].join(', '),
  });
});

test('the dead-lettered message is marked: the next commit is the offset after it', async () => {
  await failTwiceAt12('acknowledged');

  const rule = 'marks the dead-lettered message (the partition commits 13)';
  expect({ [rule]: { marked: h.marked(), pending: h.tracker.pending() } }).toEqual({
    [rule]: { marked: 13, pending: [{ topic: TOPIC, partition: PARTITION, offset: 13 }] },
  });
});

test('after the DLQ took the message, the partition restarts at the next offset at once (reason dlq)', async () => {
  await failTwiceAt12('acknowledged');
  const pause = h.paused.at(-1);
  h.endPause();

  const rule = "restarts the partition at the NEXT offset, 13 (pause reason 'dlq', timeout 0)";
  expect({ [rule]: { offset: pause?.offset, timeoutMs: pause?.timeoutMs, reason: pause?.reason, resumed: h.listenerCalls.at(-1) } }).toEqual({
    [rule]: { offset: 13, timeoutMs: 0, reason: 'dlq', resumed: `resumeAt ${TOPIC}-${PARTITION}@13` },
  });
});

test('when producing to the DLQ fails, nothing is marked', async () => {
  await failTwiceAt12('refused');

  const rule = 'a failed DLQ produce marks nothing (the mark stays at the failing message, 12)';
  expect({ [rule]: { produceTried: produced.length, marked: h.marked(), errors: h.errors.filter((e) => e.startsWith('dlq')) } }).toEqual({
    [rule]: { produceTried: 1, marked: 12, errors: ['dlq.dispatch.error'] },
  });
});

test('when producing to the DLQ fails, the partition retries from the failing message after the backoff', async () => {
  await failTwiceAt12('refused');
  const pause = h.paused.at(-1);
  h.endPause();

  const rule = 'a failed DLQ produce retries from the failing message, 12, after the backoff (2nd failure: 400 ms)';
  expect({ [rule]: { offset: pause?.offset, reason: pause?.reason, lasted: h.pauseLengths.at(-1), resumed: h.listenerCalls.at(-1) } }).toEqual({
    [rule]: { offset: 12, reason: 'error', lasted: 400, resumed: `resumeAt ${TOPIC}-${PARTITION}@12` },
  });
});
