// Public entry of @decanter/multiplexing: several connections (KafkaJS consumers) for one
// subscription group, static or scaling between bounds. See docs/multiplexing.md.
export { multiplexing, MULTIPLEXING_FEATURE, type MultiplexingScaledEvent } from './feature';
export type { MultiplexingDefinition, ResolvedMultiplexing } from './options';
export type { ScaleDownReason, ScaleUpReason } from './scaler';
export { stickyAssigner, STICKY_ASSIGNER } from './sticky-assigner';
export { MultiplexingErrorCodes, ScalingStepFailedError, type MultiplexingErrorCode } from './errors';
