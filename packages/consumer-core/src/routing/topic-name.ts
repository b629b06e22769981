// Kafka's rule for topic names, shared by every route key that names a topic.
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export const TOPIC_NAME_RULE = 'must be a Kafka topic name ([a-zA-Z0-9._-], 1-249 characters)';

export function isTopicName(value: unknown): value is string {
  return typeof value === 'string' && TOPIC_NAME.test(value);
}
