// The internal seam between the dispatcher and Decanter's own record encoder: a SendBatch (the
// function the dispatcher calls with one lane's batches) that encodes each partition's messages
// with RecordBatchBuilder and sends one Produce request per leader through a ProduceChannel
// (KafkaJS's connections: network/kafkajs-internals.ts), instead of KafkaJS's sendBatch. It keeps
// KafkaJS's sendBatch contract so it can replace it in place: the same results
// (RecordMetadata per partition), partitions KafkaJS's metadata does not know left out, the first
// partition error thrown as KafkaJS's own protocol error, after the same metadata recovery.
// An idempotent or transactional producer passes its ProducerSequences (KafkaJS's own EOS
// manager, network/kafkajs-internals.ts), and each request is numbered as KafkaJS's sendMessages
// numbers it: under that broker's lock, a partition's batch takes the partition's next sequence
// and advances it by its record count before the request goes out.
// The dispatcher's batches come encoded already (their records were written as they were admitted,
// batch.encoding: encoding/batch-encoding.ts); a batch without an encoding is encoded here from its
// records and keeps it, so a resend sends the same bytes. A call with only `topicMessages` (no
// dispatcher) encodes them here, stamping records without a timestamp with the time of the call.
// A call settles only once every one of its requests is answered (never while one is still in
// flight), and when any of them failed the whole call fails, as KafkaJS's does. What happens to
// the numbers then depends on whether the dispatcher resends (delivery/dispatcher.ts):
// - a retriable failure: every request of the call gives its numbers back, the ones that
//   succeeded too, so the dispatcher's exact resend reuses them and the broker deduplicates what
//   it had already written;
// - a final failure: the records fail and nothing is resent, so only partitions the broker did not
//   append give their numbers back; an appended one keeps them, or its next batch would reuse
//   numbers the broker holds (refused, or taken for a duplicate and never written).
import type { Message, RecordMetadata, TopicMessages } from 'kafkajs';
import type { PartitionBatch } from '../batching/partition-batch';
import type { SendBatch, SendBatchRequest } from '../delivery/dispatcher';
import { isRetriable } from '../delivery/failure-classification';
import { COMPRESSION_CODECS, type CompressionCodecName } from '../types';
import { batchCompressor, type BatchCompressor } from './batch-compression';
import type { EncodedTopicBatches, ProduceRequestBody } from './produce-request';
import type { ProduceResponse } from './produce-response';
import { BatchEncoding } from './batch-encoding';
import type { ProducerState } from './producer-state';

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

/**
 * Who numbers an idempotent producer's records: its producer id and epoch, each partition's next
 * sequence and, in a transaction, which partitions the coordinator knows. Mirrors the part of
 * KafkaJS's EOS manager its sendMessages uses.
 */
export interface ProducerSequences {
  /** The producer id (an int64, as a decimal string or number) and epoch, read per request. */
  identity(): { producerId: string | number; producerEpoch: number };
  /** The transactional id written in the request body; null when not transactional. */
  readonly transactionalId: string | null;
  /** Partition's next sequence number. */
  sequence(topic: string, partition: number): number;
  /** Moves partition's next sequence by `by` records (negative: takes numbers back). */
  advance(topic: string, partition: number, by: number): void;
  /** One numbered request at a time per broker, as KafkaJS's broker lock makes it. */
  lock(nodeId: number): Promise<void>;
  unlock(nodeId: number): void;
  /** Adds the partitions to the open transaction (those not added yet); transactional only. */
  addPartitions(topics: { topic: string; partitions: number[] }[]): Promise<void>;
}

export interface EncodedSendBatchOptions {
  /**
   * Bytes each batch's encoding preallocates. Default: the batch's expected bytes (the
   * accumulator expects a batch like its partition's last) or its estimated bytes, + 128; 16 KiB
   * per partition for KafkaJS-shaped messages.
   */
  readonly batchCapacityBytes?: number;
  /** Numbers the batches (enable.idempotence, transactions); without it they carry none. */
  readonly sequences?: ProducerSequences;
}

interface PendingBatch {
  readonly partition: number;
  readonly encoding: BatchEncoding;
}

