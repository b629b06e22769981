// Claim: a producer nobody closes does not keep the process alive once nothing is queued — a
// script that produces and forgets close() exits by itself, with code 0 — and keeps it alive
// while a message is queued or in flight, so a message produced without awaiting is still
// delivered before the process exits. Runs a plain .js script on the built dist/ in a child
// process (pnpm build first).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { brokers, topicMessageCount } from '@decanter/test-helpers';
import { cleanUp, readTopic, topic } from './support';

afterAll(cleanUp);

const script = join(__dirname, 'fixtures', 'forgets-close.js');
const dist = join(__dirname, '..', '..', 'dist', 'index.js');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the script; kills it (and fails) if it has not exited after `limitMs`. */
function run(t: string, mode: string, limitMs = 10_000): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const child = spawn(process.execPath, [script, brokers().join(','), t, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the script (mode ${mode}) was still running after ${limitMs} ms: the producer kept the process alive\n${stdout}${stderr}`));
    }, limitMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - start });
    });
  });
}

beforeAll(() => {
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run pnpm build before this test`);
});

it('exits by itself after an awaited produce, and the message is in the topic', async () => {
  const t = await topic('forgets-close-awaited');
  const exit = await run(t, 'awaited');
  expect(exit.stderr).toBe('');
  expect(exit.code).toBe(0);
  expect(exit.ms).toBeLessThan(5_000);
  expect(JSON.parse(exit.stdout)).toEqual({ topic: t, partition: 0, offset: '0' });
  expect(await topicMessageCount(t)).toBe(1);
});

it('stays alive until a message produced without awaiting is delivered, then exits', async () => {
  const t = await topic('forgets-close-unawaited');
  const exit = await run(t, 'unawaited');
  expect(exit.stderr).toBe('');
  expect(exit.code).toBe(0);
  const records = await readTopic(t, (r) => r.length >= 1);
  expect(records.map((r) => r.value)).toEqual(['unawaited']);
});

it('exits by itself when connected and idle', async () => {
  const t = await topic('forgets-close-connected');
  const exit = await run(t, 'connected');
  expect(exit.stderr).toBe('');
  expect([exit.code, exit.stdout]).toEqual([0, 'connected\n']);
  expect(exit.ms).toBeLessThan(5_000);
});
