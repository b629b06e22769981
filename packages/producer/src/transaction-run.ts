// How one transaction runs, from the wire's transaction to its end: the messages produced in
// it go through a delivery pipeline of its own (over the wire transaction's sendBatch); it
// commits once `work` resolved and every message is acknowledged, and aborts when `work` throws,
// a message failed, or the commit fails. The Producer runs one at a time (producer.ts).
import { DeliveryPipeline, type PipelineShared } from './delivery/delivery-pipeline';
import type { VariantSettings } from './delivery/variant-settings';
import { TransactionError } from './errors';
import type { Monitor } from './events';
import type { WireTransaction } from './network/producer-wire';
import type { ResolvedProducerOptions } from './options';
import { Transaction } from './transaction';

export interface TransactionRunContext {
  readonly producerId: string;
  readonly shared: PipelineShared;
  /** The settings of the transaction's messages (the Producer's defaults). */
  readonly settings: VariantSettings;
  readonly monitor: Monitor;
  readonly options: Pick<ResolvedProducerOptions, 'transactionTimeoutMs' | 'retryBackoffMs' | 'retryBackoffMaxMs'>;
  /** Connects, then begins the transaction on the wire. */
  begin(): Promise<WireTransaction>;
  /** Told when the callback's transaction opens (true) and ends (false). */
  setOpen(open: boolean): void;
}

export async function runTransaction<T>(
  context: TransactionRunContext,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  const { producerId, shared, settings, monitor, options } = context;
  const kafkaTx = await context.begin();
  // The coordinator aborts a transaction older than transaction.timeout.ms by itself.
  const expiresAt = Date.now() + options.transactionTimeoutMs;
  const pipeline = new DeliveryPipeline(shared, (request) => kafkaTx.sendBatch(request), kafkaTx.sendBatch.openEncoding);
  let open = true;
  const gate = (): void => {
    if (!open)
      throw new TransactionError('TRANSACTION_FAILED', 'This transaction has ended; produce through a new one');
  };
  const tx = new Transaction(pipeline, kafkaTx, settings, monitor, producerId, gate, {
    retryBackoffMs: options.retryBackoffMs,
    retryBackoffMaxMs: options.retryBackoffMaxMs,
    expiresAt,
  });
  // Every message is settled (by its deadline at the latest), but a request whose messages
  // failed in flight may still be on its way: the transaction ends once KafkaJS has answered
  // it (or the transaction has expired anyway), so no write of it lands after the markers.
  const settle = async (): Promise<void> => {
    await pipeline.drain();
    await pipeline.whenIdle(expiresAt);
    pipeline.stop();
  };
  context.setOpen(true);
  try {
    let result: T;
    try {
      result = await work(tx);
      await settle();
    } catch (error) {
      open = false;
      await settle();
      await kafkaTx.abort().catch(() => undefined);
      reportFailure(monitor, producerId, error);
      throw error;
    }
    open = false;
    if (pipeline.failures > 0) {
      await kafkaTx.abort().catch(() => undefined);
      const error = new TransactionError(
        'TRANSACTION_FAILED',
        `${pipeline.failures} message(s) of the transaction failed; it was aborted`,
      );
      reportFailure(monitor, producerId, error);
      throw error;
    }
    try {
      await kafkaTx.commit();
    } catch (cause) {
      await kafkaTx.abort().catch(() => undefined);
      const error = new TransactionError(
        'TRANSACTION_FAILED',
        `Committing the transaction failed: ${(cause as Error).message}`,
        { cause },
      );
      reportFailure(monitor, producerId, error);
      throw error;
    }
    return result;
  } finally {
    context.setOpen(false);
  }
}

function reportFailure(monitor: Monitor, producerId: string, error: unknown): void {
  monitor.notify('error.occurred', {
    producerId,
    type: 'transaction.failed',
    error: error instanceof Error ? error : new Error(String(error)),
  });
}
