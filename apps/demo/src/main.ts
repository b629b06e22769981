// `pnpm --filter @decanter/demo start` (what ./scripts/demo runs): the Decanter demo against the
// broker in KAFKA_BROKERS (default 127.0.0.1:9092). Exits 0 when every check passed, 1 otherwise.
// DEMO_ORDERS (default 120), DEMO_PARTITIONS (3), DEMO_WAVES (4), DEMO_TIMEOUT_MS (30000) tune it;
// DEMO_SUMMARY_FILE, when set, receives the outcome as JSON (the integration test reads it).
import { writeFileSync } from 'node:fs';
import { runDemo } from './demo';

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be an integer >= 1 (got ${raw})`);
  return value;
}

async function main(): Promise<number> {
  const outcome = await runDemo({
    brokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((b) => b.trim()),
    orders: positiveInteger('DEMO_ORDERS', positiveInteger('DEMO_MESSAGES', 120)),
    partitions: positiveInteger('DEMO_PARTITIONS', 3),
    waves: positiveInteger('DEMO_WAVES', 4),
    timeoutMs: positiveInteger('DEMO_TIMEOUT_MS', 30_000),
    print: (line) => console.log(line),
  });
  const summaryFile = process.env['DEMO_SUMMARY_FILE'];
  if (summaryFile !== undefined && summaryFile !== '') writeFileSync(summaryFile, JSON.stringify(outcome, null, 2));
  return outcome.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
