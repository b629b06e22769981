// Claim: the root README's first example ("A taste") runs as written, following its "Write your
// own app" steps: an empty npm project set up by those steps (the @decanter packages from their
// packed tarballs instead of the registry), the example's files as the README shows them, and its
// commands — the producer script, then `npx decanter server app.ts` — against the real broker; the
// server consumes the produced order and Ctrl-C (SIGINT to the process group) stops it gracefully.
// Only the broker address, the topic and the group id are replaced (unique ones, so runs and other
// tests sharing the broker cannot meet); a README change the test cannot follow fails it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brokers, deleteTopics, disconnectSharedAdmin, uniqueTopicName } from '@decanter/test-helpers';
import { serve } from './lib/served-app';
import { emptyProject, run } from './lib/tarball-project';

const README = readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');

/** The fenced code blocks between `<!-- name:start -->` and `<!-- name:end -->`. */
function blocks(name: string): Array<{ lang: string; code: string }> {
  const section = new RegExp(`<!-- ${name}:start -->([\\s\\S]*?)<!-- ${name}:end -->`).exec(README);
  if (section === null) throw new Error(`README.md has no <!-- ${name}:start --> … <!-- ${name}:end --> section`);
  return [...section[1]!.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }));
}

/** Command lines of a bash block, without comments. */
const commands = (code: string): string[] =>
  code
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '');

// The example's files: each block starts with `// <file name>: …`.
const exampleFiles = blocks('example').map(({ code }) => {
  const name = /^\/\/ ([\w.-]+\.[cm]?[jt]s):/.exec(code)?.[1];
  if (name === undefined) throw new Error(`an example block does not start with "// <file>: …":\n${code}`);
  return { name, code };
});

/** What the steps block asks for, step by step; a step the test cannot follow fails it. */
function followSteps(): { type: 'module' | 'commonjs'; packages: string[]; dependencies: Record<string, string> } {
  const [steps] = blocks('steps');
  let type: 'module' | 'commonjs' = 'commonjs';
  const packages: string[] = [];
  const dependencies: Record<string, string> = {};
  for (const line of commands(steps!.code).flatMap((l) => l.split(/\s*&&\s*/))) {
    if (/^mkdir \S+$/.test(line) || /^cd \S+$/.test(line) || line === 'npm init -y') continue; // emptyProject makes the folder
    const set = /^npm pkg set type=(module|commonjs)$/.exec(line);
    if (set) {
      type = set[1] as typeof type;
      continue;
    }
    const install = /^npm install( --save-dev| -D)? (.+)$/.exec(line);
    if (install === null) throw new Error(`the test does not know how to follow the README step: ${line}`);
    for (const arg of install[2]!.split(/\s+/)) {
      // the @decanter packages come from the tarballs; others from the registry, as a user gets them
      const at = arg.lastIndexOf('@');
      const [name, range] = at > 0 ? [arg.slice(0, at), arg.slice(at + 1)] : [arg, 'latest'];
      if (name.startsWith('@decanter/')) packages.push(name);
      else dependencies[name] = range;
    }
  }
  return { type, packages, dependencies };
}

const topic = uniqueTopicName('readme-orders');
const group = uniqueTopicName('readme-shop');

/** The example as written, but for the broker, topic and group (each must be there to be replaced). */
function files(): Record<string, string> {
  const replacements: Array<[string, string]> = [
    ["'127.0.0.1:9092'", `'${brokers().join(',')}'`],
    ["'orders'", `'${topic}'`],
    ["'shop'", `'${group}'`],
  ];
  const all = exampleFiles.map((f) => f.code).join('\n');
  for (const [from] of replacements) expect({ inTheExample: from, found: all.includes(from) }).toEqual({ inTheExample: from, found: true });
  return Object.fromEntries(exampleFiles.map(({ name, code }) => [name, replacements.reduce((text, [from, to]) => text.split(from).join(to), code)]));
}

let project: string;

beforeAll(async () => {
  const steps = followSteps();
  expect(steps.packages.length).toBeGreaterThan(0);
  project = await emptyProject({ name: 'readme-example', ...steps, files: files() });
}, 300_000);

afterAll(async () => {
  await deleteTopics([topic]);
  await disconnectSharedAdmin();
});

test('the example files are the ones its commands run', () => {
  expect(exampleFiles.map((f) => f.name).sort()).toEqual(['app.ts', 'orders-consumer.ts', 'produce.ts']);
});

test("A taste runs as written: the producer script stores the order, `npx decanter server app.ts` consumes it, Ctrl-C stops it", async () => {
  const [runBlock] = blocks('run');
  const lines = commands(runBlock!.code);
  expect(lines).toEqual(['npx tsx produce.ts', 'npx decanter server app.ts']);
  const [producerCommand, serverCommand] = lines.map((line) => line.split(' ')) as [string[], string[]];

  const produced = await run(project, producerCommand[0]!, producerCommand.slice(1), { timeoutMs: 120_000 });
  expect({ code: produced.code, stderr: produced.stderr }).toEqual({ code: 0, stderr: '' });
  expect(produced.stdout.trim()).toMatch(new RegExp(`^stored at ${topic}/0@0$`));

  const server = serve(project, serverCommand[0]!, serverCommand.slice(1));
  await server.waitFor('the server to consume the order', (output) => output.includes('order 0: 42'), 90_000);
  // what a terminal's Ctrl-C does: SIGINT to the whole foreground process group (npx and its child)
  await server.stop('SIGINT');
  expect(server.output()).toContain('decanter: SIGINT received, stopping');
  expect(server.output()).toContain('decanter: stopped');
  expect(server.output()).not.toMatch(/error|failed/i);
});
