// Raw KafkaJS on the multiplexing benchmark's uneven workload, as the baseline in the same run:
// one consumer, eachBatch with partitionsConsumedConcurrently 4, the same heavy work (one timer of
// heavyMs per batch of up to maxMessages of the heavy partition: a larger KafkaJS batch is cut,
// the rest resolved later, so the heavy batch means the same as in the App) and the same light
// latency definition (batch start − message timestamp). KafkaJS fetches again only when every
// batch of the last fetch response is done, so the light partitions wait for the heavy one: the
// problem multiplexing answers. maxBytesPerPartition is 4 KiB so that a fetch carries about the
// heavy batch it uses (the heavy backlog is produced in record batches of maxMessages): with the
// default 1 MiB every fetch decoded ~20,000 heavy messages to use 100, ~50 ms of main thread each
// time. Never leaves its consumer running: stop() disconnects.
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';

export interface UnevenSink {
  /** A light message's latency, by its timestamp; with the part its job waited for a thread, when known. */
  light(timestamp: number, latencyMs: number, processingLagMs?: number): void;
  /** A heavy batch of `messages` finished. */
  heavy(messages: number): void;
}

export interface UnevenKafkaJsSettings {
  brokers: string[];
  topic: string;
  groupId: string;
  heavyPartition: number;
  heavyMs: number;
  maxMessages: number;
  waitMs: number;
}

/** Starts the consumer; resolves once it joined its group, with its stop(). */
export async function startKafkaJsUneven(
  settings: UnevenKafkaJsSettings,
  sink: UnevenSink,
): Promise<{ stop(): Promise<void> }> {
  const consumer = new Kafka({
    clientId: 'bench-mux-kafkajs',
    brokers: settings.brokers,
    logLevel: logLevel.NOTHING,
  }).consumer({
    groupId: settings.groupId,
    maxWaitTimeInMs: settings.waitMs,
    maxBytesPerPartition: 4_096,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: settings.topic, fromBeginning: true });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  let running = true;
  await consumer.run({
    partitionsConsumedConcurrently: 4,
    eachBatchAutoResolve: false,
    autoCommitInterval: 1_000,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      if (!running || batch.messages.length === 0) return;
      const startedAt = Date.now();
      if (batch.partition === settings.heavyPartition) {
        const taken = batch.messages.slice(0, settings.maxMessages);
        await sleep(settings.heavyMs);
        resolveOffset(taken[taken.length - 1]!.offset);
        sink.heavy(taken.length);
      } else {
        for (const message of batch.messages) {
          const timestamp = Number(message.timestamp);
          sink.light(timestamp, startedAt - timestamp);
        }
        resolveOffset(batch.lastOffset());
      }
      await heartbeat();
    },
  });
  await joined;
  return {
    async stop() {
      running = false;
      await consumer.disconnect();
    },
  };
}
