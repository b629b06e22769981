// The demo, end to end on Decanter: a routing table sends an orders topic to OrdersConsumer (in
// worker threads), @decanter/producer produces the orders in a few waves while the App runs, each
// consumed batch produces a receipt back through the same producer, and the demo prints what
// happened — batches, threads, latencies from the App's events, receipts from the producer's
// events — then checks the outcome: every order consumed and receipted once, the revenue the
// consumers computed equals the revenue produced, and the committed offsets reached the end.
// It creates its own topics and deletes them afterwards; it never waits without a deadline.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { App, type ConsumedEvent } from '@decanter/consumer-core';
import { Producer } from '@decanter/producer';
import { Kafka, logLevel } from 'kafkajs';
import { formatCents, makeOrders, priceOrder, receiptsTopicFor, type Receipt } from './orders';

export interface DemoOptions {
  brokers: string[];
  /** Orders to produce. */
  orders: number;
  /** Partitions of the orders topic. */
  partitions: number;
  /** Waves the orders are produced in (a pause between waves shows live consumption). */
  waves: number;
  /** Longest the demo waits for everything to be consumed, in ms. */
  timeoutMs: number;
  /** Where the demo's lines go. */
  print: (line: string) => void;
}

/** What the demo observed; `ok` is true when every check passed. */
export interface DemoOutcome {
  ok: boolean;
  problems: string[];
  topic: string;
  produced: number;
  consumed: number;
  batches: number;
  receipts: number;
  receiptedOrders: number;
  rejectedOrders: number;
  producedRevenueCents: number;
  receiptedRevenueCents: number;
  /** Worker threads that ran consume jobs. */
  threads: number[];
  /** Highest batch number a single partition's consumer instance reported (state kept across batches). */
  maxBatchNo: number;
  /** Per-batch consumption latency (job start − timestamp of the batch's last message), ms. */
  consumptionLatencyP50Ms: number;
  consumptionLatencyMaxMs: number;
  committed: Record<number, number>;
  partitionEnds: Record<number, number>;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const { brokers, print } = options;
  const suffix = randomBytes(3).toString('hex');
  const topic = `demo-orders-${suffix}`;
  const receiptsTopic = receiptsTopicFor(topic);
  const kafka = new Kafka({ clientId: 'decanter-demo-admin', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic, numPartitions: options.partitions },
      { topic: receiptsTopic, numPartitions: 1 },
    ],
    waitForLeaders: true,
  });
  print(`Created '${topic}' (${options.partitions} partitions) and '${receiptsTopic}'`);

  const producer = new Producer({
    id: 'demo-producer',
    kafka: { 'bootstrap.servers': brokers.join(','), 'queue.buffering.max.ms': 5 },
  });
  const app = new App({
    id: 'demo',
    kafka: {
      'bootstrap.servers': brokers,
      'group.id': `${topic}-group`,
      'fetch.wait.max.ms': 50,
      'statistics.interval.ms': 0,
      'auto.commit.interval.ms': 1_000,
    },
    concurrency: 2,
    maxMessages: 25,
    maxWaitTimeMs: 100,
    shutdownTimeoutMs: 10_000,
    producer,
    routes: [
      {
        topics: [{ topic, consumer: { module: join(__dirname, 'orders-consumer'), export: 'OrdersConsumer' } }],
      },
    ],
  });

  const consumedEvents: ConsumedEvent[] = [];
  const receipts: Receipt[] = [];
  const problems: string[] = [];
  app.on('consumer.consumed', (event) => {
    consumedEvents.push(event);
    print(
      `  batch    ${event.topic}-${event.partition} offsets ${event.firstOffset}..${event.lastOffset} (${plural(event.messages, 'order')}) ` +
        `on thread ${event.threadId}: consumption latency ${event.consumptionLatencyMs.toFixed(1)} ms, ` +
        `waited ${event.processingLatencyMs.toFixed(1)} ms for a thread, consume() took ${event.durationMs.toFixed(1)} ms`,
    );
  });
  app.on('offsets.committed', (event) => {
    print(
      `  commit   ${event.offsets.map((o) => `${o.topic}-${o.partition}@${o.offset}`).join(', ')} (${event.reason}, ${event.durationMs.toFixed(1)} ms)`,
    );
  });
  app.on('error.occurred', (event) => {
    problems.push(`${event.type}: ${event.error.message}`);
    print(`  ERROR    ${event.type}: ${event.error.message}`);
  });
  // receipts are produced by the consumers through this process's producer: its events see them
  producer.on('message.produced_sync', ({ message }) => {
    if (message.topic !== receiptsTopic || message.payload === null) return;
    const receipt = JSON.parse(message.payload.toString()) as Receipt;
    receipts.push(receipt);
    print(
      `  receipt  ${receipt.topic}-${receipt.partition} batch #${receipt.batchNo}: ${plural(receipt.orders, 'order')}, ${formatCents(receipt.revenueCents)} ` +
        `(partition so far: ${receipt.partitionOrders} orders, ${formatCents(receipt.partitionRevenueCents)})`,
    );
  });

  let outcome: DemoOutcome | undefined;
  try {
    await app.start();
    print(`App running: ${topic} → OrdersConsumer on 2 worker threads (max_messages 25, max_wait_time 100 ms)`);

    const orders = makeOrders(options.orders);
    const producedRevenueCents = orders.reduce((sum, order) => sum + (priceOrder(order) ?? 0), 0);
    const perWave = Math.ceil(orders.length / options.waves);
    const partitionEnds: Record<number, number> = {};
    for (let wave = 0; wave * perWave < orders.length; wave += 1) {
      const slice = orders.slice(wave * perWave, (wave + 1) * perWave);
      const started = performance.now();
      const reports = await producer.produceManySync(
        slice.map((order) => ({ topic, key: order.customer, payload: JSON.stringify(order) })),
      );
      for (const r of reports)
        partitionEnds[r.partition] = Math.max(partitionEnds[r.partition] ?? 0, Number(r.offset) + 1);
      print(
        `Produced wave ${wave + 1}: orders ${slice[0]?.id}..${slice[slice.length - 1]?.id} in ${(performance.now() - started).toFixed(1)} ms`,
      );
      await sleep(300);
    }

    const deadline = performance.now() + options.timeoutMs;
    const receipted = (): number => receipts.reduce((sum, r) => sum + r.orders + r.rejected, 0);
    while (receipted() < orders.length && performance.now() < deadline) await sleep(20);
    if (receipted() < orders.length)
      problems.push(`timed out after ${options.timeoutMs} ms with ${receipted()} of ${orders.length} orders receipted`);

    const stop = await app.stop();
    if (stop.timedOut) problems.push('the App did not stop within its shutdown timeout');
    const fetched = await admin.fetchOffsets({ groupId: `${topic}-group`, topics: [topic] });
    const committed: Record<number, number> = Object.fromEntries(
      (fetched[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
    );

    const consumed = consumedEvents.filter((e) => e.success).reduce((sum, e) => sum + e.messages, 0);
    const receiptedOrders = receipts.reduce((sum, r) => sum + r.orders, 0);
    const rejectedOrders = receipts.reduce((sum, r) => sum + r.rejected, 0);
    const receiptedRevenueCents = receipts.reduce((sum, r) => sum + r.revenueCents, 0);
    const latencies = consumedEvents.map((e) => e.consumptionLatencyMs);
    if (consumed !== orders.length) problems.push(`consumed ${consumed} messages, expected ${orders.length}`);
    if (receiptedOrders !== orders.length)
      problems.push(`receipts cover ${receiptedOrders} orders, expected ${orders.length}`);
    if (rejectedOrders !== 0) problems.push(`${rejectedOrders} orders were rejected`);
    if (receiptedRevenueCents !== producedRevenueCents) {
      problems.push(
        `consumers computed ${formatCents(receiptedRevenueCents)}, the orders are worth ${formatCents(producedRevenueCents)}`,
      );
    }
    for (const [partition, end] of Object.entries(partitionEnds)) {
      if (committed[Number(partition)] !== end)
        problems.push(`partition ${partition}: committed ${committed[Number(partition)]}, expected ${end}`);
    }
    outcome = {
      ok: problems.length === 0,
      problems,
      topic,
      produced: orders.length,
      consumed,
      batches: consumedEvents.length,
      receipts: receipts.length,
      receiptedOrders,
      rejectedOrders,
      producedRevenueCents,
      receiptedRevenueCents,
      threads: [...new Set(consumedEvents.map((e) => e.threadId))].sort((a, b) => a - b),
      maxBatchNo: Math.max(0, ...receipts.map((r) => r.batchNo)),
      consumptionLatencyP50Ms: median(latencies),
      consumptionLatencyMaxMs: Math.max(0, ...latencies),
      committed,
      partitionEnds,
    };
  } finally {
    await app.stop().catch(() => undefined);
    await producer.close().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic, receiptsTopic] }).catch(() => undefined);
    await admin.disconnect();
  }

  print('');
  print(`Produced ${outcome.produced} orders worth ${formatCents(outcome.producedRevenueCents)} to '${topic}'`);
  print(
    `Consumed ${outcome.consumed} in ${outcome.batches} batches on threads ${outcome.threads.join(', ')}; ` +
      `consumption latency p50 ${outcome.consumptionLatencyP50Ms.toFixed(1)} ms, max ${outcome.consumptionLatencyMaxMs.toFixed(1)} ms`,
  );
  print(
    `Receipts: ${outcome.receipts} covering ${outcome.receiptedOrders} orders worth ${formatCents(outcome.receiptedRevenueCents)}`,
  );
  print(
    `Committed offsets: ${Object.entries(outcome.committed)
      .map(([p, o]) => `${p}@${o}`)
      .join(', ')}`,
  );
  print(
    outcome.ok
      ? 'Demo OK: every order consumed, receipted and committed once'
      : `Demo FAILED:\n  ${outcome.problems.join('\n  ')}`,
  );
  return outcome;
}
