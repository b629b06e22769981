// Public entry of @decanter/consumer-core. The worker entry (processing/worker.ts) is a separate
// build entry and is deliberately not exported.
export { App, type StopResult } from './app';
export { Consumer, type BatchMetadata, type ConsumerProducer, type ConsumerTransaction, type Messages, type SeekTarget } from './consumer';
export { DLQ_HEADERS } from './processing/dead-letter-headers';
export { backoffDelay, type BackoffPolicy } from './processing/backoff';
export { Message, type Deserializer } from './messages/message';
export {
  defaultAppOptions,
  defaultKafkaSettings,
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
  DeadLetterQueueDefinition,
  DeserializerReference,
  PeriodicDefinition,
  RoutesDefinition,
  TopicKafkaOverrides,
  TopicRouteDefinition,
} from './routing/routes';
export type { ConsumerGroup } from './routing/consumer-group';
export type { SubscriptionGroup } from './routing/subscription-group';
export type { Topic } from './routing/topic';
export type * from './events';
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
