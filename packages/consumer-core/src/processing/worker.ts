// The piscina worker entry (its own build entry, never re-exported). Holds the consumer instances
// of the partitions pinned to this thread and runs their jobs. It never talks to Kafka: marks and
// pause requests go back in the result; produce calls go to the main thread over a BroadcastChannel.
import { BroadcastChannel, threadId } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import {
  attachConsumer,
  beginJob,
  endJob,
  isConsumerClass,
  type Consumer,
  type ConsumerProducer,
  type ConsumerRequests,
  type Messages,
  type Transactor,
} from '../consumer';
import { PartitionRevokedError, ProducerUnavailableError, TransactionFailedError } from '../errors';
import { loadModule, moduleExport, namespaceOf } from '../loading/module-loader';
import { builtInDeserializers } from '../messages/deserializers';
import { Message, type Deserializer } from '../messages/message';
import { PackedMessages, type UnpackedMessage } from '../messages/message-packer';
import type { ProducedMessage, ProducedReport } from '../options';
import type { ResolvedReference } from '../routing/topic';
import { reviveError, serializeError } from './serialized-error';
import type {
  ConsumeResult,
  ConsumeTask,
  LifecycleResult,
  LifecycleTask,
  SerializedError,
  ValidateResult,
  ValidateTask,
  WorkerTask,
} from './worker-protocol';

const instances = new Map<string, Consumer>();
const deserializers = new Map<string, Deserializer>();
/** Consumer classes being or already imported, by `module#export` (a failed import is dropped, so a retry imports again). */
const consumerClasses = new Map<string, Promise<new () => Consumer>>();

const now = (): number => performance.timeOrigin + performance.now();

function consumerClassOf(ref: ResolvedReference, value: unknown): new () => Consumer {
  if (!isConsumerClass(value)) {
    throw new TypeError(`Export '${ref.export}' of ${ref.module} is not a class extending Consumer`);
  }
  return value;
}

function deserializerOf(ref: ResolvedReference, value: unknown): Deserializer {
  if (typeof value !== 'function') throw new TypeError(`Deserializer export '${ref.export}' of ${ref.module} is not a function`);
  return value as Deserializer;
}

/** The consumer class a route names, imported in this thread (loading/module-loader.ts: any module format, TypeScript through the user's loader). */
function importConsumerClass(ref: ResolvedReference): Promise<new () => Consumer> {
  const id = `${ref.module}#${ref.export}`;
  let loading = consumerClasses.get(id);
  if (loading === undefined) {
    loading = loadModule(ref.module).then((namespace) => consumerClassOf(ref, moduleExport(namespace, ref.export)));
    loading.catch(() => consumerClasses.delete(id));
    consumerClasses.set(id, loading);
  }
  return loading;
}

/** The deserializer a route names; a built-in at once, a module's export imported on first use. */
async function importDeserializer(ref: ConsumeTask['deserializer']): Promise<Deserializer> {
  if (typeof ref === 'string') return builtInDeserializers[ref];
  const id = `${ref.module}#${ref.export}`;
  let fn = deserializers.get(id);
  if (fn === undefined) {
    fn = deserializerOf(ref, moduleExport(await loadModule(ref.module), ref.export));
    deserializers.set(id, fn);
  }
  return fn;
}

// The testing kit (src/testing) runs consumers in the test's own thread and synchronously: it
// require()s the module and trusts its host (Jest, tsx, ts-node, Node) to load TypeScript; a
// Node whose require() loads ES modules (20.19+, 22.12+) loads ES module consumers there too.

/** The consumer class a route names, loaded synchronously with require() (the testing kit). */
export function loadConsumerClass(ref: ResolvedReference): new () => Consumer {
  return consumerClassOf(ref, moduleExport(namespaceOf(require(ref.module)), ref.export));
}

/** The deserializer a route names, loaded synchronously with require() (the testing kit). */
export function deserializerFor(ref: ConsumeTask['deserializer']): Deserializer {
  if (typeof ref === 'string') return builtInDeserializers[ref];
  const id = `${ref.module}#${ref.export}`;
  let fn = deserializers.get(id);
  if (fn === undefined) {
    fn = deserializerOf(ref, moduleExport(namespaceOf(require(ref.module)), ref.export));
    deserializers.set(id, fn);
  }
  return fn;
}

let bridge: { channel: BroadcastChannel; pending: Map<number, (reply: BridgeReply) => void>; next: number } | undefined;

