// The three-broker cluster of the reliability tests (packages/*/test/cluster), run by
// `scripts/kafka start --nodes 3`: its addresses, and control of its nodes by index (broker i has
// node.id i, 1..N; node 0 is the controller), for tests and benchmarks that kill brokers.
// It never touches the shared single broker (KAFKA_PORT) nor a cluster of another checkout; every
// test that kills a node restores the cluster (restoreCluster()) before the next one starts.
// KAFKA_CLUSTER_BROKERS only replaces the addresses clients use (e.g. a proxy in front of the
// cluster); killing and starting nodes always goes through scripts/kafka at KAFKA_CLUSTER_PORT.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { uniqueTopicName } from './topics';
import { sleep, waitUntil } from './wait-until';

const run = promisify(execFile);
const repoRoot = resolve(__dirname, '../../..');
const script = resolve(repoRoot, 'scripts/kafka');

/** Brokers of the cluster (`KAFKA_CLUSTER_NODES`, default 3). */
export function clusterSize(): number {
  return Number(process.env['KAFKA_CLUSTER_NODES'] ?? '3');
}

/**
 * The cluster's base port (`KAFKA_CLUSTER_PORT`, default 19092): broker i listens on base + i - 1,
 * the controller on base + 10. Independent of `KAFKA_PORT` (the single broker's port).
 */
export function clusterBasePort(): number {
  const raw = (process.env['KAFKA_CLUSTER_PORT'] ?? '').trim();
  if (raw === '') return DEFAULT_BASE_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_000) throw new Error(`KAFKA_CLUSTER_PORT must be a port number (got '${raw}')`);
  return port;
}

const DEFAULT_BASE_PORT = 19092;

/** Every port of the cluster at `base`: its brokers' and its controller's. */
function clusterPorts(base: number): number[] {
  return [...Array.from({ length: clusterSize() }, (_, i) => base + i), base + 10];
}

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      done(true);
    });
    socket.on('error', () => done(false));
    socket.setTimeout(1_000, () => {
      socket.destroy();
      done(false);
    });
  });
}

/**
 * A base port for this run's cluster when `KAFKA_CLUSTER_PORT` is not set: the first of 19092,
 * 20092, … 28092 where a node of this checkout's cluster runs or whose ports are all free (another checkout's cluster, e.g. a CI run in a clean clone, may hold
 * 19092). Never one that overlaps the single broker's ports (KAFKA_PORT .. KAFKA_PORT + 2).
 */
export async function pickClusterBasePort(): Promise<number> {
  const single = Number(process.env['KAFKA_PORT'] ?? '9092');
  const overlapsSingle = (base: number): boolean => clusterPorts(base).some((p) => p >= single && p <= single + 2);
  for (let base = DEFAULT_BASE_PORT; base <= 28_092; base += 1_000) {
    if (overlapsSingle(base)) continue;
    if (runsNodesOfOurs(base)) return base; // this checkout's cluster (start repairs a partial one)
    const used = await Promise.all(clusterPorts(base).map(listening));
    if (!used.some(Boolean)) return base;
  }
  throw new Error('no free base port for the test cluster between 19092 and 28092: set KAFKA_CLUSTER_PORT');
}

/** True when a node of the cluster at `base` of this checkout (its run dir's pid files) is alive. */
function runsNodesOfOurs(base: number): boolean {
  const dir = resolve(process.env['KAFKA_HOME_DIR'] ?? resolve(repoRoot, '.cache/kafka'), `cluster-${base}`);
  for (let i = 0; i <= clusterSize(); i += 1) {
    const pidFile = resolve(dir, `node-${i}`, 'kafka.pid');
    if (existsSync(pidFile) && alive(Number(readFileSync(pidFile, 'utf8').trim()))) return true;
  }
  return false;
}

/** `KAFKA_CLUSTER_BROKERS` when set, else the addresses of scripts/kafka's cluster at the base port. */
export function clusterBrokers(): string[] {
  const raw = process.env['KAFKA_CLUSTER_BROKERS'];
  if (raw !== undefined && raw.trim() !== '') {
    return raw
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b.length > 0);
  }
  return Array.from({ length: clusterSize() }, (_, i) => `127.0.0.1:${clusterBasePort() + i}`);
}

/** The run dir of scripts/kafka's cluster (node-<i>/server.log, …). */
export function clusterRunDir(): string {
  return resolve(process.env['KAFKA_HOME_DIR'] ?? resolve(repoRoot, '.cache/kafka'), `cluster-${clusterBasePort()}`);
}

