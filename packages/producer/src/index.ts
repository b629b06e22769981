// Public entry of @decanter/producer. Everything exported here is API; nothing else is.
export { Producer, type ProducerState } from './producer';
export { ProducerVariant } from './producer-variant';
export { Transaction } from './transaction';
export { DeliveryHandle } from './delivery/delivery-handle';
export type { VariantSettings } from './delivery/variant-settings';
export {
  defaultKafkaSettings,
  defaultProducerOptions,
  producerKafkaAliases,
  producerKafkaHints,
  type ProducerKafkaSettings,
  type ProducerOptions,
  type ResolvedProducerOptions,
} from './options';
export { resolveProducerOptions } from './options-contract';
// the contract helpers consumer-core shares: one path notation, one "did you mean", one alias rule
export { configPath } from './config-path';
export { nearestKey, unknownKeyRule } from './nearest-key';
export { aliasConflictRule, resolveAliases, type ResolvedAliases, type SettingAliases } from './setting-aliases';
export {
  resolveSecuritySettings,
  SECURITY_SETTING_ALIASES,
  SECURITY_SETTING_KEYS,
  type ResolvedSecurity,
  type SaslMechanism,
  type SecurityProtocol,
  type SecuritySettings,
} from './security-settings';
export {
  COMPRESSION_CODECS,
  type Acks,
  type CompressionCodecName,
  type DeliveryReport,
  type HeaderValue,
  type ProduceApi,
  type ProduceMessage,
  type TransactionOffsets,
  type VariantOptions,
} from './types';
export type { DeliveryHandle as DeliveryHandleShape } from './types';
export {
  ConfigurationError,
  DecanterError,
  DeliveryError,
  MessageInvalidError,
  MessageTooLargeError,
  PRODUCER_ERROR_CODES,
  ProducerClosedError,
  QueueFullError,
  TransactionError,
  formatIssue,
  hasErrorCode,
  isDecanterError,
  type ConfigurationIssue,
  type DecanterErrorOptions,
  type DeliveryErrorOptions,
  type ErrorContext,
  type DecanterErrorCode,
  type DecanterErrorCodes,
  type ProducerErrorCode,
} from './errors';
export {
  Monitor,
  type ErrorEvent,
  type ProducerErrorType,
  type ProducerEventName,
  type ProducerEventPayload,
  type ProducerEvents,
  type RequestEvent,
} from './events';
export { LoggerListener, type LineLogger } from './instrumentation/logger-listener';
