// The main-thread end of `this.producer`: worker threads have no Kafka connection, so their
// produce calls arrive here over a BroadcastChannel and go through the process's one producer.
// So do consumers' transactions: the worker sends the whole intent (messages + offset) once its
// callback resolved, and the main thread runs it as one Kafka transaction — no transaction ever
// stays open waiting on a worker thread that may die.
import { BroadcastChannel } from 'node:worker_threads';
import type { TransactionIntent } from '../consumer';
import type { ConsumerProducerTarget, ProducedMessage } from '../options';
import { serializeError } from './serialized-error';

interface ProduceRequest {
  kind: 'produce';
  id: string;
  mode: 'sync' | 'async';
  message: ProducedMessage;
}

interface TransactionRequest {
  kind: 'transaction';
  id: string;
  intent: TransactionIntent;
}

// Structured clone turns Buffers into plain Uint8Arrays; give the producer Buffers back.
function toBuffer<T>(value: T): T | Buffer {
  return value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
}

function revive(message: ProducedMessage): ProducedMessage {
  const out: ProducedMessage = { ...message, payload: toBuffer(message.payload) };
  if (message.key !== undefined) out.key = toBuffer(message.key);
  if (message.headers !== undefined) {
    out.headers = Object.fromEntries(
      Object.entries(message.headers).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => toBuffer(x)) : toBuffer(v)]),
    );
  }
  return out;
}

export class ProducerBridge {
  readonly #channel: BroadcastChannel;

  constructor(
    readonly channelName: string,
    private readonly producer: ConsumerProducerTarget,
    private readonly transact?: (intent: TransactionIntent) => Promise<void>,
  ) {
    this.#channel = new BroadcastChannel(channelName);
    this.#channel.onmessage = (event: unknown) => {
      const request = (event as { data: unknown }).data as ProduceRequest | TransactionRequest;
      if (request?.kind === 'produce') void this.#handle(request);
      else if (request?.kind === 'transaction') void this.#transaction(request);
    };
    (this.#channel as unknown as { unref(): void }).unref();
  }

  async #handle(request: ProduceRequest): Promise<void> {
    try {
      const message = revive(request.message);
      if (request.mode === 'sync') {
        const report = await this.producer.produceSync(message);
        this.#channel.postMessage({ id: request.id, ok: true, report: { topic: report.topic, partition: report.partition, offset: report.offset } });
      } else {
        await this.producer.produceAsync(message);
        this.#channel.postMessage({ id: request.id, ok: true });
      }
    } catch (error) {
      this.#channel.postMessage({ id: request.id, ok: false, error: serializeError(error) });
    }
  }

  async #transaction(request: TransactionRequest): Promise<void> {
    try {
      if (this.transact === undefined) throw new Error('This app runs no transactions');
      await this.transact({ ...request.intent, messages: request.intent.messages.map((m) => revive(m)) });
      this.#channel.postMessage({ id: request.id, ok: true });
    } catch (error) {
      this.#channel.postMessage({ id: request.id, ok: false, error: serializeError(error) });
    }
  }

  close(): void {
    this.#channel.close();
  }
}
