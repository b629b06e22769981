// The `deadLetterQueue` key of a topic route: its shape, its defaults, and the two cross-field
// rules (the DLQ is another topic; the app has a producer to produce to it).
import { IssueList, isBoolean, isInteger, isPlainObject } from '../../contract-rules';
import type { RouteExtension } from '../../routing/route-extension';
import { TOPIC_NAME_RULE, isTopicName } from '../../routing/topic-name';

/** A route's dead letter queue, resolved. */
export interface ResolvedDeadLetterQueue {
  readonly topic: string;
  readonly maxRetries: number;
  readonly independent: boolean;
}

const DEFAULT_DLQ_MAX_RETRIES = 3;

export const deadLetterQueueRoute: RouteExtension<ResolvedDeadLetterQueue | null> = {
  key: 'deadLetterQueue',
  aliases: ['dead_letter_queue'],
  level: 'topic',
  resolve(value, path, issues, route) {
    if (value === undefined) return null;
    if (isPlainObject(value) !== null) {
      issues.add(path, 'must be { topic, maxRetries?, independent? }', value);
      return null;
    }
    const raw = value as Record<string, unknown>;
    issues.unknownKeys(path, raw, ['topic', 'maxRetries', 'max_retries', 'independent']);
    issues.required(`${path}.topic`, raw['topic'], (v) => (isTopicName(v) ? null : TOPIC_NAME_RULE));
    const maxRetries = issues.optionalAliased(path, raw, 'maxRetries', 'max_retries', isInteger(0));
    issues.optional(`${path}.independent`, raw['independent'], isBoolean);
    if (raw['topic'] === route.name) issues.add(`${path}.topic`, 'must differ from the route topic (dlq-not-source)', raw['topic']);
    return Object.freeze({
      topic: String(raw['topic']),
      maxRetries: typeof maxRetries === 'number' ? maxRetries : DEFAULT_DLQ_MAX_RETRIES,
      independent: raw['independent'] === true,
    });
  },
  check(resolved, path, issues: IssueList, app) {
    // a dead letter queue is produced to through the app's producer
    if (resolved !== null && app.producer === false) {
      issues.add(path, 'needs the app option `producer` to produce to the DLQ topic (dlq-needs-producer)', resolved);
    }
  },
};
