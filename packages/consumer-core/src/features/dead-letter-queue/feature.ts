// The dead letter queue (Karafka's DLQ), a built-in feature registered by default: a route with
// `deadLetterQueue: { topic, maxRetries = 3, independent = false }` gives up on a message after
// `maxRetries` failed retries — or at once for an UnrecoverableError — produces it to `topic` and
// goes on right after it. When a batch keeps failing without saying which of its messages fails,
// the failing one is isolated first (FailingMessageIsolator), so only that message is sent, never
// a healthy one. Plugs in as a failure policy, so it works under any partition strategy.
import type { Feature } from '../feature';
import { deadLetterQueueRoute, type ResolvedDeadLetterQueue } from './contract';
import { DeadLetterDispatcher } from './dead-letter-dispatcher';
import { FailingMessageIsolator } from './failing-message-isolator';

/** Where messages that keep failing go (per topic route). */
export interface DeadLetterQueueDefinition {
  /** Topic the failing message is produced to (through the app's `producer`). Required. */
  topic: string;
  /** Failed retries before the message goes to the DLQ; 0 sends it at the first failure. Default 3. Alias `max_retries`. */
  maxRetries?: number;
  max_retries?: number;
  /**
   * `true`: the failure count restarts whenever the partition got past the message that failed
   * before (each message gets its own `maxRetries`); `false`: it restarts only after a job
   * succeeds or a message was sent to the DLQ. Default false.
   */
  independent?: boolean;
}

declare module '../../routing/route-extension' {
  interface TopicRouteExtensions {
    /** Send messages that keep failing to a dead letter queue topic. Default: none (retry forever). Alias `dead_letter_queue`. */
    deadLetterQueue?: DeadLetterQueueDefinition;
    dead_letter_queue?: DeadLetterQueueDefinition;
  }
  interface TopicSettings {
    /** Dead letter queue of the route, or null (failing messages are retried forever). */
    readonly deadLetterQueue?: ResolvedDeadLetterQueue | null;
  }
}

export const DEAD_LETTER_QUEUE_FEATURE = 'dead-letter-queue';

export function deadLetterQueue(): Feature {
  return {
    name: DEAD_LETTER_QUEUE_FEATURE,
    packageName: '@decanter/consumer-core',
    routes: [deadLetterQueueRoute],
    behaviour(topic, context) {
      const dlq = topic.deadLetterQueue ?? null;
      if (dlq === null) return null;
      const dispatcher = new DeadLetterDispatcher(context, dlq.topic);
      const isolator = new FailingMessageIsolator(dlq.maxRetries);
      return {
        failures: {
          // independent counting: getting past the message that failed before starts a new count
          count: (previous, restart) => (dlq.independent && previous.failedAt !== null && restart > previous.failedAt ? 1 : previous.attempts + 1),
          narrow: (messages, partition) => isolator.narrow(messages, partition),
          divert: async (failure, partition) => {
            const verdict = isolator.judge(failure, partition);
            if (!verdict.send) return false;
            const sent = await dispatcher.dispatch(failure, partition, verdict.attempts, verdict.isolation);
            if (sent) isolator.sent(partition, failure.message.offset);
            return sent;
          },
        },
      };
    },
  };
}
