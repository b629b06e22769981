// Public entry of @decanter/consumer-core/features: the seam for people who extend Decanter
// (feature packages such as @decanter/virtual-partitions and @decanter/multiplexing). See
// "Writing a feature" in docs/consumer.md. Users of features need only the main entry.
export type { Feature } from './feature';
export type { AssignmentContext, BehaviourContext, DivertedSink, IdleHook, IdlePartition, TopicBehaviour, TopicBehaviourFactory } from './topic-behaviour';
export { deadLetterQueue, DEAD_LETTER_QUEUE_FEATURE } from './dead-letter-queue/feature';
export { manualOffsetManagement, MANUAL_OFFSETS_FEATURE } from './manual-offsets/feature';
export { periodicTicks, PERIODIC_TICKS_FEATURE } from './periodic-ticks/feature';
export { partitionEof, PARTITION_EOF_FEATURE } from './partition-eof/feature';
export { KNOWN_FEATURE_KEYS, type TopicFeatures } from './feature-set';
export type {
  AppContext,
  RouteContext,
  RouteExtension,
  RouteLevel,
  SubscriptionGroupRouteExtensions,
  SubscriptionGroupSettings,
  TopicRouteExtensions,
  TopicSettings,
} from '../routing/route-extension';
export { IssueList, isBoolean, isInteger, isNonEmptyString, isOneOf, isPlainObject, type Check } from '../contract-rules';
export type { HookKind, JobOutcome, PartitionControl, PartitionStrategy, StrategyFactory } from '../processing/strategies/partition-strategy';
export { defaultStrategy, firstUnmarked, retryOrDivert, DEFAULT_STRATEGY, type FailureEvidence } from '../processing/strategies/default-strategy';
export { combineFailurePolicies, type FailureCount, type FailurePolicy, type JobFailure } from '../processing/strategies/failure-policy';
export { controlFlowOf, type ControlFlow } from '../processing/control-flow';
export type { Committable, OffsetLedger, OffsetLedgerFactory, OffsetRun, RewindReason } from '../processing/offsets/offset-ledger';
export { ContiguousLedger } from '../processing/offsets/contiguous-ledger';
export { instanceKeyOf, jobKey, type ConsumeJob, type JobDetails } from '../processing/job';
export type { ConsumeResult } from '../processing/worker-protocol';
export type { SerializedError } from '../processing/serialized-error';
export { MessageRun } from '../messages/packed-chunk';
export type { FetchedMessage } from '../messages/fetched-message';
export {
  SINGLE_CONNECTION,
  type AssignedPartition,
  type AssignerFactory,
  type AssignmentMemory,
  type ConnectionCount,
  type ConnectionsControl,
  type ConnectionsPlan,
  type ConnectionsScaler,
  type ConnectionView,
} from '../connection/connections-plan';
export { subscriptionAwareAssigner, SUBSCRIPTION_AWARE_ASSIGNER } from '../connection/subscription-aware-assigner';
export { stickyAssigner, STICKY_ASSIGNER } from '../connection/sticky-assigner';
export type { Monitor } from '../instrumentation/monitor';
