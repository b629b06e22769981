// The CPU-bound unit of work of the consumer-throughput benchmark: `rounds` chained SHA-256
// digests per message, started from the message value. The SAME function runs in the framework's
// worker threads (CpuConsumer) and on raw KafkaJS's main thread, so the two runs do equal work.
// `rounds` is calibrated once per run in the main thread (≈50 µs per message) and handed to the
// workers through BENCH_CPU_ROUNDS, which worker threads inherit with the environment.
import { createHash } from 'node:crypto';

const EMPTY = Buffer.alloc(0);

/** Hashes `value` `rounds` times (each round digests the previous digest); returns one byte so the work cannot be skipped. */
export function cpuWork(value: Buffer | null, rounds: number): number {
  let digest = createHash('sha256')
    .update(value ?? EMPTY)
    .digest();
  for (let i = 1; i < rounds; i += 1) digest = createHash('sha256').update(digest).digest();
  return digest[0] ?? 0;
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
 * times messages the way consumers hash them and keeps the fastest of several trials (the
 * uncontended cost — on a shared machine the median drifts with whatever else runs).
 */
export function calibrateCpuRounds(targetUs: number): { rounds: number; usPerMessage: number } {
  const sample = Buffer.alloc(100, 'x');
  const probeRounds = 10;
  const messages = 300;
  for (let i = 0; i < messages * 3; i += 1) cpuWork(sample, probeRounds);
  let best = Number.POSITIVE_INFINITY;
  for (let trial = 0; trial < 15; trial += 1) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < messages; i += 1) cpuWork(sample, probeRounds);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1_000 / messages / probeRounds);
  }
  const rounds = Math.max(1, Math.round(targetUs / best));
  return { rounds, usPerMessage: rounds * best };
}
