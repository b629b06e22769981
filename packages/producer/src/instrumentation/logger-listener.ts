// Turns producer events into log lines, WaterDrop style:
//   [orders-producer] Sync producing of a message to 'orders' took 0.27 ms
// It only reads events; a logger that throws is caught by the monitor like any listener.
import type { Monitor, ProducerEventName, ProducerEvents } from '../events';
import type { ProduceMessage } from '../types';

/** Where the lines go: anything with info/error (console, pino, winston...). */
export interface LineLogger {
  info(line: string): void;
  error(line: string): void;
}

const ms = (value: number): string => `${value.toFixed(2)} ms`;

function describe(messages: readonly ProduceMessage[]): string {
  const topics = new Set(messages.map((m) => m.topic));
  return `${messages.length} message${messages.length === 1 ? '' : 's'} to ${topics.size} topic${topics.size === 1 ? '' : 's'}`;
}

export class LoggerListener {
  constructor(private readonly logger: LineLogger = console) {}

  /** Subscribes to `monitor` (producer.monitor); returns the function that unsubscribes. */
  attach(monitor: Monitor): () => void {
    const log = this.logger;
    const handlers: { [K in ProducerEventName]?: ProducerEvents[K] } = {
      'message.produced_sync': (e) => log.info(`[${e.producerId}] Sync producing of a message to '${e.message.topic}' took ${ms(e.durationMs)}`),
      'message.produced_async': (e) => log.info(`[${e.producerId}] Async producing of a message to '${e.message.topic}' took ${ms(e.durationMs)}`),
      'messages.produced_sync': (e) => log.info(`[${e.producerId}] Sync producing of ${describe(e.messages)} took ${ms(e.durationMs)}`),
      'messages.produced_async': (e) => log.info(`[${e.producerId}] Async producing of ${describe(e.messages)} took ${ms(e.durationMs)}`),
      'message.buffered': (e) => log.info(`[${e.producerId}] Buffering of a message to '${e.message.topic}' (${e.buffered} buffered)`),
      'messages.buffered': (e) => log.info(`[${e.producerId}] Buffering of ${describe(e.messages)} (${e.buffered} buffered)`),
      'buffer.flushed_sync': (e) => log.info(`[${e.producerId}] Sync flushing of ${e.messages.length} messages from the buffer took ${ms(e.durationMs)}`),
      'buffer.flushed_async': (e) => log.info(`[${e.producerId}] Async flushing of ${e.messages.length} messages from the buffer took ${ms(e.durationMs)}`),
      'producer.closed': (e) => log.info(`[${e.producerId}] Closing producer took ${ms(e.durationMs)}`),
      'error.occurred': (e) => log.error(`[${e.producerId}] Error occurred (${e.type}): ${e.error.name}: ${e.error.message}`),
    };
    const names = Object.keys(handlers) as ProducerEventName[];
    for (const name of names) monitor.on(name, handlers[name] as never);
    return () => {
      for (const name of names) monitor.off(name, handlers[name] as never);
    };
  }
}
