// Claim: the demo, run exactly as ./scripts/demo runs it (`node apps/demo/dist/main.js`, so the
// consumer class is loaded by worker threads from dist/), produces its orders through
// @decanter/producer, consumes every one of them once through the App on both worker threads,
// receipts them with the right revenue, commits the end of every partition, and exits 0.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokers } from '@decanter/test-helpers';
import type { DemoOutcome } from '../../src/demo';

const main = join(__dirname, '..', '..', 'dist', 'main.js');

function runDemo(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, KAFKA_BROKERS: brokers().join(','), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 75_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test('the demo consumes, receipts and commits every order and exits 0', async () => {
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (pnpm build)`);
  const dir = mkdtempSync(join(tmpdir(), 'decanter-demo-'));
  const summaryFile = join(dir, 'summary.json');
  try {
    const { code, output } = await runDemo({ DEMO_ORDERS: '90', DEMO_WAVES: '3', DEMO_SUMMARY_FILE: summaryFile });
    expect({ code, tail: output.split('\n').slice(-8).join('\n') }).toMatchObject({ code: 0 });
    expect(output).toContain('Demo OK');
    expect(output).toMatch(
      /batch +demo-orders-\w+-\d+ offsets \d+\.\.\d+ \(\d+ orders?\) on thread \d+: consumption latency [\d.]+ ms/,
    );

    const outcome = JSON.parse(readFileSync(summaryFile, 'utf8')) as DemoOutcome;
    expect(outcome.problems).toEqual([]);
    expect(outcome).toMatchObject({ ok: true, produced: 90, consumed: 90, receiptedOrders: 90, rejectedOrders: 0 });
    expect(outcome.receiptedRevenueCents).toBe(outcome.producedRevenueCents);
    expect(outcome.receipts).toBe(outcome.batches);
    expect(outcome.threads).toHaveLength(2);
    expect(outcome.maxBatchNo).toBeGreaterThan(1);
    expect(Object.values(outcome.partitionEnds).reduce((s, n) => s + n, 0)).toBe(90);
    expect(outcome.committed).toEqual(outcome.partitionEnds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
