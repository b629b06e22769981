// The body of a Produce request, v3 to v8 (the non-flexible versions that carry RecordBatch v2),
// from batches that are already encoded: one size pass, one allocation, the batches copied in
// once. The request header (api key, version, correlation id, client id) is KafkaJS's to write;
// so is choosing the version (network/kafkajs-internals.ts). Nothing here may depend on KafkaJS.
//
//   transactional_id NULLABLE_STRING | acks INT16 | timeout_ms INT32 |
//   [topic STRING | [partition INT32 | records NULLABLE_BYTES]]
//
// Kafka accepts exactly one record batch per partition in a v3+ request.

export const PRODUCE_API_KEY = 0;
/** Versions whose body this encoder writes (v9 and later are flexible: compact strings, tags). */
export const MIN_PRODUCE_VERSION = 3;
export const MAX_PRODUCE_VERSION = 8;

export interface EncodedPartitionBatch {
  readonly partition: number;
  /** One sealed RecordBatch v2 (RecordBatchBuilder.seal). */
  readonly batch: Buffer;
}

export interface EncodedTopicBatches {
  readonly topic: string;
  readonly partitions: readonly EncodedPartitionBatch[];
}

export interface ProduceRequestBody {
  /** The transaction the batches belong to, or null. */
  readonly transactionalId: string | null;
  /** -1 all in-sync replicas, 1 the leader, 0 no response at all. */
  readonly acks: number;
  /** How long the broker may wait for the replicas (acks -1), in ms. */
  readonly timeoutMs: number;
  readonly topics: readonly EncodedTopicBatches[];
}

/** The request body's bytes (the same for every version from 3 to 8). */
export function encodeProduceRequestBody(body: ProduceRequestBody): Buffer {
  const transactionalIdLength = body.transactionalId === null ? -1 : Buffer.byteLength(body.transactionalId, 'utf8');
  let size = 2 + Math.max(transactionalIdLength, 0) + 2 + 4 + 4;
  const topicLengths: number[] = [];
  for (const { topic, partitions } of body.topics) {
    const topicLength = Buffer.byteLength(topic, 'utf8');
    topicLengths.push(topicLength);
    size += 2 + topicLength + 4;
    for (const { batch } of partitions) size += 4 + 4 + batch.length;
  }

  const out = Buffer.allocUnsafe(size);
  let at = out.writeInt16BE(transactionalIdLength, 0);
  if (body.transactionalId !== null) at += out.write(body.transactionalId, at, transactionalIdLength, 'utf8');
  at = out.writeInt16BE(body.acks, at);
  at = out.writeInt32BE(body.timeoutMs, at);
  at = out.writeInt32BE(body.topics.length, at);
  body.topics.forEach(({ topic, partitions }, i) => {
    const topicLength = topicLengths[i]!;
    at = out.writeInt16BE(topicLength, at);
    at += out.write(topic, at, topicLength, 'utf8');
    at = out.writeInt32BE(partitions.length, at);
    for (const { partition, batch } of partitions) {
      at = out.writeInt32BE(partition, at);
      at = out.writeInt32BE(batch.length, at);
      at += batch.copy(out, at);
    }
  });
  return out;
}
