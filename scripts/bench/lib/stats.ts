// Shared benchmark helpers: percentiles over latency samples, peak RSS, and the one-JSON-object
// last line every benchmark ends with. Benchmarks print progress to stderr, figures to stdout.

/** The p-th percentile (0..100) of `samples` (nearest rank); NaN when empty. Sorts a copy. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  let sum = 0;
  let max = 0;
  for (const s of samples) {
    sum += s;
    if (s > max) max = s;
  }
  return {
    count: samples.length,
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p99: percentile(samples, 99),
    max,
    mean: samples.length === 0 ? Number.NaN : sum / samples.length,
  };
}

/** Rounds to `digits` decimals (for readable JSON). */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Samples process RSS every `everyMs` and remembers the peak (MB). Call stop() at the end. */
export class PeakRss {
  private peakBytes = process.memoryUsage.rss();
  private readonly timer: NodeJS.Timeout;
  constructor(everyMs = 100) {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }
  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peakBytes) this.peakBytes = rss;
  }
  /** Peak so far in MB; also reads the kernel's high-water mark when it knows better. */
  peakMb(): number {
    this.sample();
    const kernel = process.resourceUsage().maxRSS * 1024; // maxRSS is in KiB
    return round(Math.max(this.peakBytes, kernel) / (1024 * 1024), 1);
  }
  stop(): number {
    clearInterval(this.timer);
    return this.peakMb();
  }
}

/** Progress line on stderr (stdout is reserved for the final JSON). */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Prints the benchmark's figures as the last line of stdout. */
/** A figure: a number, a flag or a label, or an object of them (e.g. a rate per setting). */
export type Figure = number | string | boolean | null | { readonly [key: string]: Figure };

export function printResult(result: Record<string, Figure>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The broker list the bench runs against (scripts/bench-run exports KAFKA_BROKERS). */
export function benchBrokers(): string[] {
  return (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
}

/** A positive number from the environment variable `name`, or `fallback` when unset or empty. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (got ${raw})`);
  return value;
}

/** The environment variable `name`, which a benchmark's child process must be given. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}
