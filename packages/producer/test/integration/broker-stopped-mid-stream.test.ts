// Claim: when the broker stops in the middle of a stream and comes back, no message that was
// acknowledged to the caller is lost, and none is silently dropped: every handle settles — with a
// report whose offset really holds its message, or with a DecanterError (cause attached) that was
// also reported on `error.occurred` — and the outage itself is surfaced as retry events.
// Both record encoders (KafkaJS's, and Decanter's own: recordEncoder 'decanter').
// This test runs its OWN broker on another port (never the shared one): it stops it.
import { Kafka, logLevel } from 'kafkajs';
import { hasErrorCode, isDecanterError, Producer, type DeliveryReport, type ErrorEvent } from '@decanter/producer';
import { ownBroker, sleep } from '@decanter/test-helpers';
import { readTopic } from './support';

jest.setTimeout(240_000);

const PORT = process.env['PRODUCER_OUTAGE_KAFKA_PORT'] ?? '19292';
const broker = ownBroker(Number(PORT));
const BROKER = broker.address;
const kafkaCtl = (command: 'start' | 'stop'): Promise<void> => broker[command]();

let producer: Producer | undefined;

beforeAll(async () => {
  await kafkaCtl('start');
});

afterAll(async () => {
  await producer?.close().catch(() => undefined);
  await kafkaCtl('stop').catch(() => undefined);
});

it.each(['kafkajs', 'decanter'] as const)('recordEncoder %s: loses no acknowledged message and surfaces every failure across a broker restart', async (recordEncoder) => {
  const topic = `producer-outage-${recordEncoder}-${Date.now().toString(36)}`;
  const admin = new Kafka({ clientId: 'outage-admin', brokers: [BROKER], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();

  producer = new Producer({
    id: 'outage',
    recordEncoder,
    kafka: {
      'bootstrap.servers': BROKER,
      'queue.buffering.max.ms': 5,
      'message.timeout.ms': 45_000,
      'request.timeout.ms': 5_000,
      'retry.backoff.max.ms': 500,
      'socket.connection.setup.timeout.ms': 1_000,
    },
  });
  const errors: ErrorEvent[] = [];
  producer.on('error.occurred', (e) => errors.push(e));

  const settled: Array<Promise<{ i: number; report?: DeliveryReport; error?: unknown }>> = [];
  let i = 0;
  const stream = async (forMs: number): Promise<void> => {
    const until = Date.now() + forMs;
    while (Date.now() < until) {
      const n = i;
      i += 1;
      const handle = await producer!.produceAsync({ topic, key: `k${n % 7}`, payload: `m-${n}` });
      settled.push(handle.wait().then((report) => ({ i: n, report }), (error: unknown) => ({ i: n, error })));
      await sleep(10);
    }
  };

  await stream(1_500);
  const beforeStop = i;
  await Promise.all([stream(4_000), kafkaCtl('stop')]); // the broker goes away mid-stream
  await stream(1_500); // still down: these queue and retry
  // Messages with a delivery timeout shorter than the outage must fail — loudly, not vanish.
  const impatient = producer.variant({ timeoutMs: 1_000 });
  const shortLived = await impatient.produceManyAsync([0, 1, 2].map((n) => ({ topic, payload: `short-${n}` })));
  const shortOutcomes = Promise.all(shortLived.map((h) => h.wait().then(() => null, (error: unknown) => error)));
  await Promise.all([stream(2_000), kafkaCtl('start')]);
  const outcomes = await Promise.all(settled); // every message settles within message.timeout.ms
  const shortErrors = await shortOutcomes;
  expect(shortErrors.every((e) => hasErrorCode(e, 'DELIVERY_TIMED_OUT'))).toBe(true);

  expect(outcomes).toHaveLength(i);
  const acked = outcomes.filter((o) => o.report !== undefined);
  const failed = outcomes.filter((o) => o.error !== undefined);
  expect(acked.length + failed.length).toBe(i);
  expect(acked.length).toBeGreaterThan(beforeStop); // messages produced during the outage got through

  // The outage was surfaced, not hidden.
  expect(errors.some((e) => e.type === 'request.retrying')).toBe(true);
  // Every final failure is a DecanterError with its cause, and was reported on error.occurred.
  for (const f of failed) {
    expect(isDecanterError(f.error)).toBe(true);
    expect((f.error as Error).cause).toBeDefined();
  }
  const reportedFailures = errors.filter((e) => e.type === 'message.delivery').map((e) => e.message?.payload);
  expect(reportedFailures.sort()).toEqual([...failed.map((f) => `m-${f.i}`), 'short-0', 'short-1', 'short-2'].sort());

  // Every acknowledged message is at its reported offset on the restarted broker.
  const read = await readTopic(topic, (records) => records.length >= acked.length, { brokers: [BROKER], timeoutMs: 60_000 });
  const stored = new Map(read.map((r) => [`${r.partition}/${r.offset}`, r.value]));
  for (const a of acked) {
    expect(stored.get(`${a.report!.partition}/${a.report!.offset}`)).toBe(`m-${a.i}`);
  }
  await producer.close();
  process.stdout.write(`outage (${recordEncoder} encoder): ${i} produced, ${beforeStop} before the stop, ${acked.length} acknowledged, ${failed.length} failed, ${errors.filter((e) => e.type === 'request.retrying').length} retry events\n`);
});
