// What produceAsync returns: the message and a promise of its delivery report. The promise gets a
// no-op catch so a handle nobody waits on never becomes an unhandled rejection; its failure is
// still reported on `error.occurred`.
import type { DeliveryHandle as DeliveryHandleShape, DeliveryReport, ProduceMessage } from '../types';

export class DeliveryHandle implements DeliveryHandleShape {
  constructor(
    readonly message: ProduceMessage,
    private readonly delivery: Promise<DeliveryReport>,
  ) {
    delivery.catch(() => undefined);
  }

  wait(): Promise<DeliveryReport> {
    return this.delivery;
  }
}
