// The object a transaction() callback receives: the produce API on the transaction's own
// pipeline (messages go through the KafkaJS transaction), plus sendOffsets for
// consume-transform-produce. It is only valid inside its callback.
import type { DeliveryPipeline } from './delivery/delivery-pipeline';
import type { WireTransaction } from './network/producer-wire';
import type { VariantSettings } from './delivery/variant-settings';
import type { Monitor } from './events';
import { ProducerVariant } from './producer-variant';
import type { TransactionOffsets } from './types';

export class Transaction extends ProducerVariant {
  constructor(
    pipeline: DeliveryPipeline,
    private readonly kafkaTransaction: Pick<WireTransaction, 'sendOffsets'>,
    settings: VariantSettings,
    monitor: Monitor,
    producerId: string,
    gate: () => void,
  ) {
    super(() => pipeline, settings, monitor, producerId, gate);
  }

  /** Adds consumer offsets to the transaction: they commit (or abort) with its messages. */
  async sendOffsets(offsets: TransactionOffsets): Promise<void> {
    this.gate();
    await this.kafkaTransaction.sendOffsets(offsets);
  }
}
