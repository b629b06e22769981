// When npm starts `decanter server` (npx, npm exec, npm start, npm run), a SIGTERM sent to npm does
// not reach the app: npm hands it to the `sh -c` it spawned, sh dies without passing it on, and the
// app keeps running as an orphan (measured with npm 11.19 on Linux). Nothing tells the app, so it
// watches the processes above it — its parent and, on Linux, the parent's parent (npm above sh) —
// and treats either one exiting as the signal that never came.
// Only under npm: a process whose parent exits on purpose (nohup, a shell that daemonises it) must
// keep running.
import { readFileSync } from 'node:fs';

/** Which npm command started this process, from the variables npm sets for the commands it runs; undefined when npm did not. */
export function npmLauncher(env: NodeJS.ProcessEnv = process.env): 'npx' | 'npm run' | undefined {
  if (env['npm_lifecycle_event'] === undefined && env['npm_command'] === undefined) return undefined;
  return env['npm_command'] === 'exec' || env['npm_lifecycle_event'] === 'npx' ? 'npx' : 'npm run';
}

/** The parent's parent, read from /proc (Linux); undefined elsewhere or when it cannot be read. */
function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses, so read after the last ')'
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) && ppid > 1 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LauncherWatch {
  /** The processes watched (parent first). */
  readonly pids: readonly number[];
  stop(): void;
}

/**
 * Calls `onGone` once, with the pid that went away, when the parent or grandparent exits (or this
 * process is re-parented). The timer is unref'd: it never keeps the process alive by itself.
 */
export function watchLauncher(onGone: (pid: number) => void, intervalMs = 500): LauncherWatch {
  const parent = process.ppid;
  const grandparent = parentOf(parent);
  const pids = grandparent === undefined ? [parent] : [parent, grandparent];
  const timer = setInterval(() => {
    const gone = process.ppid !== parent ? parent : pids.find((pid) => !alive(pid));
    if (gone === undefined) return;
    clearInterval(timer);
    onGone(gone);
  }, intervalMs);
  timer.unref();
  return { pids, stop: () => clearInterval(timer) };
}
