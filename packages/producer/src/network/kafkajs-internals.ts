// Every reach into KafkaJS 2.2.4's internals that Decanter's own record encoder needs, in this one
// module, so that a KafkaJS upgrade has one file to re-check (KafkaJS is pinned exactly for this
// reason). KafkaJS stays the client: metadata, the connection pool, SASL/TLS, API-version
// negotiation, request correlation, timeouts and throttling are all its own; only the Produce
// request's body and the decoding of its response are Decanter's (encoding/). Nothing of KafkaJS
// is patched: one own property of one Kafka instance is wrapped for the duration of one
// synchronous call (captureCluster), and restored.
//
// The internals, and why each is needed:
// 1. `Kafka[Symbol('private:Kafka:createCluster')]` (kafkajs/src/index.js): the factory behind
//    kafka.producer()/admin()/consumer(). The Cluster a KafkaJS producer talks through is a
//    closure variable of createProducer; the only way to the producer's own connections is to
//    see that factory return it (captureCluster), or to make one more with the client's exact
//    configuration (createCluster: same brokers, SSL, SASL, socketFactory, timeouts).
// 2. Cluster (kafkajs/src/cluster): addMultipleTargetTopics, refreshMetadata(IfNecessary),
//    findTopicPartitionMetadata, findBroker({ nodeId }), removeBroker, isConnected, connect: the
//    same calls KafkaJS's own sendMessages makes to find a partition's leader.
// 3. Broker (kafkajs/src/broker): `versions` (the ApiVersions the broker announced, to choose
//    the Produce version as KafkaJS's lookup does) and its private send,
//    `Broker.prototype[Symbol('private:Broker:sendRequest')]` — what broker.produce() calls:
//    connectionPool.send plus disconnecting on KafkaJSConnectionClosedError.
// 4. Connection.send's protocol contract (kafkajs/src/network/connection.js, protocol/request.js):
//    a request `{ apiKey, apiVersion, apiName, expectResponse(), encode() }` whose encode()
//    resolves to something KafkaJS's Encoder accepts in writeEncoder — any object with a Buffer
//    `buf` and a `buffer` getter (it checks `Buffer.isBuffer(value.buf)`, copies `value.buffer`);
//    and a response `{ decode(payload), parse(decoded) }`, where decode's result may carry
//    `clientSideThrottleTime` (KIP-219, v6+) for the connection to hold off.
// 5. kafkajs/src/protocol/error.js createErrorFromCode and staleMetadata: a partition error
//    becomes the same KafkaJSProtocolError (type, retriable) KafkaJS's own path throws, so
//    delivery/failure-classification.ts treats both paths alike.
// 6. kafkajs/src/producer/eosManager: KafkaJS's own idempotence and transaction manager (producer
//    id and epoch, per-partition sequences, the broker lock, AddPartitionsToTxn, EndTxn,
//    sendOffsets, its state machine). The one inside a KafkaJS producer is a closure variable;
//    an idempotent or transactional producer on Decanter's encoder runs its own instance of the
//    same code on the captured Cluster, so the producer id, the broker lock and the transaction
//    protocol stay KafkaJS's (createEosManager, kafkaJsSequences); only the sequence arithmetic
//    is Decanter's (encoding/sequence-numbers.ts).
// Checked against KafkaJS 2.2.4's source; assertKafkaJsInternals() fails loudly if any is missing.
import type { Kafka } from 'kafkajs';
import type { ProduceChannel, ProducerSequences } from '../encoding/encoded-send-batch';
import { SequenceNumbers } from '../encoding/sequence-numbers';
import type { TransactionOffsets } from '../types';
import {
  MAX_PRODUCE_VERSION,
  MIN_PRODUCE_VERSION,
  PRODUCE_API_KEY,
  encodeProduceRequestBody,
  type ProduceRequestBody,
} from '../encoding/produce-request';
import { decodeProduceResponse, type ProduceResponse } from '../encoding/produce-response';

/** The highest Produce version KafkaJS 2.2.4 itself implements: what it negotiates with any broker 2.1+. */
export const KAFKAJS_MAX_PRODUCE_VERSION = 7;

export interface KafkaJsPartitionMetadata {
  readonly partitionId: number;
  readonly leader: number | null;
}

