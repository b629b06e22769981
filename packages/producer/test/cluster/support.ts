// Shared pieces of the producer's cluster tests (not a test file): topics with a chosen leader,
// a steady stream of uniquely identified messages whose every outcome is kept, and a KafkaJS
// reader of the whole log.
import { Kafka, logLevel } from 'kafkajs';
import { clusterBrokers, createClusterTopic, sleep, uniqueTopicName, waitUntil, withClusterAdmin } from '@decanter/test-helpers';
import type { DeliveryReport, ProduceApi } from '@decanter/producer';

/** A topic with replication factor 3 whose partition p is led by `leaders[p]`. */
export const topicLedBy = createClusterTopic;

export interface Outcome {
  id: string;
  partition: number;
  producedAt: number;
  settledAt?: number;
  report?: DeliveryReport;
  error?: unknown;
}

/** Outcomes of every message a stream produced; `settled()` once every handle settled. */
export class Stream {
  readonly outcomes: Outcome[] = [];
  private readonly pending: Array<Promise<void>> = [];
  private n = 0;

  constructor(
    private readonly producer: ProduceApi,
    private readonly topic: string,
    private readonly partitions: number,
    private readonly tag: string,
  ) {}

  /** Produces for `ms`, one message every `everyMs` (0: as fast as admission lets, yielding every 20). */
  async run(ms: number, everyMs: number): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const n = this.n;
      this.n += 1;
      const outcome: Outcome = { id: `${this.tag}-${n}`, partition: n % this.partitions, producedAt: Date.now() };
      this.outcomes.push(outcome);
      const handle = await this.producer.produceAsync({ topic: this.topic, partition: outcome.partition, payload: outcome.id });
      this.pending.push(
        handle.wait().then(
          (report) => {
            outcome.report = report;
            outcome.settledAt = Date.now();
          },
          (error: unknown) => {
            outcome.error = error;
            outcome.settledAt = Date.now();
          },
        ),
      );
      if (everyMs > 0) await sleep(everyMs);
      else if (n % 20 === 19) await sleep(0);
    }
  }

  async settled(): Promise<Outcome[]> {
    await Promise.all(this.pending);
    return this.outcomes;
  }
}

export interface LogRecord {
  partition: number;
  offset: number;
  value: string;
}

/** Every record of `topic` up to its current high watermarks, read by a fresh KafkaJS consumer. */
export async function readLog(topic: string, options: { readCommitted?: boolean; quietMs?: number } = {}): Promise<LogRecord[]> {
  const kafka = new Kafka({ clientId: 'cluster-tests-reader', brokers: clusterBrokers(), logLevel: logLevel.NOTHING });
  const ends = await withClusterAdmin(async (admin) => admin.fetchTopicOffsets(topic));
  const consumer = kafka.consumer({ groupId: uniqueTopicName(`${topic}-reader`), readUncommitted: !(options.readCommitted ?? false), maxWaitTimeInMs: 200 });
  const records: LogRecord[] = [];
  const reached = new Map<number, number>();
  let lastAt = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) records.push({ partition: batch.partition, offset: Number(m.offset), value: m.value?.toString() ?? '' });
        // the batch's last offset covers control records and aborted messages too
        reached.set(batch.partition, Math.max(reached.get(batch.partition) ?? -1, Number(batch.lastOffset())));
        lastAt = Date.now();
      },
    });
    await waitUntil(
      `reading ${topic} to its high watermarks`,
      () =>
        ends.every((e) => Number(e.high) === 0 || (reached.get(e.partition) ?? -1) >= Number(e.high) - 1) ||
        // read-committed: a trailing transaction marker is never delivered; stop once quiet
        (options.readCommitted === true && records.length > 0 && Date.now() - lastAt > (options.quietMs ?? 3_000)),
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Values that occur more than once in `records`. */
export function duplicateValues(records: LogRecord[]): string[] {
  const seen = new Set<string>();
  const dup: string[] = [];
  for (const r of records) {
    if (seen.has(r.value)) dup.push(r.value);
    seen.add(r.value);
  }
  return dup;
}

/** Acknowledged messages that are not at their reported offset. */
export function lostAcked(outcomes: Outcome[], records: LogRecord[]): Outcome[] {
  const at = new Map(records.map((r) => [`${r.partition}/${r.offset}`, r.value]));
  return outcomes.filter((o) => o.report !== undefined && at.get(`${o.report.partition}/${o.report.offset ?? ''}`) !== o.id);
}

/** A one-line summary of the errors on failed handles: `{ "<code>: <message start>": count }`. */
export function errorSummary(outcomes: Outcome[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of outcomes) {
    if (o.error === undefined) continue;
    const e = o.error as { code?: string; message?: string };
    const key = `${e.code ?? 'no code'}: ${(e.message ?? String(o.error)).replace(/\d+/g, 'N').slice(0, 200)}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** The Kafka error types (`NOT_ENOUGH_REPLICAS`, …) along `error`'s cause chain. */
export function causeTypes(error: unknown): string[] {
  const types: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current !== null && typeof current === 'object'; depth += 1) {
    const { type, cause } = current as { type?: unknown; cause?: unknown };
    if (typeof type === 'string') types.push(type);
    if (cause === current) break;
    current = cause;
  }
  return types;
}
