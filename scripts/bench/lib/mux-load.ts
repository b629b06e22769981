// The multiplexing benchmark's load: a plain KafkaJS producer (acks 1, every send goes out at
// once: KafkaJS has no linger) that pre-fills partitions with a backlog and produces a steady
// stream spread evenly over time and over the given partitions, each message stamped with the
// time of its send call. Never produces to a partition it was not given.
import { Kafka, logLevel, type Message, type Producer } from 'kafkajs';

export interface SteadyStream {
  /** Messages per second over all of `partitions`, spread round-robin. */
  rate: number;
  partitions: readonly number[];
  /** The value of the n-th message of this stream. */
  value(n: number): string;
}

export class MuxLoad {
  readonly #producer: Producer;
  #connected = false;
  /** Sends that failed (reported, never retried: a lost light message shows as unconsumed). */
  errors = 0;

  constructor(brokers: string[]) {
    this.#producer = new Kafka({ clientId: 'bench-mux-load', brokers, logLevel: logLevel.NOTHING }).producer({
      allowAutoTopicCreation: false,
    });
  }

  async connect(): Promise<void> {
    if (this.#connected) return;
    await this.#producer.connect();
    this.#connected = true;
  }

  async disconnect(): Promise<void> {
    if (!this.#connected) return;
    this.#connected = false;
    await this.#producer.disconnect();
  }

  /**
   * Produces `messages`, `perRequest` a request (acks 1; a request's messages of one partition
   * become one record batch, the unit a fetch returns at least), up to 16 requests in flight:
   * order between requests is not kept.
   */
  async fill(topic: string, messages: Array<{ partition: number; value: string }>, perRequest = 5_000): Promise<void> {
    await this.connect();
    const requests: Array<Array<{ partition: number; value: string }>> = [];
    for (let i = 0; i < messages.length; i += perRequest) requests.push(messages.slice(i, i + perRequest));
    for (let i = 0; i < requests.length; i += 16) {
      await Promise.all(
        requests.slice(i, i + 16).map((chunk) => this.#producer.send({ topic, acks: 1, messages: chunk })),
      );
    }
  }

  /**
   * Produces each stream at its rate until `untilMs` (epoch ms), checking every ~2 ms what is due;
   * resolves with how many messages of each stream were sent, once every send has settled.
   */
  async steady(topic: string, streams: readonly SteadyStream[], untilMs: number): Promise<number[]> {
    await this.connect();
    const started = Date.now();
    const sent = streams.map(() => 0);
    const pending = new Set<Promise<unknown>>();
    while (Date.now() < untilMs) {
      const now = Date.now();
      const messages: Message[] = [];
      streams.forEach((stream, s) => {
        const due = Math.floor(((now - started) / 1000) * stream.rate);
        for (; (sent[s] ?? 0) < due; sent[s] = (sent[s] ?? 0) + 1) {
          const n = sent[s] ?? 0;
          messages.push({
            partition: stream.partitions[n % stream.partitions.length],
            value: stream.value(n),
            timestamp: String(now),
          });
        }
      });
      if (messages.length > 0) {
        const send: Promise<unknown> = this.#producer
          .send({ topic, acks: 1, messages })
          .catch(() => (this.errors += messages.length))
          .finally(() => pending.delete(send));
        pending.add(send);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await Promise.all(pending);
    return sent;
  }
}
