// Integration tests that kill or restart an app run it as its own process: `decanter server
// <app file>` (the consumer-core CLI), and read what its consumers wrote as JSON lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { brokers } from './brokers';
import { waitUntil } from './wait-until';

export interface ServerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs `node <cli> server <app>` with KAFKA_BROKERS and `env`; resolves once it prints that it runs. */
export async function startDecanterServer(cli: string, app: string, env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [cli, 'server', app], {
    env: { ...process.env, KAFKA_BROKERS: brokers().join(','), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  await waitUntil(
    'the server process to be running',
    () => {
      if (gone) throw new Error(`server exited early:\n${output}`);
      return output.includes('decanter: running');
    },
    { timeoutMs: 30_000 },
  );
  return { child, output: () => output, exited };
}

/** The JSON lines of `file`, in the order they were written ([] when it does not exist yet). */
export function readJsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as T);
}
