// The CPU-bound unit of work of the consumer-throughput benchmark: one SHA-256 digest per message
// over the message value followed by `rounds` KiB of filler. The SAME function runs in the
// framework's worker threads (CpuConsumer) and on raw KafkaJS's main thread, so the two runs do
// equal work. `rounds` is calibrated once per run in the main thread (≈50 µs per message) and
// handed to the workers through BENCH_CPU_ROUNDS, which worker threads inherit with the environment.
//
// Why one hash context per message, fed many blocks, rather than a chain of small digests: every
// `createHash` goes through OpenSSL 3's algorithm fetch, which takes a process-wide lock, and leaves
// a native object for the GC to finalise. A chain of ~50 digests per message measured ~140 µs per
// message in steady state (against ~50 µs when calibrated in short bursts) and reached only
// 1.36–1.52x on two threads with no Kafka at all: the benchmark measured lock contention and
// finaliser churn, not CPU. One context per message scales 1.8x on the same two cores.
import { createHash } from 'node:crypto';

const EMPTY = Buffer.alloc(0);
const FILLER = Buffer.alloc(1024, 0x5a);

/** Digests `value` then `rounds` KiB of filler with one SHA-256 context; returns one byte so the work cannot be skipped. */
export function cpuWork(value: Buffer | null, rounds: number): number {
  const hash = createHash('sha256').update(value ?? EMPTY);
  for (let i = 0; i < rounds; i += 1) hash.update(FILLER);
  return hash.digest()[0] ?? 0;
}

/** The calibrated round count, as the benchmark published it to this thread's environment. */
export function cpuRoundsFromEnv(): number {
  const rounds = Number(process.env['BENCH_CPU_ROUNDS']);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`BENCH_CPU_ROUNDS must be an integer >= 1 (got ${process.env['BENCH_CPU_ROUNDS']})`);
  return rounds;
}

/**
 * Finds the round count that costs about `targetUs` µs per message on this machine: warms up, then
 * times batches of messages the way consumers hash them, long enough to include the steady-state
 * cost (GC included), and keeps the fastest of several trials (the uncontended cost — on a shared
 * machine the median drifts with whatever else runs).
 */
export function calibrateCpuRounds(targetUs: number): { rounds: number; usPerMessage: number } {
  const sample = Buffer.alloc(100, 'x');
  const probeRounds = 20;
  const messages = 2_000;
  for (let i = 0; i < messages; i += 1) cpuWork(sample, probeRounds);
  let best = Number.POSITIVE_INFINITY;
  for (let trial = 0; trial < 7; trial += 1) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < messages; i += 1) cpuWork(sample, probeRounds);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1_000 / messages / probeRounds);
  }
  const rounds = Math.max(1, Math.round(targetUs / best));
  return { rounds, usPerMessage: rounds * best };
}
