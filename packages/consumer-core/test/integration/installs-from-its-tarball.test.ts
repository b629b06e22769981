// Claim: @decanter/producer and @decanter/consumer-core work when installed on their own, the way
// users get them: packed by pnpm (workspace: ranges rewritten), installed by npm into an empty
// project with their dependencies from the registry, then used from plain JavaScript — one
// error hierarchy across both (including the ./errors subpath), a Producer producing and an App
// whose worker threads load a consumer file of that project, against the real broker; and from
// TypeScript, under both module resolutions, where consumer-core's error codes join the
// producer's registry and a misspelt code does not compile.
// Nothing here reaches into the monorepo: a broken "exports", "files" or worker entry path
// fails this test and no other.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { brokers, createTopic, deleteTopics, disconnectSharedAdmin } from '@decanter/test-helpers';

const root = resolve(__dirname, '../../../..');
const topics: string[] = [];
let project = '';

afterAll(async () => {
  await deleteTopics(topics);
  await disconnectSharedAdmin();
  if (project !== '') rmSync(project, { recursive: true, force: true });
});

function pnpm(): string {
  const local = join(root, '.tools/node_modules/.bin/pnpm');
  return existsSync(local) ? local : 'pnpm';
}

test('both packages install from their tarballs and produce and consume on their own', async () => {
  project = mkdtempSync(join(tmpdir(), 'decanter-install-'));
  for (const pkg of ['producer', 'consumer-core']) {
    execFileSync(pnpm(), ['pack', '--pack-destination', project], { cwd: join(root, 'packages', pkg), stdio: 'pipe' });
  }
  const tarballs = readdirSync(project).filter((f) => f.endsWith('.tgz'));
  expect(tarballs.sort()).toEqual([expect.stringMatching(/^decanter-consumer-core-.*\.tgz$/), expect.stringMatching(/^decanter-producer-.*\.tgz$/)]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'decanter-install-check', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs.map((t) => `./${t}`)], {
    cwd: project,
    stdio: 'pipe',
  });

  const topic = await createTopic('install-check', { partitions: 2 });
  topics.push(topic);
  writeFileSync(
    join(project, 'counting-consumer.js'),
    `const { Consumer } = require('@decanter/consumer-core');
const { appendFileSync } = require('node:fs');
class CountingConsumer extends Consumer {
  consume() {
    for (const m of this.messages) appendFileSync(process.env.INSTALL_CHECK_OUT, m.payload.n + '\\n');
  }
}
module.exports = { CountingConsumer };
`,
  );
  writeFileSync(
    join(project, 'check.js'),
    `const { Producer, hasErrorCode } = require('@decanter/producer');
const { DecanterError } = require('@decanter/producer/errors');
const { App, isDecanterError, isDecanterConsumerError } = require('@decanter/consumer-core');
const { readFileSync, existsSync } = require('node:fs');
const [brokers, topic, out] = process.argv.slice(2);
(async () => {
  const result = {};
  try { new App({ kafka: { 'bootstrap.servers': brokers, 'group.id': 'g', 'no.such.key': 1 }, routes: [] }); } catch (e) {
    result.appError = { code: e.code, decanter: isDecanterError(e), consumer: isDecanterConsumerError(e), base: e instanceof DecanterError };
  }
  try { new Producer({ kafka: { 'bootstrap.servers': brokers, 'batch.size': -1 } }); } catch (e) {
    result.producerError = { code: e.code, decanter: isDecanterError(e), consumer: isDecanterConsumerError(e), coded: hasErrorCode(e, 'CONFIGURATION_INVALID') };
  }
  const producer = new Producer({ kafka: { 'bootstrap.servers': brokers } });
  for (let n = 0; n < 20; n += 1) await producer.produceSync({ topic, key: String(n), payload: JSON.stringify({ n }) });
  await producer.close();
  process.env.INSTALL_CHECK_OUT = out;
  const app = new App({
    concurrency: 2,
    maxWaitTimeMs: 200,
    kafka: { 'bootstrap.servers': brokers, 'group.id': topic + '-group', 'auto.offset.reset': 'earliest' },
    routes: [{ topics: [{ topic, consumer: { module: require.resolve('./counting-consumer.js'), export: 'CountingConsumer' } }] }],
  });
  await app.start();
  const deadline = Date.now() + 30000;
  const seen = () => (existsSync(out) ? readFileSync(out, 'utf8').trim().split('\\n').filter(Boolean).length : 0);
  while (seen() < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await app.stop();
  result.consumed = seen();
  console.log(JSON.stringify(result));
})().catch((e) => { console.error(e); process.exit(1); });
`,
  );
  writeFileSync(
    join(project, 'types-check.ts'),
    `import { hasErrorCode, type DecanterErrorCode } from '@decanter/consumer-core';
import { Producer } from '@decanter/producer';
import { isDecanterError } from '@decanter/producer/errors';
declare const e: unknown;
export const consumerCode: boolean = hasErrorCode(e, 'CONSUME_FAILED');
export const producerCode: boolean = hasErrorCode(e, 'QUEUE_FULL');
export const code: DecanterErrorCode = 'WORKER_FAILED';
// @ts-expect-error -- a misspelt code must not compile
export const misspelt: boolean = hasErrorCode(e, 'CONSUME_FAIL');
export const either = [Producer, isDecanterError];
`,
  );
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  for (const [module, resolution] of [['node16', 'node16'], ['commonjs', 'node10']] as const) {
    const args = [tsc, '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', module, '--moduleResolution', resolution];
    // skipLibCheck: the temp project has no @types/node of its own; point at the monorepo's
    args.push('--typeRoots', join(root, 'node_modules/@types'), '--types', 'node', 'types-check.ts');
    try {
      execFileSync(process.execPath, args, { cwd: project, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      throw new Error(`types-check.ts does not compile with moduleResolution ${resolution}:\n${(error as { stdout?: string }).stdout ?? String(error)}`);
    }
  }

  const output = execFileSync(process.execPath, ['check.js', brokers().join(','), topic, join(project, 'consumed.txt')], { cwd: project, encoding: 'utf8' });
  const result = JSON.parse(output.trim().split('\n').pop()!) as Record<string, unknown>;
  expect(result).toEqual({
    appError: { code: 'CONFIGURATION_INVALID', decanter: true, consumer: true, base: true },
    producerError: { code: 'CONFIGURATION_INVALID', decanter: true, consumer: false, coded: true },
    consumed: 20,
  });
}, 180_000);
