// A TCP proxy in front of a broker, for tests that need "the broker" to become unreachable without
// stopping the broker everyone shares. Kafka clients connect to the addresses the broker
// advertises in its Metadata (and FindCoordinator) responses, so the proxy rewrites the advertised
// port of the broker behind it to its own (same length: the frame is patched in place), and every
// connection of the client keeps going through the proxy. Only non-flexible versions are
// rewritten (KafkaJS 2.2.4 asks Metadata v6, FindCoordinator v2).
// cut() makes the broker silent, as a network partition does: connections stay open, nothing
// reaches either side, new connections are accepted and never answered — requests in flight get
// no answer at all. reset() closes every connection and refuses new ones.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

const METADATA = 3;
const FIND_COORDINATOR = 10;

export interface KafkaProxy {
  /** `127.0.0.1:<port>`: give it as bootstrap.servers. */
  readonly address: string;
  /** From now on nothing passes, either way, on any connection (new ones included). */
  cut(): void;
  /** Closes every connection and refuses new ones (fast errors, unlike cut()). */
  reset(): void;
  close(): Promise<void>;
}

export async function kafkaProxy(upstream: string): Promise<KafkaProxy> {
  const [upstreamHost, upstreamPortText] = upstream.split(':') as [string, string];
  const upstreamPort = Number(upstreamPortText);
  const sockets = new Set<Socket>();
  let silent = false;
  let refusing = false;
  let port = 0;

  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (refusing) {
      client.destroy();
      return;
    }
    if (silent) {
      client.on('data', () => undefined); // accepted, never answered
      return;
    }
    const broker = connect({ host: upstreamHost, port: upstreamPort });
    sockets.add(broker);
    broker.on('close', () => {
      sockets.delete(broker);
      client.destroy();
    });
    broker.on('error', () => undefined);
    client.on('close', () => broker.destroy());
    /** correlation id -> [api key, api version] of the requests whose answers name brokers */
    const asked = new Map<number, [number, number]>();
    frames(client, (frame) => {
      if (silent) return;
      const apiKey = frame.readInt16BE(4);
      if (apiKey === METADATA || apiKey === FIND_COORDINATOR) asked.set(frame.readInt32BE(8), [apiKey, frame.readInt16BE(6)]);
      broker.write(frame);
    });
    frames(broker, (frame) => {
      if (silent) return;
      const request = asked.get(frame.readInt32BE(4));
      if (request !== undefined) {
        asked.delete(frame.readInt32BE(4));
        rewritePorts(frame, request[0], request[1], upstreamPort, port);
      }
      client.write(frame);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    address: `127.0.0.1:${port}`,
    cut: () => {
      silent = true;
    },
    reset: () => {
      refusing = true;
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      refusing = true;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Calls `onFrame` with each size-prefixed Kafka frame (size included) read from `socket`. */
function frames(socket: Socket, onFrame: (frame: Buffer) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const size = buffered.readInt32BE(0);
      if (buffered.length < 4 + size) break;
      onFrame(buffered.subarray(0, 4 + size));
      buffered = buffered.subarray(4 + size);
    }
  });
}

/** Patches, in place, every advertised port `from` of a Metadata / FindCoordinator response to `to`. */
function rewritePorts(frame: Buffer, apiKey: number, version: number, from: number, to: number): void {
  let at = 8; // size, correlation id
  const skipString = (): void => {
    const length = frame.readInt16BE(at);
    at += 2 + Math.max(0, length);
  };
  const patchPort = (): void => {
    if (frame.readInt32BE(at) === from) frame.writeInt32BE(to, at);
    at += 4;
  };
  if (apiKey === METADATA) {
    if (version > 8) return; // flexible versions: not used by KafkaJS
    if (version >= 3) at += 4; // throttle_time_ms
    const count = frame.readInt32BE(at);
    at += 4;
    for (let i = 0; i < count; i += 1) {
      at += 4; // node_id
      skipString(); // host
      patchPort();
      if (version >= 1) skipString(); // rack
    }
    return;
  }
  if (version > 3) return;
  if (version >= 1) at += 4; // throttle_time_ms
  at += 2; // error_code
  if (version >= 1) skipString(); // error_message
  at += 4; // node_id
  skipString(); // host
  patchPort();
}
