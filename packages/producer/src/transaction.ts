// The object a transaction() callback receives: the produce API on the transaction's own
// pipeline (messages go through the KafkaJS transaction), plus sendOffsets for
// consume-transform-produce. It is only valid inside its callback.
// sendOffsets retries what a group coordinator that is moving or still loading answers
// (NOT_COORDINATOR_FOR_GROUP is common on a fresh broker, before __consumer_offsets is loaded):
// KafkaJS retries it once at most on a transactional producer. It never retries past the
// transaction's own timeout, after which the coordinator has aborted the transaction anyway.
import type { DeliveryPipeline } from './delivery/delivery-pipeline';
import { rootCause } from './delivery/failure-classification';
import type { WireTransaction } from './network/producer-wire';
import type { VariantSettings } from './delivery/variant-settings';
import type { Monitor } from './events';
import { ProducerVariant } from './producer-variant';
import type { TransactionOffsets } from './types';

/**
 * What a group coordinator answers while it moves or loads, under KafkaJS's names and Kafka's
 * current ones: asking again (KafkaJS looks the coordinator up again) succeeds once it is ready.
 */
const COORDINATOR_NOT_READY = new Set([
  'NOT_COORDINATOR_FOR_GROUP',
  'NOT_COORDINATOR',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_NOT_AVAILABLE',
  'GROUP_LOAD_IN_PROGRESS',
  'COORDINATOR_LOAD_IN_PROGRESS',
]);

/** True when `error` says the group coordinator is not ready yet (see COORDINATOR_NOT_READY). */
export function isCoordinatorNotReady(error: unknown): boolean {
  const root = rootCause(error) as { name?: string; type?: string } | null;
  if (root === null || typeof root !== 'object') return false;
  return root.name === 'KafkaJSGroupCoordinatorNotFound' || (root.type !== undefined && COORDINATOR_NOT_READY.has(root.type));
}

export interface TransactionRetry {
  /** First backoff of a sendOffsets retry (retry.backoff.ms); doubles per attempt. */
  retryBackoffMs: number;
  /** Largest backoff (retry.backoff.max.ms). */
  retryBackoffMaxMs: number;
  /** Date.now() time the transaction expires (its start + transaction.timeout.ms): no retry past it. */
  expiresAt: number;
}

export class Transaction extends ProducerVariant {
  constructor(
    pipeline: DeliveryPipeline,
    private readonly kafkaTransaction: Pick<WireTransaction, 'sendOffsets'>,
    settings: VariantSettings,
    monitor: Monitor,
    producerId: string,
    gate: () => void,
    private readonly retry: TransactionRetry = { retryBackoffMs: 100, retryBackoffMaxMs: 1_000, expiresAt: Infinity },
  ) {
    super(() => pipeline, settings, monitor, producerId, gate);
  }

  /**
   * Adds consumer offsets to the transaction: they commit (or abort) with its messages. Retried
   * with backoff while the group coordinator is not ready, up to the transaction's timeout.
   */
  async sendOffsets(offsets: TransactionOffsets): Promise<void> {
    this.gate();
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.kafkaTransaction.sendOffsets(offsets);
        return;
      } catch (error) {
        const backoff = Math.min(this.retry.retryBackoffMs * 2 ** (attempt - 1), this.retry.retryBackoffMaxMs);
        if (!isCoordinatorNotReady(error) || Date.now() + backoff >= this.retry.expiresAt) throw error;
        if (this.monitor.has('error.occurred')) {
          this.monitor.notify('error.occurred', { producerId: this.producerId, type: 'offsets.retrying', error: error as Error });
        }
        await new Promise((resolve) => setTimeout(resolve, backoff));
        this.gate();
      }
    }
  }
}
