// Runs an App as the whole process: starts it, turns SIGINT/SIGTERM into a graceful stop and
// exits with a code that tells how it ended (EXIT_CODES). Used by `decanter server <app file>`.
import type { App } from './app';
import { hasErrorCode } from './errors';
import { npmLauncher, watchLauncher } from './launcher-watch';

/** Process exit codes of `decanter server`. */
export const EXIT_CODES = Object.freeze({
  /** Stopped gracefully: jobs finished, offsets committed, group left. */
  ok: 0,
  /** Could not start (broker unreachable, a consumer class failing to load, …). */
  startFailed: 1,
  /** Options or routes broke the contract: a ConfigurationError (code CONFIGURATION_INVALID), the App's or its producer's. */
  configuration: 2,
  /** Running jobs did not finish within shutdownTimeoutMs; processed offsets were committed, the rest will be redelivered. */
  shutdownTimeout: 3,
  /** A second signal arrived during shutdown: exited at once. */
  forced: 4,
} as const);

export interface ServerOptions {
  /** Signals that trigger a graceful stop. Default SIGINT and SIGTERM. */
  signals?: NodeJS.Signals[];
  /** Signals that put the app in quiet mode (finish running work, keep the group membership, take no new work). Default SIGTSTP. */
  quietSignals?: NodeJS.Signals[];
  /** Called with the exit code instead of process.exit (tests). */
  exit?: (code: number) => void;
  /** Writes the lifecycle lines. Default process.stderr. */
  write?: (line: string) => void;
  /**
   * Stop gracefully when the process that started this one exits (launcher-watch.ts). Default:
   * when npm started it (npx, npm exec, npm start), whose SIGTERM never reaches the app.
   */
  watchLauncher?: boolean;
  /** How often the launcher is checked, ms. Default 500. */
  launcherCheckIntervalMs?: number;
}

export async function runServer(app: App, options: ServerOptions = {}): Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      write(`decanter: ${signal} again, exiting now`);
      exit(EXIT_CODES.forced);
      return;
    }
    stopping = true;
    write(`decanter: ${signal} received, stopping (up to ${app.options.shutdownTimeoutMs} ms)`);
    // If stop() itself hangs (a broker gone during commit), do not hang forever.
    const guard = setTimeout(() => exit(EXIT_CODES.shutdownTimeout), app.options.shutdownTimeoutMs + 15_000);
    guard.unref();
    app.stop().then(
      ({ timedOut }) => {
        clearTimeout(guard);
        write(`decanter: stopped${timedOut ? ' (shutdown timeout)' : ''}`);
        exit(timedOut ? EXIT_CODES.shutdownTimeout : EXIT_CODES.ok);
      },
      (error: unknown) => {
        clearTimeout(guard);
        write(`decanter: stop failed: ${error instanceof Error ? error.message : String(error)}`);
        exit(EXIT_CODES.shutdownTimeout);
      },
    );
  };
  const quietSignals = options.quietSignals ?? ['SIGTSTP'];
  const onQuiet = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    write(`decanter: ${signal} received, going quiet (no new work; SIGINT/SIGTERM to stop)`);
    app.quiet().then(
      () => write('decanter: quiet'),
      () => undefined,
    );
  };
  for (const s of quietSignals) process.on(s, onQuiet);
  for (const s of signals) process.on(s, onSignal);
  const launcher = npmLauncher();
  if (launcher === 'npx') {
    write(
      'decanter: started by npx/npm exec, which does not pass SIGTERM on to the app; it stops when npm exits. ' +
        'In production run ./node_modules/.bin/decanter server … (or node node_modules/@decanter/consumer-core/dist/cli.js server …) so that signals reach it.',
    );
  }
  const watch =
    (options.watchLauncher ?? launcher !== undefined)
      ? watchLauncher((pid) => {
          if (stopping) return;
          write(`decanter: the process that started this one (pid ${pid}) exited without passing on its signal`);
          onSignal('SIGTERM');
        }, options.launcherCheckIntervalMs)
      : undefined;
  try {
    await app.start();
  } catch (error) {
    watch?.stop();
    for (const s of signals) process.off(s, onSignal);
    for (const s of quietSignals) process.off(s, onQuiet);
    write(`decanter: start failed: ${error instanceof Error ? error.message : String(error)}`);
    exit(hasErrorCode(error, 'CONFIGURATION_INVALID') ? EXIT_CODES.configuration : EXIT_CODES.startFailed);
    return;
  }
  write(`decanter: running (pid ${process.pid})`);
}
