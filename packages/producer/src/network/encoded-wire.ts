// The wire of a Producer on Decanter's record encoder (recordEncoder 'decanter'): KafkaJS's
// producer and admin client connect, disconnect and fetch metadata as in kafkaJsWire, but
// batches are encoded by Decanter and sent over that producer's own Cluster. Idempotence and
// transactions run on an EOS manager of their own — KafkaJS's code, one instance per role, as
// KafkaJS's producer keeps one for idempotent sends and one for transactions — so the KafkaJS
// producer underneath is built without either (it would take a producer id nobody uses).
import type { Admin, Kafka, Producer as KafkaJsProducer } from 'kafkajs';
import { encodedSendBatch, type EncodedSendBatchOptions } from '../encoding/encoded-send-batch';
import {
  createEosManager,
  kafkaJsProduceChannel,
  kafkaJsSequences,
  type KafkaJsCluster,
  type KafkaJsEosManager,
} from './kafkajs-internals';
import { kafkaJsWire, type ProducerWire, type WireTransaction } from './producer-wire';

export interface EncodedWireOptions {
  readonly idempotent: boolean;
  readonly transactionalId?: string;
  readonly transactionTimeoutMs: number;
}

/** See the file header. `cluster` is `client`'s own (captureCluster). */
export function encodedKafkaJsWire(
  kafka: Kafka,
  client: KafkaJsProducer,
  admin: Admin,
  cluster: KafkaJsCluster,
  options: EncodedWireOptions,
): ProducerWire {
  const base = kafkaJsWire(client, admin);
  const channel = kafkaJsProduceChannel(cluster);
  const { transactionalId, transactionTimeoutMs } = options;
  // a transactional producer sends nothing outside its transactions (the Producer refuses it)
  const idempotent =
    options.idempotent && transactionalId === undefined
      ? createEosManager(kafka, cluster, { transactional: false, transactionTimeoutMs })
      : undefined;
  let transactional: { eos: KafkaJsEosManager; send: EncodedSendBatchOptions } | undefined;
  // one ProducerSequences per EOS manager, for as long as it lives: the sequence numbers are
  // kept there, and carry over from one transaction to the next
  const sendOptions = (eos: KafkaJsEosManager | undefined): EncodedSendBatchOptions =>
    eos === undefined ? {} : { sequences: kafkaJsSequences(eos) };

  return {
    connect: async () => {
      await base.connect();
      // as KafkaJS's producer.connect() does for an idempotent producer
      if (idempotent !== undefined && !idempotent.isInitialized()) await idempotent.initProducerId();
    },
    disconnect: base.disconnect,
    sendBatch: encodedSendBatch(channel, sendOptions(idempotent)),
    metadata: base.metadata,
    // as KafkaJS's producer.transaction(): the producer id is taken at the first transaction
    transaction: async (): Promise<WireTransaction> => {
      if (transactionalId === undefined) throw new Error('Must provide transactional id for transactional producer');
      if (transactional === undefined) {
        const eos = createEosManager(kafka, cluster, { transactional: true, transactionalId, transactionTimeoutMs });
        transactional = { eos, send: sendOptions(eos) };
      }
      const { eos, send } = transactional;
      if (eos.isInTransaction()) {
        throw new Error(
          'There is already an ongoing transaction for this producer. Please end the transaction before beginning another.',
        );
      }
      if (!eos.isInitialized()) await eos.initProducerId();
      eos.beginTransaction();
      let ended = false;
      const open =
        <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
        async (...args: A): Promise<R> => {
          if (ended) throw new Error('Cannot continue to use transaction once ended');
          return fn(...args);
        };
      const sendBatch = encodedSendBatch(channel, send);
      return {
        // keeps openEncoding: the transaction's batches are encoded at admission too
        sendBatch: Object.assign(open(sendBatch), { openEncoding: sendBatch.openEncoding }),
        sendOffsets: open((offsets) => eos.sendOffsets(offsets)),
        commit: open(async () => {
          await eos.commit();
          ended = true;
        }),
        abort: open(async () => {
          await eos.abort();
          ended = true;
        }),
      };
    },
  };
}
