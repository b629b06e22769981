import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { sleep } from './wait-until';

const run = promisify(execFile);
const repoRoot = resolve(__dirname, '../../..');

export interface OwnBroker {
  /** `127.0.0.1:<port>`, for `bootstrap.servers` / KafkaJS `brokers`. */
  readonly address: string;
  /** scripts/kafka's data and log folder of this broker. */
  readonly runDir: string;
  /** Starts it (or reuses it when healthy); first waits for a broker still shutting down to free the ports. */
  start(): Promise<void>;
  /** Stops it; data stays, so a later start() brings back the same topics and committed offsets. */
  stop(): Promise<void>;
}

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      done(true);
    });
    socket.on('error', () => done(false));
  });
}

/**
 * A broker of a test's own on `port` (the controller takes port + 1, its SASL_SSL listener port +
 * 2), run by scripts/kafka: for
 * tests that stop and restart Kafka, which must never touch the broker the other tests share.
 */
export function ownBroker(port: number): OwnBroker {
  const script = resolve(repoRoot, 'scripts/kafka');
  const ctl = async (command: 'start' | 'stop'): Promise<void> => {
    await run(script, [command], { env: { ...process.env, KAFKA_PORT: String(port) }, timeout: 150_000 });
  };
  return {
    address: `127.0.0.1:${port}`,
    runDir: resolve(process.env['KAFKA_HOME_DIR'] ?? resolve(repoRoot, '.cache/kafka'), `run-${port}`),
    async start() {
      // a broker still shutting down (slow on a busy machine) holds the ports for a while
      for (let i = 0; i < 120 && ((await listening(port)) || (await listening(port + 1)) || (await listening(port + 2))); i += 1) await sleep(500);
      await ctl('start');
    },
    stop: () => ctl('stop'),
  };
}
