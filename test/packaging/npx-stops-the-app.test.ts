// Claim: `npx decanter server app.js` stops gracefully when npx is sent SIGTERM, although npm does
// not pass the signal on (npm hands it to the `sh -c` it runs the bin with, and sh dies without
// passing it on: the app would keep running as an orphan). The CLI warns that it runs under npx,
// notices npm going away (launcher-watch.ts) and stops as a SIGTERM would have made it.
import { spawn } from 'node:child_process';
import { brokers, createTopic, deleteTopics, disconnectSharedAdmin, waitUntil } from '@decanter/test-helpers';
import { childEnv, emptyProject } from './lib/tarball-project';

const app = `const path = require('node:path');
const { App } = require('@decanter/consumer-core');
module.exports = new App({
  kafka: { 'bootstrap.servers': process.env.KAFKA_BROKERS, 'group.id': process.env.GROUP, 'statistics.interval.ms': 0 },
  shutdownTimeoutMs: 5000,
  routes: [{ topics: [{ topic: process.env.TOPIC, consumer: { module: path.join(__dirname, 'idle-consumer.js'), export: 'IdleConsumer' } }] }],
});
`;
const consumer = `const { Consumer } = require('@decanter/consumer-core');
exports.IdleConsumer = class IdleConsumer extends Consumer { async consume() {} };
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let project: string;
const topics: string[] = [];
// the shared admin createTopic connected stays open otherwise, and keeps Jest from exiting
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectSharedAdmin();
});
beforeAll(async () => {
  project = await emptyProject({ name: 'npx-signals', packages: ['@decanter/consumer-core'], files: { 'app.js': app, 'idle-consumer.js': consumer } });
}, 300_000);

test('SIGTERM to npx: the app says npx does not pass it on, sees npm exit, and stops gracefully', async () => {
  const topic = await createTopic('npx-signals');
  topics.push(topic);
  const env = childEnv({ KAFKA_BROKERS: brokers().join(','), GROUP: `npx-signals-${Date.now()}`, TOPIC: topic });
  const npx = spawn('npx', ['--no-install', 'decanter', 'server', 'app.js'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  npx.stdout.on('data', (d: Buffer) => (output += d.toString()));
  npx.stderr.on('data', (d: Buffer) => (output += d.toString()));
  let appPid = 0;
  try {
    await waitUntil('the app runs', () => {
      const running = /decanter: running \(pid (\d+)\)/.exec(output);
      if (running) appPid = Number(running[1]);
      return appPid > 0;
    }, { timeoutMs: 90_000, intervalMs: 50 });
    expect(output).toContain('started by npx/npm exec, which does not pass SIGTERM on to the app');
    npx.kill('SIGTERM');
    // the app writes into the pipes it inherited through npm, after npm is gone
    await waitUntil('the app stops', () => !alive(appPid), { timeoutMs: 30_000, intervalMs: 100 });
    expect(output).toMatch(/the process that started this one \(pid \d+\) exited without passing on its signal/);
    expect(output).toContain('decanter: SIGTERM received, stopping');
    expect(output).toContain('decanter: stopped');
  } finally {
    if (appPid > 0 && alive(appPid)) process.kill(appPid, 'SIGKILL');
    npx.kill('SIGKILL');
  }
}, 150_000);
