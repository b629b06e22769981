// Prints one line per interesting event ("Polled 100 messages in 3 ms", "Consume job for
// OrdersConsumer on orders-0 finished in 12 ms"). Never throws into the pipeline.
// Levels: what an operator must see (state, assignment, pauses, DLQ, restarts, errors) is info or
// above; per-poll and per-job lines, which come many times a second, are debug.
import type { GroupScope } from '../events';
import type { Monitor } from './monitor';

/** `events`, or `events#2` for a subscription group's further connections (multiplexing). */
const group = (e: Pick<GroupScope, 'subscriptionGroup' | 'connection'>): string => `${e.subscriptionGroup}${e.connection === undefined || e.connection === 0 ? '' : `#${e.connection}`}`;

/** Anything console-like. */
export interface LoggerLike {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

export class LoggerListener {
  readonly #unsubscribe: Array<() => void> = [];

  constructor(monitor: Monitor, logger: LoggerLike) {
    const debug = (m: string): void => (logger.debug ?? logger.info).call(logger, m);
    this.#unsubscribe.push(
      monitor.subscribe('app.state.changed', (e) => logger.info(`App ${e.to}`)),
      monitor.subscribe('poll.completed', (e) =>
        e.messages === 0 ? undefined : debug(`[${group(e)}] Polled ${e.messages} messages in ${Math.round(e.durationMs)} ms`),
      ),
      monitor.subscribe('consumer.consumed', (e) =>
        (e.success ? debug : logger.warn.bind(logger))(
          `Consume job for ${e.consumer} on ${e.topic}-${e.partition} ${e.success ? 'finished' : 'failed'} in ${Math.round(e.durationMs)} ms`,
        ),
      ),
      monitor.subscribe('offsets.committed', (e) =>
        debug(`[${e.consumerGroup}] Committed ${e.offsets.map((o) => `${o.topic}-${o.partition}@${o.offset}`).join(', ')} (${e.reason})`),
      ),
      monitor.subscribe('partitions.assigned', (e) =>
        logger.info(`[${e.consumerGroup}/${group(e)}] Assigned ${e.partitions.map((p) => `${p.topic}-${p.partition}`).join(', ') || 'nothing'}`),
      ),
      monitor.subscribe('partitions.revoked', (e) =>
        logger.info(`[${e.consumerGroup}/${group(e)}] Revoked ${e.partitions.map((p) => `${p.topic}-${p.partition}`).join(', ')}`),
      ),
      monitor.subscribe('offsets.discarded', (e) =>
        logger.warn(
          `Lost ${e.topic}-${e.partition} with ${e.messages} processed but uncommitted messages (${e.fromOffset}..${e.toOffset - 1}, ${e.reason}): the next owner processes them again`,
        ),
      ),
      // an isolation step restarts the poll at once (0 ms), once per part tried: not a warning
      monitor.subscribe('partition.paused', (e) =>
        (e.reason === 'isolation' ? debug : logger.warn.bind(logger))(
          `Paused ${e.topic}-${e.partition} for ${e.timeoutMs} ms, restarting at offset ${e.offset} (${e.reason})`,
        ),
      ),
      monitor.subscribe('partition.resumed', (e) => logger.info(`Resumed ${e.topic}-${e.partition} at offset ${e.offset}`)),
      monitor.subscribe('dlq.dispatched', (e) =>
        logger.warn(
          `Sent ${e.topic}-${e.partition}@${e.offset} to dead letter topic '${e.deadLetterTopic}'` +
            `${e.deadLetterOffset === null ? '' : ` (${e.deadLetterPartition}@${e.deadLetterOffset})`} after ${e.attempts} attempt(s) failing with ${e.errorClass}` +
            (e.isolation === null
              ? ''
              : `, isolated from its batch ${e.isolation.firstOffset}..${e.isolation.lastOffset} (${e.isolation.messages} messages) in ${e.isolation.jobs} job(s)`),
        ),
      ),
      // a failed hook is also an error.occurred (printed as an error below): this line stays debug
      monitor.subscribe('consumer.hooked', (e) =>
        debug(
          `${e.hook} hook of ${e.consumer} on ${e.topic}-${e.partition} ${e.success ? 'finished' : 'failed'} in ${Math.round(e.durationMs)} ms`,
        ),
      ),
      monitor.subscribe('listener.buffer.held', (e) =>
        debug(
          `[${group(e)}] Held fetching for ${Math.round(e.durationMs)} ms: prefetch buffer full ` +
            `(${Math.round(e.bufferedBytes / 1024)} of ${Math.round(e.limitBytes / 1024)} KiB, queued.max.messages.kbytes)`,
        ),
      ),
      monitor.subscribe('feature.warning', (e) => logger.warn(`[${e.feature}] ${e.message}`)),
      monitor.subscribe('listener.restarted', (e) => logger.warn(`[${e.consumerGroup}/${group(e)}] Listener restarted after a crash`)),
      monitor.subscribe('error.occurred', (e) => {
        const where = e.topic === undefined ? '' : ` on ${e.topic}-${e.partition ?? '?'}`;
        // a wrapper often repeats its cause's message ("X.consume() failed on t-0: boom"): not twice
        const cause = e.error.cause instanceof Error && !e.error.message.includes(e.error.cause.message) ? ` (cause: ${e.error.cause.message})` : '';
        logger.error(`${e.type}${where}: ${e.error.message}${cause}`);
      }),
    );
  }

  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }
}