/** The part of KafkaJS's Cluster the record encoder uses. */
export interface KafkaJsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isConnected(): boolean;
  refreshMetadata(): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findTopicPartitionMetadata(topic: string): KafkaJsPartitionMetadata[];
  findBroker(query: { nodeId: string | number }): Promise<KafkaJsBroker>;
  removeBroker(address: { host: string; port: number }): void;
}

export interface KafkaJsBroker {
  readonly nodeId: number;
  readonly versions: Readonly<Record<number, { minVersion: number; maxVersion: number }>> | null;
}

interface ProtocolRequest {
  request: {
    apiKey: number;
    apiVersion: number;
    apiName: string;
    expectResponse(): boolean;
    encode(): Promise<{ buf: Buffer; readonly buffer: Buffer }>;
  };
  response: {
    decode(payload: Buffer): Promise<ProduceResponse & { clientSideThrottleTime: number | null }>;
    parse(decoded: ProduceResponse): Promise<ProduceResponse>;
  };
}

/** KafkaJS's EOS manager (kafkajs/src/producer/eosManager), the part Decanter calls. */
export interface KafkaJsEosManager {
  getProducerId(): string | number;
  getProducerEpoch(): number;
  getTransactionalId(): string | undefined;
  isInitialized(): boolean;
  isTransactional(): boolean;
  isInTransaction(): boolean;
  initProducerId(): Promise<void>;
  acquireBrokerLock(broker: { nodeId: number }): Promise<void>;
  releaseBrokerLock(broker: { nodeId: number }): void;
  beginTransaction(): void;
  addPartitionsToTransaction(topicData: { topic: string; partitions: { partition: number }[] }[]): Promise<void>;
  sendOffsets(offsets: TransactionOffsets): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface EosManagerOptions {
  readonly transactional: boolean;
  readonly transactionalId?: string;
  readonly transactionTimeoutMs: number;
}

type EosManagerFactory = (options: {
  logger: ReturnType<Kafka['logger']>;
  cluster: KafkaJsCluster;
  transactionTimeout: number;
  transactional: boolean;
  transactionalId: string | undefined;
}) => KafkaJsEosManager;

type ClusterFactory = (options: ClusterOptions) => KafkaJsCluster;

/** What kafka.producer() passes to the factory (instrumentation is left out: KafkaJS's events stay the producer's). */
export interface ClusterOptions {
  metadataMaxAge?: number;
  allowAutoTopicCreation?: boolean;
  maxInFlightRequests?: number | null;
}

const CREATE_CLUSTER = 'private:Kafka:createCluster';
const SEND_REQUEST = 'private:Broker:sendRequest';

function symbolNamed(target: object, description: string): symbol {
  const found = Object.getOwnPropertySymbols(target).find((s) => s.description === description);
  if (found === undefined) {
    throw new Error(
      `KafkaJS internals changed: no ${description} (Decanter's record encoder is written against KafkaJS 2.2.4)`,
    );
  }
  return found;
}

interface ProtocolErrors {
  createErrorFromCode(code: number): Error & { type?: string; retriable?: boolean };
  staleMetadata(error: unknown): boolean;
}

let protocolErrors: ProtocolErrors | undefined;
function errors(): ProtocolErrors {
  protocolErrors ??= require('kafkajs/src/protocol/error') as ProtocolErrors;
  return protocolErrors;
}

let eosFactory: EosManagerFactory | undefined;
function eosManagerFactory(): EosManagerFactory {
  eosFactory ??= require('kafkajs/src/producer/eosManager') as EosManagerFactory;
  return eosFactory;
}

/**
 * A KafkaJS EOS manager of its own on `cluster` (internal 6), built as KafkaJS's producer builds
 * its own: with the client's logger, and KafkaJS's default retry for InitProducerId and the
 * transaction calls.
 */
export function createEosManager(kafka: Kafka, cluster: KafkaJsCluster, options: EosManagerOptions): KafkaJsEosManager {
  return eosManagerFactory()({
    logger: kafka.logger(),
    cluster,
    transactionTimeout: options.transactionTimeoutMs,
    transactional: options.transactional,
    transactionalId: options.transactionalId,
  });
}

/**
 * The encoder's ProducerSequences over a KafkaJS EOS manager: its producer id and epoch, broker
 * lock and transaction bookkeeping, as its sendMessages uses them. The sequence numbers
 * themselves are Decanter's (encoding/sequence-numbers.ts: Kafka's wrap at 2^31, which KafkaJS's
 * updateSequence gets wrong), started afresh whenever the EOS manager's id or epoch changes.
 */
export function kafkaJsSequences(eos: KafkaJsEosManager): ProducerSequences {
  const transactionalId = eos.isTransactional() ? (eos.getTransactionalId() ?? null) : null;
  const numbers = new SequenceNumbers();
  return {
    identity: () => ({ producerId: eos.getProducerId(), producerEpoch: eos.getProducerEpoch() }),
    transactionalId,
    sequence: (topic, partition) => {
      numbers.useIdentity(eos.getProducerId(), eos.getProducerEpoch());
      return numbers.next(topic, partition);
    },
    advance: (topic, partition, by) => numbers.advance(topic, partition, by),
    lock: (nodeId) => eos.acquireBrokerLock({ nodeId }),
    unlock: (nodeId) => eos.releaseBrokerLock({ nodeId }),
    addPartitions: (topics) =>
      eos.addPartitionsToTransaction(
        topics.map(({ topic, partitions }) => ({ topic, partitions: partitions.map((partition) => ({ partition })) })),
      ),
  };
}

/** Fails with a clear message when the KafkaJS in use lacks an internal this module needs. */
export function assertKafkaJsInternals(kafka: Kafka): void {
  symbolNamed(kafka, CREATE_CLUSTER);
  const broker = require('kafkajs/src/broker') as { prototype: object };
  symbolNamed(broker.prototype, SEND_REQUEST);
  if (typeof eosManagerFactory() !== 'function') {
    throw new Error('KafkaJS internals changed: kafkajs/src/producer/eosManager exports no factory');
  }
  const e = errors();
  if (typeof e.createErrorFromCode !== 'function' || typeof e.staleMetadata !== 'function') {
    throw new Error('KafkaJS internals changed: kafkajs/src/protocol/error lacks createErrorFromCode/staleMetadata');
  }
}

/**
 * A new KafkaJS Cluster (its own connections) configured exactly as `kafka`'s clients are:
 * brokers, SSL, SASL, socketFactory, connection and request timeouts, retry.
 */
export function createCluster(kafka: Kafka, options: ClusterOptions = {}): KafkaJsCluster {
  const factory = (kafka as unknown as Record<symbol, ClusterFactory>)[symbolNamed(kafka, CREATE_CLUSTER)]!;
  return factory(options);
}

/**
 * Runs `create` (e.g. `() => kafka.producer({...})`) and returns what it made with the Cluster
 * KafkaJS built for it: the producer's own connections, API versions and metadata. `create`
 * must build exactly one client, synchronously.
 */
export function captureCluster<T>(kafka: Kafka, create: () => T): { client: T; cluster: KafkaJsCluster } {
  const key = symbolNamed(kafka, CREATE_CLUSTER);
  const target = kafka as unknown as Record<symbol, ClusterFactory>;
  const factory = target[key]!;
  const made: KafkaJsCluster[] = [];
  target[key] = (options) => {
    const cluster = factory(options);
    made.push(cluster);
    return cluster;
  };
  let client: T;
  try {
    client = create();
  } finally {
    target[key] = factory;
  }
  if (made.length !== 1)
    throw new Error(`captureCluster: expected one KafkaJS client to be created, saw ${made.length}`);
  return { client, cluster: made[0]! };
}

/** The Produce version KafkaJS would use with `broker`, capped at what our encoder writes. */
export function produceVersionFor(broker: KafkaJsBroker, highest = KAFKAJS_MAX_PRODUCE_VERSION): number {
  const announced = broker.versions?.[PRODUCE_API_KEY];
  if (announced === undefined)
    throw new Error(`broker ${broker.nodeId} announced no Produce versions (not connected?)`);
  const version = Math.min(highest, MAX_PRODUCE_VERSION, announced.maxVersion);
  if (version < MIN_PRODUCE_VERSION || version < announced.minVersion) {
    throw new Error(
      `broker ${broker.nodeId} supports Produce v${announced.minVersion}-v${announced.maxVersion}; RecordBatch v2 needs v${MIN_PRODUCE_VERSION}-v${MAX_PRODUCE_VERSION}`,
    );
  }
  return version;
}

/**
 * Sends one Produce request, `body` already encoded, over `broker`'s KafkaJS connection.
 * Resolves to the decoded response (null with acks 0: the broker sends none). Partition errors
 * are in the result, not thrown.
 */
export async function sendProduceRequest(
  broker: KafkaJsBroker,
  body: Buffer,
  acks: number,
  apiVersion: number,
): Promise<ProduceResponse | null> {
  const encoded = { buf: body, buffer: body };
  const protocolRequest: ProtocolRequest = {
    request: {
      apiKey: PRODUCE_API_KEY,
      apiVersion,
      apiName: 'Produce',
      expectResponse: () => acks !== 0,
      encode: async () => encoded,
    },
    response: {
      decode: async (payload) => {
        const decoded = decodeProduceResponse(payload, apiVersion);
        // v6+: the broker answers before throttling and the client holds off (what KafkaJS's v6 decoder reports)
        return { ...decoded, clientSideThrottleTime: apiVersion >= 6 ? decoded.throttleTimeMs : null };
      },
      parse: async ({ topics, throttleTimeMs }) => ({ topics, throttleTimeMs }),
    },
  };
  const send = (broker as unknown as Record<symbol, (r: ProtocolRequest) => Promise<ProduceResponse | undefined>>)[
    symbolNamed(Object.getPrototypeOf(broker) as object, SEND_REQUEST)
  ]!;
  const response = await send.call(broker, protocolRequest);
  return response ?? null;
}

/** The KafkaJSProtocolError KafkaJS throws for a broker error code (type, retriable, message). */
export function protocolError(errorCode: number): Error & { type?: string; retriable?: boolean } {
  return errors().createErrorFromCode(errorCode);
}

/**
 * What KafkaJS's sendMessages does to its cluster after a failed Produce request, so the next
 * attempt (Decanter's dispatcher retries) finds fresh metadata and connections. Never rejects.
 */
async function recoverAfter(cluster: KafkaJsCluster, error: unknown): Promise<void> {
  const e = error as { name?: string; host?: string; port?: number; retriable?: boolean };
  try {
    if (e.name === 'KafkaJSConnectionClosedError' && e.host !== undefined && e.port !== undefined) {
      cluster.removeBroker({ host: e.host, port: e.port });
    }
    if (!cluster.isConnected()) {
      await cluster.connect();
      await cluster.refreshMetadata();
      return;
    }
    if (
      errors().staleMetadata(error) ||
      e.name === 'KafkaJSMetadataNotLoaded' ||
      e.name === 'KafkaJSConnectionError' ||
      e.name === 'KafkaJSConnectionClosedError' ||
      (e.name === 'KafkaJSProtocolError' && e.retriable === true)
    ) {
      await cluster.refreshMetadata();
    }
  } catch {
    // the next attempt meets the same trouble and reports it
  }
}

/** The ProduceChannel (encoding/encoded-send-batch.ts) over a KafkaJS cluster. */
export function kafkaJsProduceChannel(cluster: KafkaJsCluster): ProduceChannel {
  return {
    async leaders(topics) {
      await cluster.addMultipleTargetTopics([...topics]);
      await cluster.refreshMetadataIfNecessary();
      const leaders = new Map<string, Map<number, number>>();
      for (const topic of topics) {
        const byPartition = new Map<number, number>();
        for (const p of cluster.findTopicPartitionMetadata(topic))
          if (p.leader !== null) byPartition.set(p.partitionId, p.leader);
        leaders.set(topic, byPartition);
      }
      return leaders;
    },
    async produce(nodeId: number, body: ProduceRequestBody): Promise<ProduceResponse | null> {
      try {
        const broker = await cluster.findBroker({ nodeId });
        return await sendProduceRequest(broker, encodeProduceRequestBody(body), body.acks, produceVersionFor(broker));
      } catch (error) {
        await recoverAfter(cluster, error);
        throw error;
      }
    },
    protocolError,
    recover: (error) => recoverAfter(cluster, error),
  };
}
