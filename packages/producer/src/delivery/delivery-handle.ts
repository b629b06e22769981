// What produceAsync returns: the message and its delivery, settled by the dispatcher. No promise
// exists until someone calls wait(), so a handle nobody waits on costs no promise and can never
// become an unhandled rejection (its failure is still reported on `error.occurred`).
import type { DeliveryHandle as DeliveryHandleShape, DeliveryReport, ProduceMessage } from '../types';
import { buildReport, offsetAt, type DeliverySink } from '../batching/produce-record';

export class DeliveryHandle implements DeliveryHandleShape, DeliverySink {
  private report: DeliveryReport | undefined;
  private topic = '';
  private partition = -1;
  private baseOffset: string | null = null;
  private index = -1;
  private error: Error | undefined;
  private promise: Promise<DeliveryReport> | undefined;
  private settle: { resolve: (r: DeliveryReport) => void; reject: (e: Error) => void } | undefined;

  constructor(readonly message: ProduceMessage) {}

  wait(): Promise<DeliveryReport> {
    if (this.promise !== undefined) return this.promise;
    if (this.index >= 0) this.report ??= buildReport(this.message, this.topic, this.partition, offsetAt(this.baseOffset, this.index));
    if (this.report !== undefined) this.promise = Promise.resolve(this.report);
    else if (this.error !== undefined) this.promise = Promise.reject(this.error);
    else this.promise = new Promise<DeliveryReport>((resolve, reject) => (this.settle = { resolve, reject }));
    return this.promise;
  }

  /** @internal called once by the pipeline */
  delivered(topic: string, partition: number, baseOffset: string | null, index: number): void {
    this.topic = topic;
    this.partition = partition;
    this.baseOffset = baseOffset;
    this.index = index;
    if (this.settle !== undefined) {
      this.report = buildReport(this.message, topic, partition, offsetAt(baseOffset, index));
      this.settle.resolve(this.report);
    }
  }

  /** @internal called once by the pipeline */
  reject(error: Error): void {
    this.error = error;
    this.settle?.reject(error);
  }
}
