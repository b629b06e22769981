// Claim: installed from its tarball into an empty npm project, `decanter server` imports app files
// and consumer modules of every kind a user writes, and they consume from the real broker: a
// CommonJS app, an ES module app with top-level await whose consumer is given as a file: URL
// (import.meta.url), TypeScript apps and consumers — CommonJS and ES modules — under tsx and under
// ts-node. And a TypeScript 7 in the project does not break it: ts-node is not used with it, the
// message names tsx, and with tsx added the same app runs (issue 15: "Cannot read properties of
// undefined (reading 'fileExists')", "install ts-node", ESM .ts consumers as CONFIGURATION_INVALID,
// file: URLs refused with a hint to use __dirname, top-level await failing under require()).
// One project holds every case but TypeScript 7 (npm installs are the slow part).
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { brokers, createTopic, deleteTopics, disconnectSharedAdmin, uniqueTopicName } from '@decanter/test-helpers';
import { serve } from './lib/served-app';
import { emptyProject, run } from './lib/tarball-project';

const consumerBody = `
    for (const message of this.messages) console.log(\`consumed \${message.payload.label} \${message.payload.n}\`);`;

// settings every app reads from the environment the test gives it
const kafkaJs = `{
    'bootstrap.servers': process.env.KAFKA_BROKERS,
    'group.id': process.env.GROUP,
    'fetch.wait.max.ms': 50,
    'statistics.interval.ms': 0,
  }`;

const files: Record<string, string> = {
  // CommonJS: module.exports, join(__dirname, …)
  'cjs/app.js': `const { join } = require('node:path');
const { App } = require('@decanter/consumer-core');
module.exports = new App({
  kafka: ${kafkaJs},
  concurrency: 1,
  routes: [{ topics: [{ topic: process.env.TOPIC, consumer: { module: join(__dirname, 'orders-consumer'), export: 'OrdersConsumer' } }] }],
});
`,
  'cjs/orders-consumer.js': `const { Consumer } = require('@decanter/consumer-core');
class OrdersConsumer extends Consumer {
  async consume() {${consumerBody}
  }
}
module.exports = { OrdersConsumer };
`,
  // an ES module: top-level await, the consumer as a URL object from import.meta.url
  'esm/app.mjs': `import { setTimeout as delay } from 'node:timers/promises';
import { App } from '@decanter/consumer-core';
const topic = await delay(10, process.env.TOPIC);
export default new App({
  kafka: ${kafkaJs},
  concurrency: 1,
  routes: [{ topics: [{ topic, consumer: { module: new URL('./orders-consumer.mjs', import.meta.url), export: 'OrdersConsumer' } }] }],
});
`,
  'esm/orders-consumer.mjs': `import { Consumer } from '@decanter/consumer-core';
export class OrdersConsumer extends Consumer {
  async consume() {${consumerBody}
  }
}
`,
  // CommonJS TypeScript: typed code, export default of the App and of the consumer class
  'ts-cjs/app.ts': `import { join } from 'node:path';
import { App, type AppOptions } from '@decanter/consumer-core';
const options: AppOptions = {
  kafka: ${kafkaJs} as AppOptions['kafka'],
  concurrency: 1,
  routes: [{ topics: [{ topic: process.env.TOPIC as string, consumer: { module: join(__dirname, 'orders-consumer') } }] }],
};
export default new App(options);
`,
  'ts-cjs/orders-consumer.ts': `import { Consumer } from '@decanter/consumer-core';
interface Order { n: number; label: string }
export default class OrdersConsumer extends Consumer<Order> {
  override async consume(): Promise<void> {${consumerBody}
  }
}
`,
  // ES module TypeScript ("type": "module"): top-level await, the consumer as a file: URL string
  'ts-esm/package.json': '{ "type": "module" }\n',
  'ts-esm/app.ts': `import { App } from '@decanter/consumer-core';
const topic: string = await Promise.resolve(process.env.TOPIC as string);
export const app = new App({
  kafka: ${kafkaJs} as ConstructorParameters<typeof App>[0]['kafka'],
  concurrency: 1,
  routes: [{ topics: [{ topic, consumer: { module: new URL('./orders-consumer.ts', import.meta.url).href, export: 'OrdersConsumer' } }] }],
});
`,
  'ts-esm/orders-consumer.ts': `import { Consumer } from '@decanter/consumer-core';
type Order = { n: number; label: string };
export class OrdersConsumer extends Consumer<Order> {
  override async consume(): Promise<void> {${consumerBody}
  }
}
`,
};

let project: string;
let producer: Producer;
const topics: string[] = [];

beforeAll(async () => {
  [project] = await Promise.all([
    emptyProject({
      name: 'app-loading',
      packages: ['@decanter/consumer-core'],
      dependencies: { tsx: '^4', 'ts-node': '10.9.2', typescript: '5.9.3' },
      files,
    }),
    (async () => {
      producer = new Kafka({ clientId: 'packaging-tests', brokers: brokers(), logLevel: logLevel.NOTHING }).producer();
      await producer.connect();
    })(),
  ]);
}, 300_000);

