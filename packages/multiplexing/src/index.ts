// Public entry of @decanter/multiplexing: several connections (KafkaJS consumers) for one
// subscription group, static or scaling between bounds. See docs/multiplexing.md.
export { multiplexing, MULTIPLEXING_FEATURE, type MultiplexingScaledEvent } from './feature';
export type { MultiplexingDefinition, ResolvedMultiplexing } from './options';
export type { ScaleDownReason, ScaleUpReason } from './scaler';
// the sticky assigner moved to the core (every App uses it); still exported here for code that imported it
export { stickyAssigner, STICKY_ASSIGNER } from '@decanter/consumer-core/features';
export { MultiplexingErrorCodes, ScalingStepFailedError, type MultiplexingErrorCode } from './errors';
