import { Kafka, logLevel } from 'kafkajs';

/** True when the broker at `hostPort` answers a metadata request within `timeoutMs`. */
export async function probeBroker(hostPort: string, timeoutMs: number): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'decanter-probe',
    brokers: [hostPort],
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
