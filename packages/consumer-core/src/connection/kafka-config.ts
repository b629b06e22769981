import { logLevel, type ConsumerConfig, type KafkaConfig, type PartitionAssigner } from 'kafkajs';
import type { ResolvedKafkaSettings } from '../options';
import type { ResolvedFetchSettings } from '../routing/fetch-settings';
import { subscriptionAwareAssigner } from './subscription-aware-assigner';

/** The librdkafka-named settings, translated to KafkaJS's client config. */
export function toKafkaJsClientConfig(kafka: ResolvedKafkaSettings, clientId: string): KafkaConfig {
  const config: KafkaConfig = {
    clientId,
    brokers: [...kafka.brokers],
    connectionTimeout: kafka.connectionTimeoutMs,
    requestTimeout: kafka.requestTimeoutMs,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: kafka.fetchErrorBackoffMs, retries: 5 },
  };
  if (kafka.ssl !== undefined) config.ssl = kafka.ssl;
  if (kafka.sasl !== undefined) config.sasl = kafka.sasl;
  return config;
}

/**
 * One subscription group's KafkaJS consumer config. Auto-commit is turned off in `run()`, not
 * here. `preferred` assigners (the sticky one, or a feature's) come first; the subscription-aware
 * round-robin one stays as the one every member of the group shares, whichever version or
 * features its other processes run.
 */
export function toKafkaJsConsumerConfig(kafka: ResolvedKafkaSettings, fetch: ResolvedFetchSettings, groupId: string, preferred: readonly PartitionAssigner[] = []): ConsumerConfig {
  return {
    groupId,
    partitionAssigners: [...preferred, subscriptionAwareAssigner],
    sessionTimeout: kafka.sessionTimeoutMs,
    heartbeatInterval: kafka.heartbeatIntervalMs,
    rebalanceTimeout: kafka.rebalanceTimeoutMs,
    maxWaitTimeInMs: fetch.fetchWaitMaxMs,
    minBytes: fetch.fetchMinBytes,
    maxBytesPerPartition: fetch.fetchMessageMaxBytes,
    maxBytes: fetch.fetchMaxBytes,
    readUncommitted: kafka.readUncommitted,
    allowAutoTopicCreation: false,
    retry: { initialRetryTime: kafka.fetchErrorBackoffMs, retries: 5 },
  };
}
