// `this.producer` of consumers under test: records every message in memory and answers with a
// plausible delivery report (the requested partition, or 0, and the next offset of that
// partition). Never talks to Kafka. Rejects what a real producer would reject, with the error a
// consumer sees in production (PRODUCER_UNAVAILABLE). It records into @decanter/producer's
// ProducedLog, the log of its FakeProducer (for code that produces outside consumers), so both
// keep messages and count offsets the same way. Unlike that one it answers synchronously and
// takes any partition: a consumer test needs no topic layout.
import { ProducedLog } from '@decanter/producer/testing';
import type { ConsumerProducer, Transactor } from '../consumer';
import { ProducerUnavailableError, TransactionFailedError } from '../errors';
import type { ProducedMessage, ProducedReport } from '../options';

function problemWith(message: ProducedMessage): string | null {
  if (typeof message !== 'object' || message === null) return 'the message must be an object';
  if (typeof message.topic !== 'string' || message.topic.length === 0)
    return 'message.topic must be a non-empty string';
  const { payload } = message;
  if (payload !== null && typeof payload !== 'string' && !Buffer.isBuffer(payload)) {
    return 'message.payload must be a Buffer, a string or null (serialize objects first, e.g. JSON.stringify)';
  }
  if (message.partition !== undefined && !(Number.isInteger(message.partition) && message.partition >= 0)) {
    return 'message.partition must be an integer >= 0';
  }
  return null;
}

export class FakeProducer {
  readonly #log = new ProducedLog<ProducedMessage>();

  /** Every message produced, in order. */
  get produced(): readonly ProducedMessage[] {
    return this.#log.produced;
  }

  /** When set, every produce call rejects as a failing producer does in production. */
  failure: Error | null = null;

  /** A `this.producer` that records into this producer and into `sink` (the producing consumer's own list). */
  for(sink: ProducedMessage[]): ConsumerProducer {
    return {
      produceSync: async (message) => this.#record(message, sink),
      produceAsync: async (message) => {
        this.#record(message, sink);
      },
    };
  }

  /**
   * The transactions of `this.transaction()`: all of a transaction's messages are recorded (into
   * this producer and `sink`) and `onCommit` gets its offset — or, when a message is invalid or
   * `failure` is set, nothing is recorded and it rejects as an aborted transaction does.
   */
  transactor(sink: ProducedMessage[], onCommit: (markedOffset: number | null, messages: ProducedMessage[]) => void): Transactor {
    return async (intent) => {
      const problem = intent.messages.map((m) => problemWith(m)).find((p) => p !== null);
      if (problem !== undefined && problem !== null) throw new TransactionFailedError(`transaction aborted: ${problem}`);
      if (this.failure !== null) throw new TransactionFailedError(`transaction aborted: ${this.failure.message}`, { cause: this.failure });
      const copies = intent.messages.map((m) => {
        this.#record(m, sink);
        return sink[sink.length - 1]!;
      });
      onCommit(intent.markedOffset, copies);
    };
  }

  #record(message: ProducedMessage, sink: ProducedMessage[]): ProducedReport {
    const problem = problemWith(message);
    if (problem !== null) throw new ProducerUnavailableError(`produce failed: ${problem}`);
    if (this.failure !== null) throw new ProducerUnavailableError(this.failure.message, { cause: this.failure });
    const written = this.#log.append(message, message.partition ?? 0);
    sink.push(written.message);
    return { topic: written.topic, partition: written.partition, offset: written.offset };
  }
}