/** Room for the batch header and the record overhead an estimate of a batch's bytes leaves out. */
const ENCODING_SLACK_BYTES = 128;

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

  const sequences = options.sequences;
  type Topics = Map<string, PendingBatch[]>;

  type Taken = [topic: string, partition: number, count: number][];
  interface Sent {
    readonly response: ProduceResponse | null;
    /** The numbers the request took (numbered requests only). */
    readonly taken: Taken;
  }

  /**
   * Seals every batch of one request, concurrently (compression is asynchronous). `stateOf` is
   * called synchronously, in partition order, before anything is awaited: it is where a numbered
   * request takes each batch's sequence.
   */
  const sealAll = async (
    topics: Topics,
    compressor: BatchCompressor | null,
    stateOf?: (topic: string, partition: number, count: number) => ProducerState,
  ): Promise<EncodedTopicBatches[]> => {
    const sealing = [...topics].map(([topic, batches]) => ({
      topic,
      partitions: batches.map(({ partition, encoding }) =>
        encoding.bytes(compressor, stateOf?.(topic, partition, encoding.count)).then((batch) => ({ partition, batch })),
      ),
    }));
    return Promise.all(
      sealing.map(async ({ topic, partitions }) => ({ topic, partitions: await Promise.all(partitions) })),
    );
  };

  const sendPlain = async (
    leader: number,
    topics: Topics,
    acks: number,
    timeoutMs: number,
    compressor: BatchCompressor | null,
  ): Promise<Sent> => {
    const encoded = await sealAll(topics, compressor);
    return {
      response: await channel.produce(leader, { transactionalId: null, acks, timeoutMs, topics: encoded }),
      taken: [],
    };
  };

  // KafkaJS's sendMessages, step for step (see the file header); a request that throws gives its
  // numbers back here, the caller decides for the others.
  const sendNumbered = async (
    leader: number,
    topics: Topics,
    acks: number,
    timeoutMs: number,
    compressor: BatchCompressor | null,
  ): Promise<Sent> => {
    const s = sequences!;
    await s.lock(leader);
    const taken: Taken = [];
    try {
      if (s.transactionalId !== null) {
        await s.addPartitions(
          [...topics].map(([topic, batches]) => ({ topic, partitions: batches.map((b) => b.partition) })),
        );
      }
      const { producerId, producerEpoch } = s.identity();
      const encoded = await sealAll(topics, compressor, (topic, partition, count) => {
        const baseSequence = s.sequence(topic, partition);
        s.advance(topic, partition, count);
        taken.push([topic, partition, count]);
        return {
          producerId: BigInt(producerId),
          producerEpoch,
          baseSequence,
          transactional: s.transactionalId !== null,
        };
      });
      const response = await channel.produce(leader, {
        transactionalId: s.transactionalId,
        acks,
        timeoutMs,
        topics: encoded,
      });
      return { response, taken };
    } catch (error) {
      giveBack(s, taken);
      throw error;
    } finally {
      s.unlock(leader);
    }
  };

  const capacity = options.batchCapacityBytes;
  const sendBatch = async ({
    acks,
    timeout,
    compression,
    topicMessages,
    batches,
  }: SendBatchRequest): Promise<RecordMetadata[]> => {
    const compressor = compressorFor(compression);
    const leaders = await channel.leaders(topicMessages.map((t) => t.topic));
    const byTopic = batches === undefined ? encodeMessages(topicMessages, capacity) : encodingsOf(batches, capacity);

    // leader → topic → batches; partitions without a known leader are left out
    const perLeader = new Map<number, Map<string, PendingBatch[]>>();
    for (const [topic, pending] of byTopic) {
      const topicLeaders = leaders.get(topic);
      for (const batch of pending) {
        const leader = topicLeaders?.get(batch.partition);
        if (leader === undefined) continue;
        let topics = perLeader.get(leader);
        if (topics === undefined) {
          topics = new Map();
          perLeader.set(leader, topics);
        }
        let list = topics.get(topic);
        if (list === undefined) {
          list = [];
          topics.set(topic, list);
        }
        list.push(batch);
      }
    }

    const send = sequences === undefined ? sendPlain : sendNumbered;
    const requests = [...perLeader].map(([leader, topics]) => send(leader, topics, acks, timeout, compressor));
    // every request answered before the call settles (see the file header)
    const outcomes = await Promise.allSettled(requests);

    const results: RecordMetadata[] = [];
    let firstError: number | null = null;
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected' || outcome.value.response === null) continue; // acks 0: no answer
      for (const { topic, partitions } of outcome.value.response.topics) {
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
    const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (rejected === undefined && firstError === null) return results;

    let error: unknown;
    if (rejected !== undefined) {
      error = rejected.reason;
      // another request of the call went out: the call's batches may have been written whatever
      // this one's error says (it may be one raised before its own request was built)
      if (outcomes.length > 1) error = partlySent(error);
    } else {
      error = channel.protocolError(firstError!);
      await channel.recover(error);
    }
    if (sequences !== undefined) {
      const retried = isRetriable(error);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') continue; // gave its numbers back already
        const { taken, response } = outcome.value;
        giveBack(
          sequences,
          retried ? taken : taken.filter(([topic, partition]) => !appended(response, topic, partition)),
        );
      }
    }
    throw error;
  };
  return Object.assign(sendBatch, {
    openEncoding: (expectedBytes: number) => new BatchEncoding(capacity ?? expectedBytes + ENCODING_SLACK_BYTES),
  });
}