afterAll(async () => {
  await producer?.disconnect();
  await deleteTopics(topics);
  await disconnectSharedAdmin();
});

/** Runs `decanter server <app>` in `dir`, produces 3 messages once it runs, waits for each to be consumed, stops it with SIGTERM. */
async function serveAndConsume(dir: string, app: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const topic = await createTopic(`loading-${app.replace(/\W/g, '-')}`);
  topics.push(topic);
  const label = `${app}${env.DECANTER_TS_LOADER === undefined ? '' : `@${env.DECANTER_TS_LOADER}`}`;
  const server = serve(dir, process.execPath, ['node_modules/@decanter/consumer-core/dist/cli.js', 'server', app], {
    KAFKA_BROKERS: brokers().join(','),
    TOPIC: topic,
    GROUP: uniqueTopicName('loading-group'),
    ...env,
  });
  await server.waitFor(`${label} to run`, (output) => output.includes('decanter: running'));
  await producer.send({ topic, acks: -1, messages: [0, 1, 2].map((n) => ({ value: JSON.stringify({ n, label }) })) });
  await server.waitFor(`${label} to consume 3 messages`, (output) => [0, 1, 2].every((n) => output.includes(`consumed ${label} ${n}`)));
  const exit = await server.stop('SIGTERM');
  expect({ app: label, exit, output: exit.code === 0 ? '' : server.output() }).toEqual({ app: label, exit: { code: 0, signal: null }, output: '' });
  return server.output();
}

test('a CommonJS app (module.exports) with a CommonJS consumer', async () => {
  await serveAndConsume(project, 'cjs/app.js');
});

test('an ES module app with top-level await, its consumer given as a file: URL (new URL(…, import.meta.url))', async () => {
  await serveAndConsume(project, 'esm/app.mjs');
});

test('a CommonJS TypeScript app and consumer under tsx (installed beside ts-node: tsx is preferred)', async () => {
  await serveAndConsume(project, 'ts-cjs/app.ts');
});

test('a CommonJS TypeScript app and consumer under ts-node (DECANTER_TS_LOADER=ts-node)', async () => {
  await serveAndConsume(project, 'ts-cjs/app.ts', { DECANTER_TS_LOADER: 'ts-node' });
});

test('an ES module TypeScript app ("type": "module", top-level await) and consumer under tsx: the consumer is no CONFIGURATION_INVALID', async () => {
  const output = await serveAndConsume(project, 'ts-esm/app.ts');
  expect(output).not.toContain('CONFIGURATION_INVALID');
});

test('the same ES module TypeScript app under ts-node', async () => {
  await serveAndConsume(project, 'ts-esm/app.ts', { DECANTER_TS_LOADER: 'ts-node' });
});

describe('TypeScript 7 in the project (what `npm i -D typescript` installs today) with ts-node', () => {
  let ts7: string;
  beforeAll(async () => {
    ts7 = await emptyProject({
      name: 'app-loading-ts7',
      packages: ['@decanter/consumer-core'],
      dependencies: { typescript: '^7', 'ts-node': '10.9.2' },
      files: { 'app.ts': files['ts-cjs/app.ts']!, 'orders-consumer.ts': files['ts-cjs/orders-consumer.ts']! },
    });
  }, 300_000);

  test('without tsx: not the ts-node crash but a message naming tsx and the TypeScript pin (or, where Node strips types, it runs)', async () => {
    const strips = await run(ts7, process.execPath, ['-p', 'Boolean(process.features.typescript)']);
    if (strips.stdout.trim() === 'true') {
      await serveAndConsume(ts7, 'app.ts');
      return;
    }
    const result = await run(ts7, process.execPath, ['node_modules/@decanter/consumer-core/dist/cli.js', 'server', 'app.ts'], { timeoutMs: 60_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('fileExists');
    expect(result.stderr).toMatch(/decanter: cannot load app\.ts: \S+app\.ts is TypeScript, and ts-node cannot run it with TypeScript 7\.\d+\.\d+ \(\S+\): ts-node 10 works only with TypeScript below 7\./);
    expect(result.stderr).toContain("add tsx to the project's devDependencies");
    expect(result.stderr).toContain('Pin typescript to 5.9 or 6.0 for ts-node');
  });

  test('with tsx added, the same app runs and consumes', async () => {
    const install = await run(ts7, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', '--save-dev', 'tsx@^4'], { timeoutMs: 300_000 });
    expect({ code: install.code, stderr: install.code === 0 ? '' : install.stderr }).toEqual({ code: 0, stderr: '' });
    await serveAndConsume(ts7, 'app.ts');
  });
});
