import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin, type ITopicConfig } from 'kafkajs';
import { brokers } from './brokers';

let admin: Admin | undefined;
let connecting: Promise<Admin> | undefined;

/** One admin connection per Jest worker, shared by every test file in it. */
export async function sharedAdmin(): Promise<Admin> {
  if (admin) return admin;
  connecting ??= (async () => {
    const client = new Kafka({ clientId: 'decanter-tests', brokers: brokers(), logLevel: logLevel.NOTHING });
    const created = client.admin();
    await created.connect();
    admin = created;
    return created;
  })();
  return connecting;
}

/** A topic name no other test (or earlier run) uses: `<prefix>-<random>`. */
export function uniqueTopicName(prefix = 'test'): string {
  const safe = prefix.replace(/[^a-zA-Z0-9._-]/g, '-').slice(0, 80);
  return `${safe}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export interface CreateTopicOptions {
  partitions?: number;
  configEntries?: ITopicConfig['configEntries'];
}

/** Creates a uniquely named topic and waits until its leaders are known. */
export async function createTopic(prefix = 'test', options: CreateTopicOptions = {}): Promise<string> {
  const topic = uniqueTopicName(prefix);
  const a = await sharedAdmin();
  const config: ITopicConfig = { topic, numPartitions: options.partitions ?? 1, replicationFactor: 1 };
  if (options.configEntries) config.configEntries = options.configEntries;
  await a.createTopics({ topics: [config], waitForLeaders: true });
  return topic;
}

export async function deleteTopics(topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const a = await sharedAdmin();
  await a.deleteTopics({ topics, timeout: 10_000 }).catch(() => undefined);
}

/** Sum of high watermarks: how many records a topic holds (from offset 0, no retention). */
export async function topicMessageCount(topic: string): Promise<number> {
  const a = await sharedAdmin();
  const offsets = await a.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

export async function disconnectSharedAdmin(): Promise<void> {
  const a = admin;
  admin = undefined;
  connecting = undefined;
  await a?.disconnect();
}