/**
 * The dispatcher's batches, by topic, each with its encoding: the one written at admission, or,
 * for a batch without one (KafkaJS's encoder opened it, or its records changed since), one
 * written now from its records and kept on the batch for its resends.
 */
function encodingsOf(batches: readonly PartitionBatch[], capacity: number | undefined): Map<string, PendingBatch[]> {
  const byTopic = new Map<string, PendingBatch[]>();
  const seen = new Set<string>();
  for (const batch of batches) {
    if (seen.has(batch.id)) {
      throw new Error(
        `encodedSendBatch takes one batch per partition per request (two for ${batch.topic}/${batch.partition})`,
      );
    }
    seen.add(batch.id);
    let encoding = batch.encoding;
    if (encoding !== null && encoding.count !== batch.records.length) {
      // PartitionBatch keeps them in step (or drops the encoding): sending these bytes would
      // acknowledge records the broker never got, or write some twice
      throw new Error(
        `encodedSendBatch: the encoding of ${batch.topic}/${batch.partition} holds ${encoding.count} records, the batch ${batch.records.length}`,
      );
    }
    if (encoding === null || encoding.failed) {
      encoding = new BatchEncoding(capacity ?? batch.bytes + ENCODING_SLACK_BYTES);
      for (const record of batch.records) encoding.append(record.key, record.value, record.createTime, record.headers);
      batch.encoding = encoding;
    }
    let pending = byTopic.get(batch.topic);
    if (pending === undefined) {
      pending = [];
      byTopic.set(batch.topic, pending);
    }
    pending.push({ partition: batch.partition, encoding });
  }
  return byTopic;
}

/** KafkaJS's sendBatch argument encoded, one batch per partition (records without a timestamp stamped now). */
function encodeMessages(
  topicMessages: readonly TopicMessages[],
  capacity: number | undefined,
): Map<string, PendingBatch[]> {
  const now = Date.now();
  const byTopic = new Map<string, PendingBatch[]>();
  for (const { topic, messages } of topicMessages) {
    const encodings = new Map<number, BatchEncoding>();
    for (const message of messages) {
      const partition = partitionOf(message, topic);
      let encoding = encodings.get(partition);
      if (encoding === undefined) {
        encoding = new BatchEncoding(capacity);
        encodings.set(partition, encoding);
      }
      const timestamp = message.timestamp === undefined || message.timestamp === '' ? now : Number(message.timestamp);
      encoding.append(message.key, message.value, timestamp, message.headers);
    }
    const pending = byTopic.get(topic) ?? [];
    for (const [partition, encoding] of encodings) pending.push({ partition, encoding });
    byTopic.set(topic, pending);
  }
  return byTopic;
}

/** Thrown for a call one of whose requests failed while another went out. */
export class PartlySentError extends Error {
  override readonly name = 'PartlySentError';
  constructor(
    /** The failed request's error. */
    readonly failure: unknown,
    /** Copied from the failure: whether a retry may succeed. */
    readonly retriable: boolean,
  ) {
    super(
      `${(failure as Error | null)?.message ?? String(failure)} (another request of the same call was sent, so its batches may have been written)`,
    );
  }
}

/**
 * `error` as the error of a call another request of which went out. The failure itself is kept
 * out of the cause chain on purpose: failure classification reads the root cause, and this one
 * must not read as "nothing was sent".
 */
function partlySent(error: unknown): PartlySentError {
  return new PartlySentError(error, isRetriable(error));
}

/** Whether the broker appended the partition's batch (answered it with no error). */
function appended(response: ProduceResponse | null, topic: string, partition: number): boolean {
  if (response === null) return false;
  const answered = response.topics.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === partition);
  return answered !== undefined && answered.errorCode === 0;
}

/** Takes a failed request's sequence numbers back (KafkaJS's sendMessages does the same). */
function giveBack(sequences: ProducerSequences, taken: readonly [string, number, number][]): void {
  for (const [topic, partition, count] of taken) sequences.advance(topic, partition, -count);
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
