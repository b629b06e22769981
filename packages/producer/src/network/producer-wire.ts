// What a Producer needs of Kafka, in one narrow interface: connect, send, transactions and topic
// metadata. Production talks through KafkaJS (kafkaJsWire); @decanter/producer/testing's
// FakeProducer passes an in-memory one, so everything above the wire — validation,
// partitioning, linger and batching, reports, events, transactions — is the real code in tests too.
import type { Admin, Producer as KafkaJsProducer } from 'kafkajs';
import type { SendBatch } from '../delivery/dispatcher';
import type { TransactionOffsets } from '../types';

/** One open Kafka transaction. */
export interface WireTransaction {
  sendBatch: SendBatch;
  sendOffsets(offsets: TransactionOffsets): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** @internal The producer's link to Kafka (see the file header). */
export interface ProducerWire {
  /** Connects the clients; may be called again after a failure. */
  connect(): Promise<void>;
  /** Disconnects them; never rejects. */
  disconnect(): Promise<void>;
  sendBatch: SendBatch;
  transaction(): Promise<WireTransaction>;
  /** Where partition metadata comes from (metadata/partition-metadata-cache.ts). */
  readonly metadata: Pick<Admin, 'fetchTopicMetadata'>;
}

/** The wire of a real producer: a KafkaJS producer and admin client of one Kafka instance. */
export function kafkaJsWire(client: KafkaJsProducer, admin: Admin): ProducerWire {
  return {
    connect: async () => {
      await Promise.all([client.connect(), admin.connect()]);
    },
    disconnect: async () => {
      await Promise.allSettled([client.disconnect(), admin.disconnect()]);
    },
    sendBatch: (request) => client.sendBatch(request),
    transaction: () => client.transaction(),
    metadata: admin,
  };
}