interface BridgeReply {
  id: string;
  ok: boolean;
  report?: ProducedReport;
  error?: SerializedError;
}

function producerFor(channelName: string | null): ConsumerProducer | undefined {
  if (channelName === null) return undefined;
  if (bridge === undefined) {
    const channel = new BroadcastChannel(channelName);
    const pending = new Map<number, (reply: BridgeReply) => void>();
    channel.onmessage = (event: unknown) => {
      const reply = (event as { data: unknown }).data as BridgeReply | { kind: string };
      if (!('ok' in reply) || typeof reply.id !== 'string') return;
      const [thread, seq] = reply.id.split(':');
      if (Number(thread) !== threadId) return;
      const resolve = pending.get(Number(seq));
      if (resolve === undefined) return;
      pending.delete(Number(seq));
      if (pending.size === 0) (channel as unknown as { unref(): void }).unref();
      resolve(reply);
    };
    (channel as unknown as { unref(): void }).unref();
    bridge = { channel, pending, next: 0 };
  }
  const b = bridge;
  const call = (mode: 'sync' | 'async', message: ProducedMessage): Promise<BridgeReply> =>
    new Promise((resolve) => {
      const seq = b.next++;
      b.pending.set(seq, resolve);
      (b.channel as unknown as { ref(): void }).ref();
      b.channel.postMessage({ kind: 'produce', id: `${threadId}:${seq}`, mode, message });
    });
  const fail = (reply: BridgeReply): never => {
    // the cause is rebuilt: a producer error stays a DecanterError with its code (QUEUE_FULL, …)
    throw new ProducerUnavailableError(reply.error?.message ?? 'produce failed', reply.error === undefined ? {} : { cause: reviveError(reply.error) });
  };
  return {
    async produceSync(message) {
      const reply = await call('sync', message);
      if (!reply.ok || reply.report === undefined) return fail(reply);
      return reply.report;
    },
    async produceAsync(message) {
      const reply = await call('async', message);
      if (!reply.ok) fail(reply);
    },
  };
}

/** Carries a consumer's transaction to the main thread over the producer bridge (null channel: none). */
function transactorFor(channelName: string | null): Transactor | undefined {
  if (channelName === null) return undefined;
  producerFor(channelName); // opens the channel
  const b = bridge!;
  return (intent) =>
    new Promise<void>((resolve, reject) => {
      const seq = b.next++;
      b.pending.set(seq, (reply) => {
        if (reply.ok) resolve();
        else {
          const error = reply.error;
          // by code, not class name: the main thread's errors arrive as data (serialized-error.ts)
          // the main thread's runTransaction already wraps a producer failure in TRANSACTION_FAILED
          // (with the producer's error as cause): pass that on as is rather than wrap it twice
          const revived = error === undefined ? undefined : reviveError(error);
          const failure =
            error?.code === 'PARTITION_REVOKED'
              ? new PartitionRevokedError(error.message, error.context === undefined ? {} : { context: error.context })
              : revived !== undefined && error?.consumer === true && error.code === 'TRANSACTION_FAILED'
                ? revived
                : new TransactionFailedError(error?.message ?? 'transaction failed', revived === undefined ? {} : { cause: revived });
          reject(failure);
        }
      });
      (b.channel as unknown as { ref(): void }).ref();
      b.channel.postMessage({ kind: 'transaction', id: `${threadId}:${seq}`, intent });
    });
}

/** What one job left behind: the requests its consume() made, and what it threw (null when it returned). */
export interface JobOutcome {
  requests: ConsumerRequests;
  failure: { thrown: unknown } | null;
}

/**
 * Runs one job on `instance`: builds `this.messages`, calls consume(), and marks the last message
 * when it returns (unless offsets are managed manually or it asked for a pause). Also used
 * in-process by the testing kit (src/testing), so tests run exactly what production runs.
 */
