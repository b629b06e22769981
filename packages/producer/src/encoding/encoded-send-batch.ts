// The internal seam between the dispatcher and Decanter's own record encoder: a SendBatch (the
// function the dispatcher calls with one lane's batches) that encodes each partition's messages
// with RecordBatchBuilder and sends one Produce request per leader through a ProduceChannel
// (KafkaJS's connections: network/kafkajs-internals.ts), instead of KafkaJS's sendBatch. It keeps
// KafkaJS's sendBatch contract so it can replace it in place: the same results
// (RecordMetadata per partition), partitions KafkaJS's metadata does not know left out, the first
// partition error thrown as KafkaJS's own protocol error, after the same metadata recovery.
// Not wired into the Producer yet, and it must never be used for an idempotent or transactional
// producer: it writes no producer id, epoch or sequence (see docs/producer.md, "Record encoder").
import type { Message, RecordMetadata } from 'kafkajs';
import type { SendBatch, SendBatchRequest } from '../delivery/dispatcher';
import { COMPRESSION_CODECS, type CompressionCodecName } from '../types';
import { batchCompressor, type BatchCompressor } from './batch-compression';
import type { EncodedTopicBatches, ProduceRequestBody } from './produce-request';
import type { ProduceResponse } from './produce-response';
import { RecordBatchBuilder } from './record-batch-builder';

/** What the seam needs of the client: leaders, one request to one broker, its error classes. */
export interface ProduceChannel {
  /** Leader node id of every known partition of each topic (fetching metadata when needed). */
  leaders(topics: readonly string[]): Promise<Map<string, Map<number, number>>>;
  /** Sends one Produce request to broker `nodeId`; null with acks 0. */
  produce(nodeId: number, body: ProduceRequestBody): Promise<ProduceResponse | null>;
  /** The client's error for a broker error code. */
  protocolError(errorCode: number): Error;
  /** Refreshes what `error` makes stale (metadata, a closed connection). Never rejects. */
  recover(error: unknown): Promise<void>;
}

export interface EncodedSendBatchOptions {
  /** Bytes each partition's builder preallocates (default 16 KiB). */
  readonly batchCapacityBytes?: number;
}

/** A SendBatch that encodes with Decanter's RecordBatch v2 encoder (see the file header). */
export function encodedSendBatch(channel: ProduceChannel, options: EncodedSendBatchOptions = {}): SendBatch {
  const compressors = new Map<number, BatchCompressor | null>();
  const compressorFor = (type: SendBatchRequest['compression']): BatchCompressor | null => {
    const code = Number(type ?? 0);
    let compressor = compressors.get(code);
    if (compressor === undefined) {
      const name: CompressionCodecName | undefined = COMPRESSION_CODECS[code];
      if (name === undefined) throw new Error(`unknown compression type ${code}`);
      compressor = batchCompressor(name);
      compressors.set(code, compressor);
    }
    return compressor;
  };

  return async ({ acks, timeout, compression, topicMessages }) => {
    const compressor = compressorFor(compression);
    const leaders = await channel.leaders(topicMessages.map((t) => t.topic));
    const now = Date.now();

    // leader → topic → sealed batches; partitions without a known leader are left out
    const perLeader = new Map<number, Map<string, Promise<{ partition: number; batch: Buffer }>[]>>();
    for (const { topic, messages } of topicMessages) {
      const builders = new Map<number, RecordBatchBuilder>();
      for (const message of messages) {
        const partition = partitionOf(message, topic);
        let builder = builders.get(partition);
        if (builder === undefined) {
          builder = new RecordBatchBuilder(options.batchCapacityBytes);
          builders.set(partition, builder);
        }
        const timestamp = message.timestamp === undefined || message.timestamp === '' ? now : Number(message.timestamp);
        builder.append(message.key, message.value, timestamp, message.headers);
      }
      const topicLeaders = leaders.get(topic);
      for (const [partition, builder] of builders) {
        const leader = topicLeaders?.get(partition);
        if (leader === undefined) continue;
        let topics = perLeader.get(leader);
        if (topics === undefined) {
          topics = new Map();
          perLeader.set(leader, topics);
        }
        let batches = topics.get(topic);
        if (batches === undefined) {
          batches = [];
          topics.set(topic, batches);
        }
        batches.push(builder.seal({ compressor }).then((batch) => ({ partition, batch })));
      }
    }

    const requests = [...perLeader].map(async ([leader, topics]) => {
      const encoded: EncodedTopicBatches[] = [];
      for (const [topic, batches] of topics) encoded.push({ topic, partitions: await Promise.all(batches) });
      return channel.produce(leader, { transactionalId: null, acks, timeoutMs: timeout, topics: encoded });
    });
    const responses = await Promise.all(requests);

    const results: RecordMetadata[] = [];
    let firstError: number | null = null;
    for (const response of responses) {
      if (response === null) continue; // acks 0
      for (const { topic, partitions } of response.topics) {
        for (const p of partitions) {
          if (p.errorCode !== 0) firstError ??= p.errorCode;
          results.push({
            topicName: topic,
            partition: p.partition,
            errorCode: p.errorCode,
            baseOffset: p.baseOffset,
            logAppendTime: p.logAppendTime,
            logStartOffset: p.logStartOffset,
          });
        }
      }
    }
    if (firstError !== null) {
      const error = channel.protocolError(firstError);
      await channel.recover(error);
      throw error;
    }
    return results;
  };
}

function partitionOf(message: Message, topic: string): number {
  const partition = message.partition;
  if (partition === undefined || !Number.isInteger(partition) || partition < 0) {
    throw new Error(
      `encodedSendBatch needs every message's partition (a message to ${topic} has ${String(partition)})`,
    );
  }
  return partition;
}