async function kafkaScript(args: string[], timeoutMs = 180_000, base = clusterBasePort()): Promise<string> {
  const { stdout } = await run(script, args, {
    env: { ...process.env, KAFKA_CLUSTER_PORT: String(base) },
    timeout: timeoutMs,
  });
  return stdout;
}

/** Starts the cluster (reusing the nodes that run); resolves once every broker sees every other. */
export async function startCluster(): Promise<void> {
  await kafkaScript(['start', '--nodes', String(clusterSize())]);
}

export async function stopCluster(): Promise<void> {
  await kafkaScript(['stop', '--nodes', String(clusterSize())]);
}

/** True when every node of scripts/kafka's cluster (at `base`) runs and serves. */
export async function clusterRunning(base = clusterBasePort()): Promise<boolean> {
  return kafkaScript(['status', '--nodes', String(clusterSize())], 30_000, base).then(
    () => true,
    () => false,
  );
}

/** SIGKILL node `i` (0 = controller, 1..N = broker i): no shutdown, no leadership handed over. */
export async function killNode(i: number): Promise<void> {
  await kafkaScript(['kill-node', String(i)], 30_000);
}

/** A clean shutdown of node `i` (SIGTERM: it hands its leaderships over first). */
export async function stopNode(i: number): Promise<void> {
  await kafkaScript(['stop-node', String(i)], 60_000);
}

/**
 * Sends `signal` to node `i` at once, from this process (scripts/kafka's kill-node waits for the
 * process to be gone and takes a few hundred ms to start: too slow for a test whose timing is
 * tight, e.g. followers paused for less than broker.session.timeout.ms).
 */
export function signalNode(i: number, signal: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT'): void {
  const pidFile = resolve(clusterRunDir(), `node-${i}`, 'kafka.pid');
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
  if (!alive(pid)) throw new Error(`node ${i} of the cluster at ${clusterBasePort()} does not run (${pidFile})`);
  process.kill(pid, signal);
}

/**
 * SIGSTOP node `i`: alive (its connections stay open) but silent, like a follower that lags or a
 * long GC pause. Past broker.session.timeout.ms (4 s) the controller fences it.
 */
export async function pauseNode(i: number): Promise<void> {
  await kafkaScript(['pause-node', String(i)], 30_000);
}

/** SIGCONT node `i` (harmless on a node that runs). */
export async function resumeNode(i: number): Promise<void> {
  await kafkaScript(['resume-node', String(i)], 30_000);
}

/** Starts node `i` again on its data; resolves once it serves metadata (it may still be catching up). */
export async function startNode(i: number): Promise<void> {
  await kafkaScript(['start-node', String(i)]);
}

function clusterAdmin(): Kafka {
  return new Kafka({
    clientId: 'decanter-cluster-tests',
    brokers: clusterBrokers(),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
}

/** Runs `fn` with a fresh admin client of the cluster (brokers come and go: no shared one). */
export async function withClusterAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = clusterAdmin().admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * A uniquely named topic with replication factor 3 whose partition p is led by broker
 * `leaders[p]` (its preferred replica, first in the assignment; the other two follow in order).
 */
export async function createClusterTopic(
  prefix: string,
  leaders: number[],
  configEntries: Array<{ name: string; value: string }> = [],
): Promise<string> {
  const topic = uniqueTopicName(prefix);
  const n = clusterSize();
  const replicas = (leader: number): number[] => [leader, (leader % n) + 1, ((leader + 1) % n) + 1].slice(0, Math.min(3, n));
  await withClusterAdmin(async (admin) => {
    await admin.createTopics({
      topics: [{ topic, replicaAssignment: leaders.map((l, partition) => ({ partition, replicas: replicas(l) })), configEntries }],
      waitForLeaders: true,
    });
  });
  return topic;
}

export interface PartitionState {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

/** Leader, replicas and ISR of every partition of `topics` (every topic, internal ones included, by default). */
export async function partitionStates(topics?: string[]): Promise<PartitionState[]> {
  return withClusterAdmin(async (admin) => {
    const names = topics ?? (await admin.listTopics());
    if (names.length === 0) return [];
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics: names });
    return metadata.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr })),
    );
  });
}

/** The broker (node index) that leads `topic`/`partition` now. */
export async function leaderOf(topic: string, partition: number): Promise<number> {
  const [state] = await partitionStates([topic]).then((all) => all.filter((p) => p.partition === partition));
  if (state === undefined || state.leader < 0) throw new Error(`${topic}/${partition} has no leader`);
  return state.leader;
}

