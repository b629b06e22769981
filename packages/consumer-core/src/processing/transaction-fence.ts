// Runs a consumer's transaction on the app's transactional producer: its messages, then its offset
// via sendOffsets for this consumer group, then commit. Refused (and aborted when already open)
// once the partition is lost or a rebalance is under way: with KafkaJS's TxnOffsetCommit v0/v1
// the broker does not check the group generation, so this ownership check is the only fence
// against a zombie commit. While it runs, the normal commit path leaves the partition alone; once
// committed, its offset counts as marked and committed.
import type { TransactionIntent } from '../consumer';
import { PartitionRevokedError, ProducerUnavailableError, TransactionFailedError } from '../errors';
import type { GroupScope } from '../events';
import type { ConsumerProducerTarget } from '../options';
import type { OffsetTracker } from './offsets/offset-tracker';

/** What the fence needs of its subscription group. */
export interface TransactionContext {
  readonly producer: ConsumerProducerTarget | undefined;
  readonly tracker: Pick<OffsetTracker, 'owns' | 'epochOf' | 'beginTransaction' | 'endTransaction' | 'transactionOffset'>;
  readonly scope: GroupScope;
  /** KafkaJS is rejoining. */
  rebalancing(): boolean;
  /** Resolves once the normal commits already sent have landed. */
  commitsLanded(): Promise<void>;
}

export class TransactionFence {
  constructor(private readonly context: TransactionContext) {}

  async run(intent: TransactionIntent): Promise<void> {
    const { producer, tracker, scope } = this.context;
    const { topic, partition, epoch, messages } = intent;
    if (producer?.transaction === undefined) throw new ProducerUnavailableError('Transactions need a producer with transaction support in the App options');
    const owned = (): boolean => !this.context.rebalancing() && tracker.owns(topic, partition, epoch === 0 ? undefined : epoch);
    const revoked = (): PartitionRevokedError =>
      new PartitionRevokedError(`${topic}-${partition} is being rebalanced or was lost: its transaction was aborted`, {
        context: { ...scope, topic, partition },
      });
    if (!owned()) throw revoked();
    // never past another job's unprocessed messages (virtual partitions finish out of order)
    const markedOffset = intent.markedOffset === null ? null : tracker.transactionOffset(topic, partition, intent.markedOffset);
    const withOffsets = markedOffset !== null;
    const ownEpoch = tracker.epochOf(topic, partition) ?? epoch;
    if (withOffsets) {
      tracker.beginTransaction(topic, partition);
      await this.context.commitsLanded(); // a normal commit already sent must land before the transaction's offset
    }
    let committed = false;
    try {
      await producer.transaction(async (tx) => {
        if (messages.length > 0) await tx.produceManySync(messages);
        if (withOffsets) {
          if (!owned()) throw revoked();
          await tx.sendOffsets({ consumerGroupId: scope.consumerGroup, topics: [{ topic, partitions: [{ partition, offset: String(markedOffset) }] }] });
        }
        if (!owned()) throw revoked(); // last look before EndTxn(commit)
      });
      committed = true;
    } catch (error) {
      if (error instanceof PartitionRevokedError) throw error;
      throw new TransactionFailedError(`Transaction of ${topic}-${partition} aborted: ${(error as Error).message}`, {
        cause: error,
        context: { ...scope, topic, partition },
      });
    } finally {
      if (withOffsets) tracker.endTransaction(topic, partition, ownEpoch, committed ? markedOffset : null);
    }
  }
}
