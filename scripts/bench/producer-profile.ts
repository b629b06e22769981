// pnpm bench producer-profile: where a produced message's CPU goes (issue 17). The
// producer-throughput workload (100-byte messages, acks 1, linger 5, 6 partitions, async produce)
// runs under V8's sampling CPU profiler (node:inspector, in this process) once per record
// encoder, and each profile's self time is summed by where the code lives: Decanter's encoder,
// Decanter's produce path (admission, batching, dispatch, reports), KafkaJS's connection and
// request layer, the bench's own loop, Node's runtime (sockets, streams, timers, promises),
// native code and the garbage collector. Figures are CPU µs per message by layer (the process's
// CPU time over the window, split by the profile's shares) and the functions with the most self
// time. Profiling slows the run a little (a sample every 100 µs), alike for both encoders.
//   BENCH_SECONDS (default 6 per encoder), BENCH_PARTITIONS (6), BENCH_TOP (12 functions).
import { Session, type Profiler } from 'node:inspector';
import { Producer } from '@decanter/producer';
import { benchBrokers, envNumber, printResult, progress, round, type Figure } from './lib/stats';
import { withTopics } from './lib/topics';

const SECONDS = envNumber('BENCH_SECONDS', 6);
const PARTITIONS = envNumber('BENCH_PARTITIONS', 6);
const TOP = envNumber('BENCH_TOP', 12);
const payload = Buffer.alloc(100, 'x');

/** Where a function lives, from its script URL (dist/ or src/ alike). */
function layerOf(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(program)' || url === '') return 'native';
  if (url.startsWith('node:')) return 'node_runtime';
  if (url.includes('/kafkajs/')) return 'kafkajs';
  if (url.includes('/packages/producer/')) return url.includes('/encoding/') ? 'decanter_encoder' : 'decanter_produce_path';
  if (url.includes('/scripts/bench/')) return 'bench_loop';
  return 'other';
}

interface Profiled {
  messages: number;
  cpuUsPerMsg: number;
  layers: Record<string, number>;
  top: { fn: string; at: string; share: number }[];
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T)));
  });
}

/** Until every queued message is acknowledged (or failed). */
async function settled(producer: Producer): Promise<void> {
  while (producer.queued > 0) await new Promise((resolve) => setTimeout(resolve, 1));
}

async function profiled(brokers: string[], topic: string, recordEncoder: 'kafkajs' | 'decanter'): Promise<Profiled> {
  const producer = new Producer({
    id: `bench-profile-${recordEncoder}`,
    recordEncoder,
    kafka: { 'bootstrap.servers': brokers.join(','), 'request.required.acks': 1, 'queue.buffering.max.ms': 5 },
  });
  let failures = 0;
  producer.on('error.occurred', (e) => {
    if (e.type === 'message.delivery') failures += 1;
  });
  await producer.connect();
  await producer.produceSync({ topic, payload }); // metadata warm-up
  // a short unprofiled warm-up, so the profile sees optimised code
  for (let i = 0; i < 50_000; i += 1) await producer.produceAsync({ topic, payload });
  await settled(producer);

  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
  await post(session, 'Profiler.start');
  const cpu = process.cpuUsage();
  const until = performance.now() + SECONDS * 1000;
  let messages = 0;
  while (performance.now() < until) {
    for (let i = 0; i < 256; i += 1) await producer.produceAsync({ topic, payload });
    messages += 256;
  }
  await settled(producer);
  const used = process.cpuUsage(cpu);
  const { profile } = await post<{ profile: Profiler.Profile }>(session, 'Profiler.stop');
  session.disconnect();
  await producer.close();
  if (failures > 0) throw new Error(`${failures} messages failed`);

  // self samples per node; '(idle)' is time the thread waited, not CPU
  const hits = new Map<number, number>();
  for (const id of profile.samples ?? []) hits.set(id, (hits.get(id) ?? 0) + 1);
  const layers = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const count = hits.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (count === 0 || functionName === '(idle)') continue;
    busy += count;
    const layer = layerOf(url, functionName);
    layers.set(layer, (layers.get(layer) ?? 0) + count);
    const at = url === '' ? '' : `${url.replace(/^.*\/(node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?|packages\/)/, '')}:${lineNumber + 1}`;
    const key = `${functionName || '(anonymous)'}\u0000${at}`;
    functions.set(key, (functions.get(key) ?? 0) + count);
  }
  const cpuUsPerMsg = (used.user + used.system) / messages;
  return {
    messages,
    cpuUsPerMsg,
    layers: Object.fromEntries([...layers].sort((a, b) => b[1] - a[1]).map(([layer, count]) => [layer, (count / busy) * cpuUsPerMsg])),
    top: [...functions]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([key, count]) => {
        const [fn, at] = key.split('\u0000') as [string, string];
        return { fn, at, share: count / busy };
      }),
  };
}

async function main(): Promise<void> {
  const brokers = benchBrokers();
  const result: Record<string, Figure> = { partitions: PARTITIONS, seconds_per_encoder: SECONDS };
  await withTopics(brokers, [{ prefix: 'profile-own', partitions: PARTITIONS }, { prefix: 'profile-kafkajs', partitions: PARTITIONS }], async ([own, kafkajs]) => {
    for (const [name, encoder, topic] of [['own_encoder', 'decanter', own], ['kafkajs_encoder', 'kafkajs', kafkajs]] as const) {
      progress(`profiling recordEncoder '${encoder}' for ${SECONDS} s…`);
      const p = await profiled(brokers, topic as string, encoder);
      progress(`  ${p.messages} messages, ${round(p.cpuUsPerMsg, 2)} µs CPU/msg`);
      for (const [layer, us] of Object.entries(p.layers)) progress(`  ${layer.padEnd(24)} ${round(us, 3)} µs/msg`);
      for (const f of p.top) progress(`  ${(round(f.share * 100, 1) + '%').padStart(6)}  ${f.fn}  ${f.at}`);
      result[`${name}_messages`] = p.messages;
      result[`${name}_cpu_us_per_msg`] = round(p.cpuUsPerMsg, 3);
      result[`${name}_us_per_msg_by_layer`] = Object.fromEntries(Object.entries(p.layers).map(([k, v]) => [k, round(v, 3)]));
      result[`${name}_top_functions`] = Object.fromEntries(p.top.map((f) => [`${f.fn} ${f.at}`, round(f.share, 4)]));
    }
  });
  printResult(result);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
