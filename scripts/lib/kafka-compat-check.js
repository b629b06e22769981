#!/usr/bin/env node
// Runs the workspace's KafkaJS (2.2.4) through the client features Decanter relies on, against ONE
// broker, and prints what works and what breaks. Called by scripts/kafka-compat-check, which
// starts a broker per Kafka version on its own port; usable alone against any broker:
//
//   node scripts/lib/kafka-compat-check.js 127.0.0.1:29092 [label]
//
// Part 1 compares the API versions the broker serves (ApiVersions v0, raw socket) with the
// versions KafkaJS implements. KafkaJS picks min(its newest, broker's newest) and never looks at
// the broker's oldest, so "KafkaJS newest < broker oldest" means that request will be refused.
// Part 2 runs the real features. Part 3 runs Decanter's own record encoder
// (record-encoder-compat.js; needs pnpm build). Exit code 0 when every check passed, 1 otherwise.
'use strict';
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
// The workspace's KafkaJS, whichever package hoisted it (the root has it as a dev dependency).
const kafkajsDir = path.dirname(require.resolve('kafkajs/package.json', { paths: [ROOT] }));
const { Kafka, logLevel, CompressionTypes } = require(kafkajsDir);
const { recordEncoderChecks } = require('./record-encoder-compat');
const { requests } = require(path.join(kafkajsDir, 'src/protocol/requests'));
const apiKeys = require(path.join(kafkajsDir, 'src/protocol/requests/apiKeys'));
const kafkajsVersion = require(path.join(kafkajsDir, 'package.json')).version;

const [broker = '127.0.0.1:9092', label = broker] = process.argv.slice(2);
const STEP_TIMEOUT_MS = Number(process.env.COMPAT_STEP_TIMEOUT_MS || 30000);
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

// ---- Part 1: API versions -------------------------------------------------------------------
function brokerApiVersions(hostPort, timeoutMs = 5000) {
  const [host, port] = hostPort.split(':');
  const clientId = Buffer.from('decanter-compat');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  let at = body.writeInt16BE(apiKeys.ApiVersions, 0);
  at = body.writeInt16BE(0, at); // ApiVersions v0: every broker since 0.10 answers it
  at = body.writeInt32BE(1, at);
  at = body.writeInt16BE(clientId.length, at);
  clientId.copy(body, at);
  const frame = Buffer.alloc(4);
  frame.writeInt32BE(body.length, 0);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port: Number(port) });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('ApiVersions: no answer')); }, timeoutMs);
    socket.on('connect', () => socket.write(Buffer.concat([frame, body])));
    socket.on('error', (error) => { clearTimeout(timer); reject(error); });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      clearTimeout(timer);
      socket.end();
      // size, correlation id, error_code int16, [api_key int16, min int16, max int16]
      const errorCode = received.readInt16BE(8);
      if (errorCode !== 0) { reject(new Error(`ApiVersions error code ${errorCode}`)); return; }
      const count = received.readInt32BE(10);
      const result = new Map();
      for (let i = 0, pos = 14; i < count; i += 1, pos += 6) {
        result.set(received.readInt16BE(pos), { min: received.readInt16BE(pos + 2), max: received.readInt16BE(pos + 4) });
      }
      resolve(result);
    });
  });
}

function apiVersionTable(served) {
  const rows = [];
  for (const [name, definition] of Object.entries(requests)) {
    const versions = definition.versions.map(Number);
    if (versions.length === 0) continue; // KafkaJS does not implement this API
    const apiKey = apiKeys[name === 'GroupCoordinator' ? 'GroupCoordinator' : name];
    const kjsMin = Math.min(...versions);
    const kjsMax = Math.max(...versions);
    const range = served.get(apiKey);
    let verdict;
    let uses = '-';
    if (!range) verdict = 'NOT SERVED by this broker';
    else {
      uses = String(Math.min(kjsMax, range.max));
      verdict = kjsMax < range.min ? `BROKEN: KafkaJS newest v${kjsMax} < broker oldest v${range.min}` : 'ok';
    }
    rows.push({ name, apiKey, kafkajs: `${kjsMin}-${kjsMax}`, broker: range ? `${range.min}-${range.max}` : 'none', uses, verdict });
  }
  return rows;
}