export async function runJob(
  instance: Consumer,
  job: Pick<ConsumeTask, 'topic' | 'partition' | 'consumerGroup' | 'manualOffsetManagement' | 'readyAt' | 'attempt' | 'hook' | 'lease' | 'details'>,
  unpacked: readonly UnpackedMessage[] | PackedMessages,
  deserializer: Deserializer,
  startedAt: number,
): Promise<JobOutcome> {
  const count = unpacked instanceof PackedMessages ? unpacked.count : unpacked.length;
  const at = (i: number): { offset: number; timestamp: number } | undefined =>
    i < 0 || i >= count ? undefined : unpacked instanceof PackedMessages ? { offset: unpacked.offset(i), timestamp: unpacked.timestamp(i) } : unpacked[i];
  const first = at(0);
  const last = at(count - 1);
  const metadata = Object.freeze({
    topic: job.topic,
    partition: job.partition,
    consumerGroup: job.consumerGroup,
    size: count,
    firstOffset: first?.offset ?? -1,
    lastOffset: last?.offset ?? -1,
    readyAt: job.readyAt,
    startedAt,
    consumptionLag: last === undefined ? 0 : Math.max(0, startedAt - last.timestamp),
    processingLag: Math.max(0, startedAt - job.readyAt),
    ...job.details,
  });
  // this.messages is built on first use (lazy: key, value and headers are read from the packed
  // buffer only when a consumer asks for them, and the Message objects only when it reads the batch)
  const build = (): Messages => {
    let list: Message[];
    if (unpacked instanceof PackedMessages) {
      list = new Array<Message>(count);
      for (let i = 0; i < count; i++) list[i] = new Message(job.topic, job.partition, unpacked, deserializer, i);
    } else {
      list = unpacked.map((m) => new Message(job.topic, job.partition, m, deserializer));
    }
    return Object.assign(list, { metadata }) as unknown as Messages;
  };
  const requests = beginJob(instance, build, metadata, job.attempt ?? 1, job.lease);
  let failure: JobOutcome['failure'] = null;
  try {
    const hook = job.hook ?? 'consume';
    await (hook === 'consume' ? instance.consume() : hook === 'eofed' ? instance.eofed() : instance.tick());
    if (!job.manualOffsetManagement && last !== undefined && requests.pause === null && (requests.seek ?? null) === null && requests.transactional !== true) {
      requests.markedOffset = Math.max(requests.markedOffset ?? 0, last.offset + 1);
    }
  } catch (thrown) {
    failure = { thrown };
  } finally {
    endJob(instance);
  }
  return { requests, failure };
}

/** The consumer instance of a task's key, bound to its partition and the producer bridge. */
function createInstance(Klass: new () => Consumer, task: ConsumeTask): Consumer {
  const instance = new Klass();
  attachConsumer(
    instance,
    { topic: task.topic, partition: task.partition, consumerGroup: task.consumerGroup },
    producerFor(task.producerChannel),
    transactorFor(task.producerChannel),
  );
  instances.set(task.key, instance);
  return instance;
}

async function consume(task: ConsumeTask): Promise<ConsumeResult> {
  const startedAt = now();
  let instance = instances.get(task.key);
  if (instance === undefined) {
    const Klass = await importConsumerClass(task.consumer);
    // another job of this key may have made the instance while this one waited for the import
    instance = instances.get(task.key) ?? createInstance(Klass, task);
  }
  const deserializer = await importDeserializer(task.deserializer);
  const { requests, failure } = await runJob(instance, task, new PackedMessages(task.packed), deserializer, startedAt);
  const error = failure === null ? null : serializeError(failure.thrown);
  return {
    startedAt,
    finishedAt: now(),
    threadId,
    markedOffset: requests.markedOffset,
    pause: requests.pause,
    seek: requests.seek ?? null,
    resume: requests.resume === true,
    error,
  };
}

async function lifecycle(task: LifecycleTask): Promise<LifecycleResult> {
  const errors: LifecycleResult['errors'] = [];
  const keys = task.keys ?? [...instances.keys()];
  for (const key of keys) {
    const instance = instances.get(key);
    if (instance === undefined) continue;
    instances.delete(key);
    try {
      await (task.kind === 'revoked' ? instance.revoked() : instance.shutdown());
    } catch (error) {
      errors.push({ key, error: serializeError(error) });
    }
  }
  return { errors };
}

async function validate(task: ValidateTask): Promise<ValidateResult> {
  const problems: ValidateResult['problems'] = [];
  for (const ref of task.references) {
    try {
      await importConsumerClass(ref);
    } catch (error) {
      problems.push({ routePath: ref.routePath, rule: serializeError(error).message, value: `${ref.module}#${ref.export}` });
    }
  }
  return { problems };
}

export default async function handle(task: WorkerTask): Promise<ConsumeResult | LifecycleResult | ValidateResult> {
  switch (task.kind) {
    case 'consume':
      return consume(task);
    case 'revoked':
    case 'shutdown':
      return lifecycle(task);
    case 'validate':
      return validate(task);
  }
}
