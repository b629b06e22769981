// The produce API bound to one pipeline and one set of variant settings. The producer's own
// produce* calls go through its default variant; producer.variant() returns another one on the
// same connection; a transaction is one bound to the transaction's pipeline.
import type { DeliveryHandle } from './delivery/delivery-handle';
import type { DeliveryPipeline } from './delivery/delivery-pipeline';
import type { VariantSettings } from './delivery/variant-settings';
import type { Monitor } from './events';
import type { DeliveryReport, ProduceApi, ProduceMessage } from './types';

export class ProducerVariant implements ProduceApi {
  constructor(
    /** @internal */ protected readonly pipeline: () => DeliveryPipeline,
    /** The settings messages of this variant are produced with. */
    readonly settings: VariantSettings,
    /** @internal */ protected readonly monitor: Monitor,
    /** @internal */ protected readonly producerId: string,
    /** @internal Throws when producing is not allowed now (closed, transaction required). */
    protected readonly gate: () => void,
  ) {}

  /** Produces one message and resolves with its delivery report once acknowledged (per acks). */
  async produceSync(message: ProduceMessage): Promise<DeliveryReport> {
    this.gate();
    const start = performance.now();
    const report = await this.pipeline().produce(message, this.settings);
    if (this.monitor.has('message.produced_sync')) {
      this.monitor.notify('message.produced_sync', { producerId: this.producerId, message, durationMs: performance.now() - start });
    }
    return report;
  }

  /** Queues one message and resolves with its delivery handle (waits only if the queue is full). */
  async produceAsync(message: ProduceMessage): Promise<DeliveryHandle> {
    this.gate();
    if (!this.monitor.has('message.produced_async')) return this.pipeline().queue(message, this.settings);
    const start = performance.now();
    const handle = await this.pipeline().queue(message, this.settings);
    this.monitor.notify('message.produced_async', { producerId: this.producerId, message, durationMs: performance.now() - start });
    return handle;
  }

  /** Produces messages and resolves with their reports (in order) once all are acknowledged. */
  async produceManySync(messages: readonly ProduceMessage[]): Promise<DeliveryReport[]> {
    this.gate();
    const start = performance.now();
    const handles = await this.pipeline().queueMany(messages, this.settings);
    const reports = await Promise.all(handles.map((h) => h.wait()));
    if (this.monitor.has('messages.produced_sync')) {
      this.monitor.notify('messages.produced_sync', { producerId: this.producerId, messages, durationMs: performance.now() - start });
    }
    return reports;
  }

  /** Queues messages and resolves with their handles (in order) once all are queued. */
  async produceManyAsync(messages: readonly ProduceMessage[]): Promise<DeliveryHandle[]> {
    this.gate();
    const start = performance.now();
    const handles = await this.pipeline().queueMany(messages, this.settings);
    if (this.monitor.has('messages.produced_async')) {
      this.monitor.notify('messages.produced_async', { producerId: this.producerId, messages, durationMs: performance.now() - start });
    }
    return handles;
  }
}
