import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { brokers } from './brokers';

const run = promisify(execFile);
const repoRoot = resolve(__dirname, '../../..');
const FIELD = '\u001f'; // unit separator: never in our test payloads

export interface ConsoleRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/**
 * Reads `count` records of `topic` from the beginning with Apache Kafka's own Java console
 * consumer (scripts/kafka tool console-consumer): the reference reader that proves what our
 * KafkaJS-based code wrote is what a Java client sees.
 */
export async function javaConsoleConsume(topic: string, count: number, timeoutMs = 60_000): Promise<ConsoleRecord[]> {
  const { stdout } = await run(
    resolve(repoRoot, 'scripts/kafka'),
    [
      'tool',
      'console-consumer',
      '--bootstrap-server',
      brokers().join(','),
      '--topic',
      topic,
      '--from-beginning',
      '--max-messages',
      String(count),
      '--timeout-ms',
      String(timeoutMs - 5000),
      '--property',
      'print.partition=true',
      '--property',
      'print.offset=true',
      '--property',
      'print.key=true',
      '--property',
      'print.headers=true',
      '--property',
      `key.separator=${FIELD}`,
      '--property',
      `headers.separator=${FIELD}`,
      '--property',
      'headers.deserializer=org.apache.kafka.common.serialization.StringDeserializer',
    ],
    { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('Partition:'))
    .map(parseLine);
}

// DefaultMessageFormatter prints: Partition:N<sep>Offset:N<sep>headers<sep>key<sep>value, where
// several headers are themselves joined by the headers separator, so the value and key are taken
// from the end and the rest are headers.
function parseLine(line: string): ConsoleRecord {
  const fields = line.split(FIELD);
  const partition = Number((fields[0] ?? '').replace('Partition:', ''));
  const offset = Number((fields[1] ?? '').replace('Offset:', ''));
  const value = fields[fields.length - 1] ?? null;
  const key = fields[fields.length - 2] ?? null;
  const headers: Record<string, string> = {};
  for (const entry of fields.slice(2, -2)) {
    if (entry === 'NO_HEADERS') continue;
    // header keys and values are joined by ':' (not configurable in 3.9's formatter)
    const at = entry.indexOf(':');
    headers[at < 0 ? entry : entry.slice(0, at)] = at < 0 ? '' : entry.slice(at + 1);
  }
  return {
    partition,
    offset,
    key: key === 'null' ? null : key,
    value: value === 'null' ? null : value,
    headers,
  };
}

export interface BrokerProducerState {
  producerId: string;
  producerEpoch: number;
  /** The sequence number of the last record the broker took from this producer on the partition. */
  lastSequence: number;
}

/**
 * The idempotent producers the partition's leader knows, as Apache Kafka's own tool reports them
 * (scripts/kafka tool transactions describe-producers): the broker's view of which producer id
 * wrote to the partition and how far its sequence numbers got.
 */
export async function javaDescribeProducers(
  topic: string,
  partition: number,
  timeoutMs = 60_000,
): Promise<BrokerProducerState[]> {
  const { stdout } = await run(
    resolve(repoRoot, 'scripts/kafka'),
    [
      'tool',
      'transactions',
      '--bootstrap-server',
      brokers().join(','),
      'describe-producers',
      '--topic',
      topic,
      '--partition',
      String(partition),
    ],
    { timeout: timeoutMs },
  );
  const [header, ...rows] = stdout.split('\n').filter((line) => line.trim() !== '');
  const columns = (header ?? '').split('\t').map((c) => c.trim());
  const at = (name: string): number => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`describe-producers printed no ${name} column: ${header ?? '(nothing)'}`);
    return index;
  };
  const [id, epoch, last] = [at('ProducerId'), at('ProducerEpoch'), at('LastSequence')];
  return rows.map((row) => {
    const cells = row.split('\t').map((c) => c.trim());
    return { producerId: cells[id] ?? '', producerEpoch: Number(cells[epoch]), lastSequence: Number(cells[last]) };
  });
}
