// Public entry of @decanter/consumer-core. The worker entry (processing/worker.ts) is a separate
// build entry and is deliberately not exported.
export { App, type StopResult } from './app';
export { Consumer, type BatchMetadata, type ConsumerProducer, type ConsumerTransaction, type Messages, type SeekTarget } from './consumer';
export { DLQ_HEADERS } from './features/dead-letter-queue/dead-letter-headers';
export { backoffDelay, type BackoffPolicy } from './processing/backoff';
export { Message, type Deserializer } from './messages/message';
export {
  defaultAppOptions,
  defaultKafkaSettings,
  kafkaSettingAliases,
  kafkaSettingHints,
  type AppOptions,
  type ConsumerKafkaSettings,
  type ConsumerProducerTarget,
  type ConsumerProducerTransaction,
  type ProducedMessage,
  type ProducedReport,
  type ResolvedAppOptions,
} from './options';
export type {
  BuiltInDeserializer,
  ConsumerGroupRouteDefinition,
  ConsumerReference,
  DeserializerReference,
  RoutesDefinition,
  SubscriptionGroupRouteDefinition,
  TopicKafkaOverrides,
  TopicRouteDefinition,
} from './routing/routes';
// the route keys of features: augmented by feature packages (declaration merging), so a routing
// table is type-checked with the keys of the features it uses; the built-in features' own
// definitions are exported here, which also keeps their augmentations in this entry's types
export type { SubscriptionGroupRouteExtensions, SubscriptionGroupSettings, TopicRouteExtensions, TopicSettings } from './routing/route-extension';
export type { DeadLetterQueueDefinition } from './features/dead-letter-queue/feature';
export type { ManualOffsetManagementDefinition } from './features/manual-offsets/feature';
export type { PeriodicDefinition } from './features/periodic-ticks/feature';
export type { Feature } from './features/feature';
export type { ConsumerGroup } from './routing/consumer-group';
export type { SubscriptionGroup } from './routing/subscription-group';
export type { Topic } from './routing/topic';
export type * from './events';
// named too: declaration merging (features' events, error types, statistics) reaches them only through a named export
export type { AppEvents, ErrorTypeExtensions, PartitionStatisticsExtensions } from './events';
export { Monitor } from './instrumentation/monitor';
export { LoggerListener, type LoggerLike } from './instrumentation/logger-listener';
export {
  ConfigurationError,
  ConsumeFailedError,
  ConsumerErrorCodes,
  CommitFailedError,
  DecanterConsumerError,
  DecanterError,
  DeadLetterFailedError,
  DependencyMissingError,
  ListenerCrashedError,
  PartitionRevokedError,
  ProducerUnavailableError,
  RetryLaterError,
  ShutdownTimeoutError,
  TransactionFailedError,
  UnrecoverableError,
  WorkerFailedError,
  hasErrorCode,
  isDecanterConsumerError,
  isDecanterError,
  type ConfigurationIssue,
  type ConsumerErrorCode,
  type DecanterErrorCode,
  type DecanterErrorCodes,
  type ErrorContext,
} from './errors';
export { runServer, EXIT_CODES, type ServerOptions } from './server';
