// Why this file exists: a connected KafkaJS client keeps Node's event loop alive for as long as it
// is connected, even with nothing to send — by its sockets, by a request-timeout interval per
// connection, and (KafkaJS 2.2.4, tulios/kafkajs#1556 and #1704) by a 1 ms timer per connection
// that re-arms itself forever. A script that produced its messages and forgot close() would
// never exit. Here those handles are unref'd while the producer has nothing to do, and ref'd
// again (synchronously, before anything is sent) while it has: a hold() is taken for every
// message from admission until it is settled, and for connect(), transaction() and close().
// It must never leave a handle unref'd while a hold is taken: a produced message would then be
// lost when the process exits under it.
//
// How the handles are found, since KafkaJS gives no access to its connections:
// - sockets: every socket KafkaJS opens comes from its `socketFactory` option, which is ours
//   (KafkaJS's default factory, re-done: net/tls.connect and a 60 s keep-alive);
// - timers: KafkaJS's connection creates its timers inside three callbacks of that socket — the
//   connect callback (the request-timeout interval), the 'data' listener (the first 1 ms
//   timer, on the first response) and those timers' own callbacks (the next 1 ms timer). We run
//   each of these callbacks with setTimeout/setInterval swapped for tracking versions (restored
//   before the callback returns), so every timer KafkaJS's network layer arms, and every timer
//   those timers arm, is known. Code that runs synchronously inside them (listeners of KafkaJS's
//   own instrumentation events) has its timers tracked too; that is the price of this seam.
// Nothing else in KafkaJS is changed, and nothing of it is patched.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

type Timer = NodeJS.Timeout;
type TimerFunction = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => Timer;

/** What KafkaJS's default socket factory sets (kafkajs/src/network/socketFactory.js). */
const KEEP_ALIVE_DELAY_MS = 60_000;

export class KafkaJsHandles {
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<Timer>();
  #holds = 0;
  /** Depth of the callbacks running with the tracking timer functions installed. */
  #depth = 0;
  /** The timer functions the outermost tracked callback found installed (the real ones, or a test's fakes). */
  #setTimeout: TimerFunction = setTimeout as unknown as TimerFunction;
  #setInterval: TimerFunction = setInterval as unknown as TimerFunction;

  /** True while a hold is taken: the handles keep the process alive. */
  get held(): boolean {
    return this.#holds > 0;
  }

  /**
   * Keeps the process alive until the returned function is called (calling it again does
   * nothing). The handles are ref'd before this returns.
   */
  hold(): () => void {
    this.#holds += 1;
    if (this.#holds === 1) this.#applyAll();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds -= 1;
      if (this.#holds === 0) this.#applyAll();
    };
  }

  /** KafkaJS's `socketFactory`: its default sockets, tracked. */
  readonly socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    const connected = (): void => this.#tracked(onConnect, undefined, []);
    const socket: Socket = ssl
      ? tlsConnect({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}), ...ssl }, connected)
      : netConnect({ host, port }, connected);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    // KafkaJS adds its 'data' listener right after this returns (network/socket.js); it reads
    // responses and arms the first pending-requests timer. Only this socket's `on` is wrapped.
    const on = socket.on as (this: Socket, event: string, listener: (...args: unknown[]) => void) => Socket;
    const handles = this;
    socket.on = function (this: Socket, event: string, listener: (...args: unknown[]) => void): Socket {
      if (event !== 'data') return on.call(this, event, listener);
      return on.call(this, event, function (this: unknown, ...args: unknown[]) {
        handles.#tracked(listener, this, args);
      });
    } as Socket['on'];
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    this.#apply(socket);
    return socket;
  };

  /** Runs a KafkaJS callback with the tracking timer functions installed. */
  #tracked<T>(callback: (...args: never[]) => T, self: unknown, args: unknown[]): T {
    const scope = globalThis as unknown as { setTimeout: TimerFunction; setInterval: TimerFunction };
    const outer = { setTimeout: scope.setTimeout, setInterval: scope.setInterval };
    if (this.#depth === 0) {
      this.#setTimeout = outer.setTimeout;
      this.#setInterval = outer.setInterval;
    }
    this.#depth += 1;
    scope.setTimeout = this.#trackedSetTimeout;
    scope.setInterval = this.#trackedSetInterval;
    try {
      return (callback as (...a: unknown[]) => T).apply(self, args);
    } finally {
      this.#depth -= 1;
      scope.setTimeout = outer.setTimeout;
      scope.setInterval = outer.setInterval;
    }
  }

  readonly #trackedSetTimeout: TimerFunction = (callback, ms, ...args) => {
    if (typeof callback !== 'function') return this.#setTimeout(callback, ms, ...args);
    const handles = this;
    const timer = this.#setTimeout(function (this: unknown, ...a: unknown[]) {
      handles.#timers.delete(timer);
      handles.#tracked(callback, this, a);
    }, ms, ...args);
    this.#track(timer);
    return timer;
  };

  readonly #trackedSetInterval: TimerFunction = (callback, ms, ...args) => {
    if (typeof callback !== 'function') return this.#setInterval(callback, ms, ...args);
    const handles = this;
    const timer = this.#setInterval(function (this: unknown, ...a: unknown[]) {
      handles.#tracked(callback, this, a);
    }, ms, ...args);
    this.#track(timer);
    return timer;
  };

  #track(timer: Timer): void {
    this.#timers.add(timer);
    this.#apply(timer);
  }

  #applyAll(): void {
    for (const socket of this.#sockets) this.#apply(socket);
    for (const timer of this.#timers) {
      // a cleared interval (KafkaJS clears them on disconnect) is forgotten here
      if ((timer as { _destroyed?: boolean })._destroyed === true) this.#timers.delete(timer);
      else this.#apply(timer);
    }
  }

  #apply(handle: { ref?: () => unknown; unref?: () => unknown }): void {
    if (this.#holds > 0) handle.ref?.();
    else handle.unref?.();
  }
}
