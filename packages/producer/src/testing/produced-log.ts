// The in-memory log of Decanter's test doubles: what was produced, as it was given (a copy, so
// later changes to the caller's object do not show), with the partition and offset it was
// written at. Offsets count per topic-partition from 0, as a new topic's do. Shared by this
// package's FakeProducer and @decanter/consumer-core/testing's recording `this.producer`.
import type { ProduceMessage } from '../types';

/** The fields of a message the log reads; both packages' message shapes have them. */
export interface LoggableMessage {
  topic: string;
  headers?: Record<string, unknown> | undefined;
}

/** One message as the log holds it. */
export interface WrittenMessage<M extends LoggableMessage = ProduceMessage> {
  /** The message as given (a copy). */
  readonly message: M;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export class ProducedLog<M extends LoggableMessage = ProduceMessage> {
  /** Every message written, as given, in the order written. */
  readonly produced: M[] = [];
  /** The same messages with where they were written. */
  readonly written: Array<WrittenMessage<M>> = [];
  readonly #next = new Map<string, number>();

  /** Takes `count` offsets of a topic-partition (an aborted transaction's messages take theirs too); returns the first. */
  take(topic: string, partition: number, count = 1): number {
    const key = `${topic}/${partition}`;
    const first = this.#next.get(key) ?? 0;
    this.#next.set(key, first + count);
    return first;
  }

  /** Records a copy of `message` at `offset` (taken with take()), and returns the copy. */
  record(message: M, partition: number, offset: number): M {
    const copy: M = { ...message };
    if (message.headers !== undefined) copy.headers = { ...message.headers };
    this.produced.push(copy);
    this.written.push(Object.freeze({ message: copy, topic: message.topic, partition, offset: String(offset) }));
    return copy;
  }

  /** take() and record() in one: the next offset of the message's partition. */
  append(message: M, partition: number): WrittenMessage<M> {
    this.record(message, partition, this.take(message.topic, partition));
    return this.written[this.written.length - 1]!;
  }

  /** Forgets what was written; offsets go on from where they were. */
  clear(): void {
    this.produced.length = 0;
    this.written.length = 0;
  }
}
