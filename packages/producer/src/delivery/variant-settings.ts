// The per-request settings a message is produced with. Messages of different variants live in
// different accumulators and lanes, so they never share a Produce request.
import type { CompressionTypes } from 'kafkajs';
import type { CompressionCodecName } from '../types';

export interface VariantSettings {
  /** Identity of the variant: acks/compression/timeout. */
  readonly key: string;
  readonly acks: 0 | 1 | -1;
  readonly compression: CompressionCodecName;
  readonly compressionType: CompressionTypes;
  /** Delivery timeout (message.timeout.ms or the variant's timeoutMs). */
  readonly timeoutMs: number;
  /** Broker-side ack timeout of one Produce request. */
  readonly requestTimeoutMs: number;
}
