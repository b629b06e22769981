// A `decanter server` (or any long-running command) started in a packaging test's project, in the
// background: its output as it comes, a wait for a line, and a stop by signal. Spawned in its own
// process group so a stop can reach every process of it, as a terminal's Ctrl-C does (npx does
// not pass a signal on to its child).
import { spawn } from 'node:child_process';
import { waitUntil } from '@decanter/test-helpers';
import { childEnv } from './tarball-project';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServedApp {
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  exited: Promise<Exit>;
  /** Waits until `predicate(output)` holds; fails early (with the output) when the process exits first. */
  waitFor(description: string, predicate: (output: string) => boolean, timeoutMs?: number): Promise<void>;
  /** Sends `signal` to the whole process group and waits for the exit (SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<Exit>;
}

export function serve(dir: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): ServedApp {
  const child = spawn(command, args, { cwd: dir, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    }),
  );
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  return {
    output: () => output,
    exited,
    async waitFor(description, predicate, timeoutMs = 60_000) {
      await waitUntil(
        description,
        () => {
          if (predicate(output)) return true;
          if (exit !== undefined) throw new Error(`${command} ${args.join(' ')} exited (${JSON.stringify(exit)}) before ${description}:\n${output}`);
          return false;
        },
        { timeoutMs, intervalMs: 50 },
      ).catch((error: unknown) => {
        signalGroup('SIGKILL');
        throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- output ---\n${output}`);
      });
    },
    async stop(signal = 'SIGTERM', graceMs = 30_000) {
      if (exit !== undefined) return exit;
      signalGroup(signal);
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
