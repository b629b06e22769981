// The main-thread end of `this.producer`: worker threads have no Kafka connection, so their
// produce calls arrive here over a BroadcastChannel and go through the process's one producer.
import { BroadcastChannel } from 'node:worker_threads';
import type { ConsumerProducerTarget, ProducedMessage } from '../options';

interface ProduceRequest {
  kind: 'produce';
  id: string;
  mode: 'sync' | 'async';
  message: ProducedMessage;
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
  ) {
    this.#channel = new BroadcastChannel(channelName);
    this.#channel.onmessage = (event: unknown) => {
      const request = (event as { data: unknown }).data as ProduceRequest;
      if (request?.kind === 'produce') void this.#handle(request);
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
      const e = error instanceof Error ? error : new Error(String(error));
      this.#channel.postMessage({ id: request.id, ok: false, error: { name: e.name, message: e.message } });
    }
  }

  close(): void {
    this.#channel.close();
  }
}
