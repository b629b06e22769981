// Part 3 of scripts/lib/kafka-compat-check.js: Decanter's own record encoder (recordEncoder
// 'decanter', issue 17) against the same broker. Its RecordBatch v2 bytes and Produce bodies
// are Decanter's and go out over KafkaJS's connections at the Produce version KafkaJS negotiates,
// so every Kafka version in the matrix has to take them: every codec, keys, null keys,
// tombstones, repeated header names and out-of-order timestamps read back by KafkaJS exactly;
// the idempotent producer's numbering; transactions (commit, abort, sendOffsets).
// Needs the built @decanter/producer (pnpm build): a missing build is one FAIL naming it.
'use strict';
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');

function loadProducerPackage() {
  try {
    return require(path.join(ROOT, 'packages/producer'));
  } catch (error) {
    throw new Error(`@decanter/producer is not built (run pnpm build): ${error.message}`);
  }
}

/**
 * Every record of `topic` as KafkaJS reads it (kafka-compat-check.js's consumeN), once `want`
 * arrived. A retriable error on the way in (a fresh topic a broker does not list yet:
 * UNKNOWN_TOPIC_OR_PARTITION, seen once on 4.1.2) is KafkaJS's and the topic's, not the
 * encoder's: asked again, up to 3 times.
 */
async function readRecords(consumeN, kafka, topic, want, { readCommitted = true } = {}) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const groupId = `${topic}-reader-${readCommitted ? 'committed' : 'uncommitted'}-${attempt}`;
      return await consumeN(kafka, { groupId, topic, want, readUncommitted: !readCommitted, autoCommit: false });
    } catch (error) {
      if (!(error && error.retriable) || attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function same(what, actual, expected) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/**
 * Runs the checks as steps of the caller's report.
 * @param {{ broker: string, kafka: import('kafkajs').Kafka, admin: import('kafkajs').Admin, run: string, step: (name: string, fn: () => Promise<unknown>) => Promise<void>, consumeN: Function }} context
 */
async function recordEncoderChecks({ broker, kafka, admin, run, step, consumeN }) {
  const read = (topic, want, options) => readRecords(consumeN, kafka, topic, want, options);
  let decanter;
  await step('decanter encoder: load @decanter/producer (built)', async () => {
    decanter = loadProducerPackage();
  });
  if (decanter === undefined) return;
  const { Producer, COMPRESSION_CODECS } = decanter;
  const producers = [];
  const newProducer = (id, kafkaSettings) => {
    const producer = new Producer({ id, recordEncoder: 'decanter', kafkaJsLogLevel: 'nothing', kafka: { 'bootstrap.servers': broker, 'allow.auto.create.topics': false, 'queue.buffering.max.ms': 2, ...kafkaSettings } });
    producers.push(producer);
    return producer;
  };
  const topics = [];
  const newTopic = async (suffix, numPartitions = 1) => {
    const topic = `compat-encoder-${suffix}-${run}`;
    await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
    topics.push(topic);
    return topic;
  };

  try {
    for (const codec of COMPRESSION_CODECS) {
      await step(`decanter encoder, ${codec}: keys, tombstone, headers, times`, async () => {
        const topic = await newTopic(codec);
        // all in the past: Kafka 4.x refuses timestamps over an hour ahead (log.message.timestamp.after.max.ms)
        const base = Date.now() - 60000;
        const messages = [
          { topic, partition: 0, key: 'k1', payload: `${codec} first ${'x'.repeat(200)}`, timestamp: base, headers: { trace: 'a', h: ['1', '2'] } },
          { topic, partition: 0, key: null, payload: 'no key', timestamp: base - 2 ** 33 }, // a large negative delta (99 days)
          { topic, partition: 0, key: 'k3', payload: null, timestamp: base - 5000 }, // a tombstone
          { topic, partition: 0, key: 'ünïcode-ключ', payload: '', timestamp: base + 1 },
        ];
        const reports = await newProducer(`compat-${codec}`, { 'compression.codec': codec, acks: 'all' }).produceManySync(messages);
        same('offsets', reports.map((r) => r.offset), ['0', '1', '2', '3']);
        const records = await read(topic, messages.length);
        same(
          'records',
          records.map((r) => [r.key, r.value, r.timestamp, r.headers]),
          messages.map((m) => [m.key === null ? null : Buffer.from(m.key).toString(), m.payload, String(m.timestamp), Object.entries(m.headers || {})]),
        );
        return `${records.length} records`;
      });
    }

    await step('decanter encoder: idempotent (offsets in order, no dups)', async () => {
      const topic = await newTopic('idempotent', 2);
      const producer = newProducer('compat-idempotent', { 'enable.idempotence': true });
      const first = await producer.produceManySync(Array.from({ length: 30 }, (_, i) => ({ topic, partition: i % 2, payload: `i-${i}` })));
      const second = await producer.produceManySync(Array.from({ length: 10 }, (_, i) => ({ topic, partition: i % 2, payload: `j-${i}` })));
      for (const partition of [0, 1]) {
        const offsets = [...first, ...second].filter((r) => r.partition === partition).map((r) => Number(r.offset));
        same(`partition ${partition} offsets`, offsets, offsets.map((_, i) => i));
      }
      const records = await read(topic, 40);
      const distinct = new Set(records.map((r) => r.value)).size;
      if (distinct !== 40) throw new Error(`read ${records.length} records, ${distinct} distinct`);
      return '40 records, 2 partitions';
    });

    await step('decanter encoder: transactions, sendOffsets, read_committed', async () => {
      const topic = await newTopic('txn');
      const groupId = `compat-encoder-group-${run}`;
      const producer = newProducer('compat-txn', { 'transactional.id': `compat-encoder-tx-${run}` });
      await producer.transaction(async (tx) => {
        await tx.produceManySync([{ topic, payload: 'committed-1' }, { topic, payload: 'committed-2' }]);
        await tx.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: '7' }] }] });
      });
      const boom = new Error('abort me');
      const aborted = await producer.transaction(async (tx) => {
        await tx.produceSync({ topic, payload: 'aborted-1' });
        throw boom;
      }).catch((error) => error);
      if (aborted !== boom) throw new Error(`the aborted transaction ended with ${aborted && aborted.message}`);
      await producer.transaction(async (tx) => {
        await tx.produceSync({ topic, payload: 'committed-3' });
      });
      const committed = await read(topic, 3);
      same('read_committed', committed.map((r) => r.value), ['committed-1', 'committed-2', 'committed-3']);
      const everything = await read(topic, 4, { readCommitted: false });
      if (!everything.some((r) => r.value === 'aborted-1')) throw new Error('read_uncommitted does not see the aborted record');
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      same('sendOffsets', offsets.partitions.find((p) => p.partition === 0).offset, '7');
      return 'committed 3, aborted 1';
    });
  } finally {
    await Promise.allSettled(producers.map((p) => p.close()));
    await admin.deleteTopics({ topics, timeout: 10000 }).catch(() => undefined);
  }
}

module.exports = { recordEncoderChecks };