// ---- Part 2: features -----------------------------------------------------------------------
const results = [];
function withTimeout(promise, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timed out after ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS); }),
  ]).finally(() => clearTimeout(timer));
}
async function step(name, fn) {
  const started = Date.now();
  try {
    const value = await withTimeout(Promise.resolve().then(fn), name);
    const restarts = value && value.restarts ? value.restarts : [];
    let detail = value && typeof value === 'object' ? value.detail : value;
    if (restarts.length > 0) detail = `${detail || ''} WARNING: KafkaJS restarted the consumer ${restarts.length}x after CRASH (${[...new Set(restarts)].join(' | ')})`;
    results.push({ name, ok: true, warn: restarts.length > 0, detail: detail || '', ms: Date.now() - started });
  } catch (error) {
    const kind = error && error.name ? `${error.name}: ` : '';
    let message = `${kind}${error && error.message ? error.message : String(error)}`;
    // KafkaJS hides the broker's per-partition errors in these fields
    if (error && Array.isArray(error.partitions)) {
      message += ` [${error.partitions.map((p) => `partition ${p.partition}: ${p.error && p.error.message}`).join('; ')}]`;
    }
    if (error && error.originalError) message += ` (cause: ${error.originalError.message})`;
    message = message.replace(/\s+/g, ' ');
    results.push({ name, ok: false, detail: message, ms: Date.now() - started });
  }
}

/** Consumes until `want` messages arrived (or the step times out); returns them. */
async function consumeN(kafka, { groupId, topic, want, readUncommitted = false, autoCommit = true }) {
  const consumer = kafka.consumer({ groupId, readUncommitted, maxWaitTimeInMs: 500, sessionTimeout: 10000, heartbeatInterval: 1000 });
  const got = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let done;
    const finished = new Promise((resolve) => { done = resolve; });
    let crash;
    // A retriable error makes KafkaJS restart the whole consumer (CRASH with restart: true): that is
    // how it recovers, so it only counts as a failure when KafkaJS gives up (restart: false).
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      if (restart) { got.restarts = (got.restarts || []).concat(`${error.name}: ${error.message}`); return; }
      crash = error;
      done();
    });
    await consumer.run({
      autoCommit,
      eachMessage: async ({ partition, message }) => {
        got.push({
          partition,
          offset: message.offset,
          key: message.key === null ? null : message.key.toString(),
          value: message.value ? message.value.toString() : null,
          timestamp: message.timestamp,
          headers: Object.entries(message.headers || {}).map(([name, v]) => [name, Array.isArray(v) ? v.map(String) : v === undefined || v === null ? v : String(v)]),
        });
        if (!autoCommit) {
          await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
        }
        if (got.length >= want) done();
      },
    });
    await finished;
    if (crash) throw crash;
    // let the last auto-commit go out before disconnecting
    await new Promise((resolve) => setTimeout(resolve, 300));
    return got;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

