import type { IHeaders } from 'kafkajs';

/**
 * A message as the listener keeps it in the prefetch buffer (main thread). `key` and `value` may
 * still be views into KafkaJS's fetch response: they must be packed (copied) before crossing to a
 * worker, never posted as they are.
 */
export interface FetchedMessage {
  readonly offset: number;
  /** Message timestamp, ms since epoch. */
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders | undefined;
  /** key + value bytes. */
  readonly size: number;
}
