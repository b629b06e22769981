// The app `decanter server` runs in the virtual partitions crash-cost run (its own process, so the
// benchmark can SIGKILL it): one partition split into 8 virtual partitions by key, a short commit
// interval, offset metadata on or off. Settings come from the environment the benchmark sets.
import { App } from '@decanter/consumer-core';
import { virtualPartitions } from '@decanter/virtual-partitions';
import { requiredEnv as env } from './stats';

export function createApp(): App {
  return new App({
    kafka: {
      'bootstrap.servers': env('KAFKA_BROKERS'),
      'group.id': env('BENCH_VP_CRASH_GROUP'),
      'auto.commit.interval.ms': Number(env('BENCH_VP_CRASH_COMMIT_MS')),
      'fetch.wait.max.ms': 100,
      'session.timeout.ms': 6_000,
      'heartbeat.interval.ms': 1_000,
      'statistics.interval.ms': 0,
    },
    logger: false,
    features: [virtualPartitions()],
    concurrency: 2,
    concurrentJobsPerThread: 4,
    maxMessages: Number(env('BENCH_VP_CRASH_MAX_MESSAGES')),
    maxWaitTimeMs: 100,
    routes: [
      {
        topics: [
          {
            topic: env('BENCH_VP_CRASH_TOPIC'),
            consumer: { module: env('BENCH_VP_CRASH_CONSUMER'), export: 'CrashRecordingConsumer' },
            deserializer: 'raw',
            virtualPartitions: { partitioner: 'key', maxPartitions: 8, offsetMetadata: env('BENCH_VP_CRASH_METADATA') === '1' },
          },
        ],
      },
    ],
  });
}