/** Waits until `topic`/`partition` is led by a broker other than `previous`; resolves with it. */
export async function awaitNewLeader(topic: string, partition: number, previous: number, timeoutMs = 30_000): Promise<number> {
  return waitUntil(
    `a new leader of ${topic}/${partition} (was broker ${previous})`,
    async () => {
      const leader = await leaderOf(topic, partition);
      return leader !== previous ? leader : null;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/**
 * The broker that is `groupId`'s group coordinator, asked with a FindCoordinator (v0) request of
 * our own: KafkaJS finds it internally but does not expose it.
 */
export async function groupCoordinatorOf(groupId: string): Promise<number> {
  let last: unknown;
  for (const hostPort of clusterBrokers()) {
    try {
      return await findCoordinator(hostPort, groupId);
    } catch (error) {
      last = error;
    }
  }
  throw new Error(`no broker named the coordinator of group ${groupId}: ${String(last)}`);
}

function findCoordinator(hostPort: string, groupId: string): Promise<number> {
  const [host = '127.0.0.1', port = '9092'] = hostPort.split(':');
  const clientId = Buffer.from('decanter-cluster-tests');
  const group = Buffer.from(groupId);
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 2 + group.length);
  let at = body.writeInt16BE(10, 0); // FindCoordinator
  at = body.writeInt16BE(0, at); // v0: group coordinators only
  at = body.writeInt32BE(1, at);
  at = body.writeInt16BE(clientId.length, at);
  at += clientId.copy(body, at);
  at = body.writeInt16BE(group.length, at);
  group.copy(body, at);
  const frame = Buffer.alloc(4);
  frame.writeInt32BE(body.length, 0);
  return new Promise((done, fail) => {
    const socket = connect({ host, port: Number(port) }, () => socket.write(Buffer.concat([frame, body])));
    const timer = setTimeout(() => {
      socket.destroy();
      fail(new Error(`FindCoordinator to ${hostPort}: no answer`));
    }, 3_000);
    let received = Buffer.alloc(0);
    socket.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      clearTimeout(timer);
      socket.destroy();
      // size, correlation id, error_code int16, node_id int32, host, port
      const errorCode = received.readInt16BE(8);
      if (errorCode !== 0) fail(new Error(`FindCoordinator to ${hostPort}: error code ${errorCode}`));
      else done(received.readInt32BE(10));
    });
  });
}

/** Unhealthy partitions: no leader, or an ISR smaller than the replica set. */
function unhealthy(states: PartitionState[]): PartitionState[] {
  return states.filter((p) => p.leader < 0 || p.isr.length < p.replicas.length);
}

/**
 * Waits until every broker is registered and every partition of every topic has a leader and
 * its full replica set in the ISR: the state each cluster test starts from.
 */
export async function awaitHealthyCluster(timeoutMs = 90_000): Promise<void> {
  await waitUntil(
    `all ${clusterSize()} brokers up and every partition with its full ISR`,
    async () => {
      const brokers = await withClusterAdmin(async (admin) => (await admin.describeCluster()).brokers.length);
      if (brokers < clusterSize()) return null;
      const bad = unhealthy(await partitionStates());
      if (bad.length > 0) throw new Error(`${bad.length} partitions not in full sync, e.g. ${JSON.stringify(bad[0])}`);
      return true;
    },
    { timeoutMs, intervalMs: 500 },
  );
}

/** Starts every node that does not run, then waits for a healthy cluster. Call at the end of every test. */
export async function restoreCluster(): Promise<void> {
  for (let i = 0; i <= clusterSize(); i += 1) await startNode(i); // resumes a paused one too
  await awaitHealthyCluster();
}

/**
 * Test files of the cluster project may run in parallel Jest workers, but each kills brokers:
 * one file holds the cluster at a time (a lock folder in the run dir; a dead holder's lock is taken over).
 * Returns the release function (call it from afterAll).
 */
export async function holdCluster(timeoutMs = 15 * 60_000): Promise<() => void> {
  const lock = resolve(clusterRunDir(), 'tests.lock');
  const owner = resolve(lock, 'pid');
  mkdirSync(clusterRunDir(), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(owner, String(process.pid));
      break;
    } catch {
      const pid = existsSync(owner) ? Number(readFileSync(owner, 'utf8')) : NaN;
      if (Number.isInteger(pid) && pid > 0 && !alive(pid)) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`the cluster stayed held by another test file (pid ${pid}) for ${timeoutMs} ms`);
      await sleep(500);
    }
  }
  return () => rmSync(lock, { recursive: true, force: true });
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false; // kill(0) would signal our own process group
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
