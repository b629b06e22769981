// Fixtures shared by the connection tests: fetched messages shaped as KafkaJS hands them to
// eachBatch. Never imported by src/.
import type { EachBatchPayload } from 'kafkajs';

export type KafkaJsBatchMessage = EachBatchPayload['batch']['messages'][number];

/** `count` messages from offset `from`, each with a `size`-byte value, no key and no headers. */
export function kafkaJsMessages(from: number, count: number, size: number): KafkaJsBatchMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    offset: String(from + i),
    timestamp: '0',
    key: null,
    value: Buffer.alloc(size),
    headers: {},
    attributes: 0,
    size,
  })) as unknown as KafkaJsBatchMessage[];
}
