// The app each consumer process of the chaos benchmark runs (`decanter server`, so the benchmark
// can SIGTERM or SIGKILL it): one topic, the chaos recording consumer, commits every 500 ms,
// a short session so a killed member leaves the group quickly. Settings come from the environment.
import { App } from '@decanter/consumer-core';
import { requiredEnv as env } from './stats';

export function createApp(): App {
  return new App({
    kafka: {
      'bootstrap.servers': env('KAFKA_BROKERS'),
      'group.id': env('BENCH_CHAOS_GROUP'),
      'auto.commit.interval.ms': 500,
      'fetch.wait.max.ms': 100,
      'session.timeout.ms': 6_000,
      'heartbeat.interval.ms': 1_000,
      'request.timeout.ms': 5_000,
      'socket.connection.setup.timeout.ms': 1_000,
      'fetch.error.backoff.ms': 300,
      'statistics.interval.ms': 0,
    },
    logger: process.env['BENCH_CHAOS_LOG_DIR'] !== undefined && process.env['BENCH_CHAOS_LOG_DIR'] !== '', // the bench keeps each process's output there
    concurrency: 1,
    concurrentJobsPerThread: 4,
    maxMessages: 200,
    maxWaitTimeMs: 100,
    routes: [{ topics: [{ topic: env('BENCH_CHAOS_TOPIC'), consumer: { module: env('BENCH_CHAOS_CONSUMER'), export: 'ChaosRecordingConsumer' }, deserializer: 'raw' }] }],
  });
}