async function main() {
  const run = `${Date.now().toString(36)}`;
  const kafka = new Kafka({
    clientId: 'decanter-compat',
    brokers: [broker],
    logLevel: process.env.COMPAT_LOG_LEVEL === 'debug' ? logLevel.DEBUG : logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 },
    connectionTimeout: 5000,
    requestTimeout: 15000,
  });
  const admin = kafka.admin();
  const plainTopic = `compat-plain-${run}`;
  const txnTopic = `compat-txn-${run}`;
  const group = `compat-group-${run}`;

  console.log(`# KafkaJS ${kafkajsVersion} against ${label} (${broker})`);
  let served;
  try {
    served = await brokerApiVersions(broker);
  } catch (error) {
    console.log(`cannot read the broker's API versions: ${error.message}`);
    process.exit(1);
  }
  const table = apiVersionTable(served);
  console.log('\n## API versions (KafkaJS implements / broker serves / KafkaJS will use)');
  for (const row of table) {
    console.log(`${row.name.padEnd(27)} key ${String(row.apiKey).padStart(2)}  kafkajs ${row.kafkajs.padEnd(5)} broker ${row.broker.padEnd(6)} uses ${row.uses.padEnd(2)} ${row.verdict}`);
  }

  await step('admin connect', () => admin.connect());
  await step('admin createTopics (3 partitions)', async () => {
    const created = await admin.createTopics({ topics: [{ topic: plainTopic, numPartitions: 3 }, { topic: txnTopic, numPartitions: 1 }], waitForLeaders: true });
    if (!created) throw new Error('createTopics returned false (topic already existed)');
  });
  await step('admin fetchTopicMetadata', async () => {
    const { topics } = await admin.fetchTopicMetadata({ topics: [plainTopic] });
    const count = topics[0] ? topics[0].partitions.length : 0;
    if (count !== 3) throw new Error(`expected 3 partitions, got ${count}`);
    return `${count} partitions`;
  });

  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await step('producer connect', () => producer.connect());
  await step('produce acks=1', async () => {
    const [meta] = await producer.send({ topic: plainTopic, acks: 1, messages: [{ key: 'k1', value: 'acks-1' }] });
    return `partition ${meta.partition} offset ${meta.baseOffset}`;
  });
  await step('produce acks=-1 (all)', async () => {
    await producer.send({ topic: plainTopic, acks: -1, messages: [{ key: 'k2', value: 'acks-all', headers: { h: 'v' } }] });
  });
  await step('produce acks=-1 gzip batch of 10', async () => {
    await producer.send({ topic: plainTopic, acks: -1, compression: CompressionTypes.GZIP, messages: Array.from({ length: 10 }, (_, i) => ({ key: `g${i}`, value: `gzip-${i}` })) });
  });
  await step('produce acks=0', async () => {
    await producer.send({ topic: plainTopic, acks: 0, messages: [{ key: 'k0', value: 'acks-0' }] });
  });
  await producer.disconnect().catch(() => undefined);

  const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await step('idempotent producer (InitProducerId + 2 sends)', async () => {
    await idempotent.connect();
    await idempotent.send({ topic: plainTopic, acks: -1, messages: [{ key: 'i1', value: 'idem-1' }] });
    await idempotent.send({ topic: plainTopic, acks: -1, messages: [{ key: 'i2', value: 'idem-2' }] });
  });
  await idempotent.disconnect().catch(() => undefined);
  const plainCount = 1 + 1 + 10 + 1 + 2;

  await step(`consumer group: consume ${plainCount} (auto commit)`, async () => {
    const got = await consumeN(kafka, { groupId: group, topic: plainTopic, want: plainCount });
    const gzip = got.filter((m) => m.value && m.value.startsWith('gzip-')).length;
    if (gzip !== 10) throw new Error(`expected 10 gzip messages, got ${gzip}`);
    return { detail: `${got.length} messages`, restarts: got.restarts };
  });
  await step('admin fetchTopicOffsets (ListOffsets)', async () => {
    const offsets = await admin.fetchTopicOffsets(plainTopic);
    const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    if (total !== plainCount) throw new Error(`expected ${plainCount} messages in the log, high-low says ${total}`);
    return `${total} messages across ${offsets.length} partitions`;
  });
  await step('admin fetchOffsets (OffsetFetch) = end offsets', async () => {
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [plainTopic] });
    const ends = await admin.fetchTopicOffsets(plainTopic);
    for (const p of committed.partitions) {
      const end = ends.find((e) => e.partition === p.partition);
      if (!end || end.high !== p.offset) throw new Error(`partition ${p.partition}: committed ${p.offset}, end ${end && end.high}`);
    }
    return committed.partitions.map((p) => `${p.partition}:${p.offset}`).join(' ');
  });
  const group2 = `${group}-manual`;
  await step('consumer group: manual commitOffsets', async () => {
    const got = await consumeN(kafka, { groupId: group2, topic: plainTopic, want: plainCount, autoCommit: false });
    const [committed] = await admin.fetchOffsets({ groupId: group2, topics: [plainTopic] });
    const sum = committed.partitions.reduce((s, p) => s + Number(p.offset), 0);
    const ends = await admin.fetchTopicOffsets(plainTopic);
    const endSum = ends.reduce((s, p) => s + Number(p.high), 0);
    if (sum !== endSum) throw new Error(`committed sum ${sum} != end sum ${endSum}`);
    return { restarts: got.restarts };
  });
  await step('admin describeGroups + listGroups', async () => {
    const { groups } = await admin.describeGroups([group]);
    const listed = await admin.listGroups();
    if (!listed.groups.some((g) => g.groupId === group)) throw new Error('listGroups does not name the group');
    return `state ${groups[0] && groups[0].state}, protocolType ${groups[0] && groups[0].protocolType}`;
  });

  const txId = `compat-tx-${run}`;
  const txProducer = kafka.producer({ transactionalId: txId, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await step('transactional producer connect (InitProducerId)', () => txProducer.connect());
  await step('transaction: send + sendOffsets + commit', async () => {
    const tx = await txProducer.transaction();
    try {
      await tx.send({ topic: txnTopic, acks: -1, messages: [{ key: 't', value: 'committed-1' }, { key: 't', value: 'committed-2' }] });
      await tx.sendOffsets({ consumerGroupId: `${group}-tx`, topics: [{ topic: plainTopic, partitions: [{ partition: 0, offset: '1' }] }] });
      await tx.commit();
    } catch (error) {
      await tx.abort().catch(() => undefined);
      throw error;
    }
  });
  await step('transaction: send + abort', async () => {
    const tx = await txProducer.transaction();
    await tx.send({ topic: txnTopic, acks: -1, messages: [{ key: 't', value: 'aborted-1' }] });
    await tx.abort();
  });
  await step('transaction: second commit after abort', async () => {
    const tx = await txProducer.transaction();
    await tx.send({ topic: txnTopic, acks: -1, messages: [{ key: 't', value: 'committed-3' }] });
    await tx.commit();
  });
  await txProducer.disconnect().catch(() => undefined);
  await step('read_committed consumer sees only committed', async () => {
    const got = await consumeN(kafka, { groupId: `${group}-rc`, topic: txnTopic, want: 3 });
    // give a wrongly-delivered aborted message a moment to show up
    const values = got.map((m) => m.value);
    if (values.some((v) => v.startsWith('aborted'))) throw new Error(`aborted message delivered: ${values.join(',')}`);
    if (values.join(',') !== 'committed-1,committed-2,committed-3') throw new Error(`got ${values.join(',')}`);
    return { detail: values.join(','), restarts: got.restarts };
  });
  await step('read_uncommitted consumer sees the aborted one too', async () => {
    const got = await consumeN(kafka, { groupId: `${group}-ru`, topic: txnTopic, want: 4, readUncommitted: true });
    return { detail: got.map((m) => m.value).join(','), restarts: got.restarts };
  });
  await step('sendOffsets committed the group offset (OffsetFetch)', async () => {
    const [committed] = await admin.fetchOffsets({ groupId: `${group}-tx`, topics: [plainTopic] });
    const p0 = committed.partitions.find((p) => p.partition === 0);
    if (!p0 || p0.offset !== '1') throw new Error(`partition 0 committed ${p0 && p0.offset}, expected 1`);
  });
  await step('admin describeConfigs (topic)', async () => {
    const result = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: plainTopic }] });
    return `${result.resources[0].configEntries.length} entries`;
  });
  await step('admin createPartitions', () => admin.createPartitions({ topicPartitions: [{ topic: plainTopic, count: 4 }] }));
  await step('admin describeCluster', async () => {
    const cluster = await admin.describeCluster();
    return `${cluster.brokers.length} broker(s), controller ${cluster.controller}`;
  });
  await step('admin fetchTopicOffsetsByTimestamp', async () => {
    const offsets = await admin.fetchTopicOffsetsByTimestamp(plainTopic, Date.now() - 3600000);
    return offsets.map((p) => `${p.partition}:${p.offset}`).join(' ');
  });
  await step('admin alterConfigs (topic retention.ms)', async () => {
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: plainTopic, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
  });
  await step('admin deleteTopicRecords (DeleteRecords)', async () => {
    // KafkaJS 2.2.4 looks the leader up BEFORE it loads the topic's metadata ("Could not find the
    // leader for the partition" on a topic this admin never touched, any Kafka version): load it first
    await admin.fetchTopicOffsets(txnTopic);
    await admin.deleteTopicRecords({ topic: txnTopic, partitions: [{ partition: 0, offset: '1' }] });
    const [p0] = await admin.fetchTopicOffsets(txnTopic);
    if (p0.low !== '1') throw new Error(`low watermark ${p0.low}, expected 1`);
  });
  await step('admin deleteGroups', async () => { await admin.deleteGroups([group2]); });
  await step('admin deleteTopics', () => admin.deleteTopics({ topics: [plainTopic, txnTopic], timeout: 10000 }));
  await recordEncoderChecks({ broker, kafka, admin, run, step, consumeN });
  await admin.disconnect().catch(() => undefined);

  console.log('\n## Features');
  for (const r of results) {
    console.log(`${r.ok ? (r.warn ? 'WARN' : 'PASS') : 'FAIL'}  ${r.name.padEnd(56)} ${String(r.ms).padStart(6)} ms  ${r.detail}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  const warned = results.filter((r) => r.warn).length;
  const broken = table.filter((r) => r.verdict !== 'ok').length;
  console.log(`\n${label}: ${results.length - failed} passed (${warned} of them after a KafkaJS consumer restart), ${failed} failed; ${broken} API(s) KafkaJS cannot use (of ${table.length} it implements)`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
