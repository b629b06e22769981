// Produces a message that keeps failing to its route's dead letter queue: its own key, payload and
// headers plus where it came from and why it was given up (DLQ_HEADERS), then marks it — only
// once the produce was acknowledged, so a message is never both unmarked-and-skipped nor marked
// without a copy in the DLQ. A failed produce leaves the message unmarked (it is retried).
import { performance } from 'node:perf_hooks';
import { DeadLetterFailedError } from '../../errors';
import type { DeadLetterIsolation } from '../../events';
import type { JobFailure } from '../../processing/strategies/failure-policy';
import type { PartitionControl } from '../../processing/strategies/partition-strategy';
import type { BehaviourContext } from '../topic-behaviour';
import { DLQ_HEADERS } from './dead-letter-headers';

export class DeadLetterDispatcher {
  constructor(
    private readonly context: BehaviourContext,
    private readonly deadLetterTopic: string,
  ) {}

  /**
   * Sends `failure.message` to the DLQ and marks it (and the job's messages before it); false when
   * the produce failed. `attempts` is the count the headers and events report; `isolation` how the
   * message was found in its batch (null: it was the known failing one).
   */
  async dispatch(failure: JobFailure, partition: PartitionControl, attempts: number = failure.attempts, isolation: DeadLetterIsolation | null = null): Promise<boolean> {
    const { job, message, error } = failure;
    const { monitor, scope } = this.context;
    const deadLetterTopic = this.deadLetterTopic;
    const where = { ...scope, topic: job.topic.name, partition: job.partition, offset: message.offset };
    const event = { ...where, deadLetterTopic, attempts, errorClass: error.name, isolation };
    monitor.notify('dlq.dispatch', event);
    const started = performance.now();
    try {
      const report = await this.context.produce({
        topic: deadLetterTopic,
        key: message.key,
        payload: message.value,
        headers: {
          ...message.headers,
          [DLQ_HEADERS.topic]: job.topic.name,
          [DLQ_HEADERS.partition]: String(job.partition),
          [DLQ_HEADERS.offset]: String(message.offset),
          [DLQ_HEADERS.consumerGroup]: job.topic.consumerGroup,
          [DLQ_HEADERS.attempts]: String(attempts),
          [DLQ_HEADERS.errorClass]: error.name,
          [DLQ_HEADERS.errorMessage]: error.message,
        },
      });
      partition.processed(job, job.messages.countBefore(message.offset + 1));
      monitor.notify('dlq.dispatched', { ...event, deadLetterPartition: report.partition, deadLetterOffset: report.offset, durationMs: performance.now() - started });
      return true;
    } catch (cause) {
      monitor.notify('error.occurred', {
        type: 'dlq.dispatch.error',
        error: new DeadLetterFailedError(`Producing ${job.topic.name}-${job.partition}@${message.offset} to the dead letter queue ${deadLetterTopic} failed; retrying`, {
          cause,
          context: where,
        }),
        ...where,
      });
      return false;
    }
  }
}
