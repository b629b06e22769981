// Header names a message gets when it is sent to a dead letter queue: where it came from and
// why it was given up. Part of the public API (consumers of the DLQ topic read them).

/** Headers added to a dead-lettered message (its own key, payload and headers are kept). */
export const DLQ_HEADERS = Object.freeze({
  topic: 'source_topic',
  partition: 'source_partition',
  offset: 'source_offset',
  consumerGroup: 'source_consumer_group',
  attempts: 'source_attempts',
  errorClass: 'error_class',
  errorMessage: 'error_message',
} as const);
