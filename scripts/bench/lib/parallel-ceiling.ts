// What `threads` cores of THIS machine give for the benchmark's CPU work with no Kafka at all: the
// same number of messages hashed by `cpuWork` on the main thread alone, then split across `threads`
// worker threads (each loading the same transpiled cpu-work module the consumers use). The ratio is
// the ceiling any consumer of this work can reach here — a shared VM's two vCPUs may give well
// under 2x — so `cpu_ratio` can be read against it.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { cpuWork } from '../consumers/cpu-work';
import { benchConsumerModule } from './consumer-modules';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { cpuWork } = require(workerData.module);
const value = Buffer.alloc(100, 'x');
parentPort.once('message', () => {
  for (let i = 0; i < workerData.messages; i += 1) cpuWork(value, workerData.rounds);
  parentPort.postMessage('done');
});
parentPort.postMessage('ready');
`;

export interface ParallelCeiling {
  /** Messages per second on the main thread alone. */
  oneThreadMsgsPerS: number;
  /** Messages per second across `threads` worker threads. */
  parallelMsgsPerS: number;
  speedup: number;
}

export async function measureParallelCeiling(rounds: number, threads: number, messages: number): Promise<ParallelCeiling> {
  const value = Buffer.alloc(100, 'x');
  let started = performance.now();
  for (let i = 0; i < messages; i += 1) cpuWork(value, rounds);
  const oneThreadMs = performance.now() - started;

  const module = benchConsumerModule('cpu-work');
  const share = Math.ceil(messages / threads);
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true, workerData: { module, rounds, messages: share } }));
  const next = (w: Worker): Promise<unknown> => new Promise((resolve, reject) => w.once('message', resolve).once('error', reject));
  // start the clock once every thread is up, so thread start-up is not counted against the cores
  await Promise.all(workers.map(next));
  started = performance.now();
  const done = workers.map(next);
  for (const w of workers) w.postMessage('go');
  await Promise.all(done);
  const parallelMs = performance.now() - started;
  await Promise.all(workers.map((w) => w.terminate()));
  const oneThreadMsgsPerS = Math.round((messages / oneThreadMs) * 1000);
  const parallelMsgsPerS = Math.round(((share * threads) / parallelMs) * 1000);
  return { oneThreadMsgsPerS, parallelMsgsPerS, speedup: parallelMsgsPerS / oneThreadMsgsPerS };
}
