// The App's typed event emitter. A listener that throws never breaks the pipeline: its error is
// reported as `error.occurred` (type `instrumentation.listener.error`) and emission goes on.
import { EventEmitter } from 'eventemitter3';
import type { AppEvents } from '../events';

type Args<K extends keyof AppEvents> = Parameters<AppEvents[K]>;

export class Monitor extends EventEmitter<AppEvents> {
  /** Subscribes and returns the function that unsubscribes. */
  subscribe<K extends keyof AppEvents>(event: K, listener: AppEvents[K]): () => void {
    this.on(event, listener as never);
    return () => {
      this.off(event, listener as never);
    };
  }

  /** Emits, isolating each listener's errors. */
  notify<K extends keyof AppEvents>(event: K, ...args: Args<K>): void {
    const listeners = this.listeners(event) as Array<(...a: Args<K>) => void>;
    for (const listener of listeners) {
      try {
        listener(...args);
      } catch (error) {
        if (event === 'error.occurred') continue; // never loop on a failing error listener
        this.notify('error.occurred', {
          type: 'instrumentation.listener.error',
          error: error instanceof Error ? error : new Error(String(error)),
        });
      }
    }
  }
}
