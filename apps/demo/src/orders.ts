// The demo's business side, free of Kafka: what an order looks like, how a batch of orders is
// priced, and the receipt a consumer sends for each batch it processed. Pure functions, so the
// unit tests check them without a broker or a thread.

/** One order as the demo produces it (JSON on the wire). */
export interface Order {
  id: number;
  customer: string;
  items: Array<{ sku: string; quantity: number; priceCents: number }>;
}

/** What OrdersConsumer reports for one batch, produced to the receipts topic. */
export interface Receipt {
  topic: string;
  partition: number;
  firstOffset: number;
  lastOffset: number;
  /** Orders in this batch that were valid and priced. */
  orders: number;
  /** Orders in this batch that were rejected (malformed). */
  rejected: number;
  revenueCents: number;
  /** 1-based count of batches this partition's consumer instance has processed (state kept across batches). */
  batchNo: number;
  /** Running totals of this partition's consumer instance. */
  partitionOrders: number;
  partitionRevenueCents: number;
  threadId: number;
}

const SKUS = [
  { sku: 'espresso-beans-1kg', priceCents: 2_450 },
  { sku: 'grinder-burr-set', priceCents: 8_900 },
  { sku: 'paper-filters-100', priceCents: 390 },
  { sku: 'milk-jug-600ml', priceCents: 1_575 },
] as const;

/** Deterministic orders 0..count-1 for `customers` customers (the same input gives the same orders). */
export function makeOrders(count: number, customers = 8): Order[] {
  return Array.from({ length: count }, (_, id) => {
    const lines = 1 + (id % 3);
    return {
      id,
      customer: `customer-${id % customers}`,
      items: Array.from({ length: lines }, (_, line) => {
        const product = SKUS[(id + line) % SKUS.length] ?? SKUS[0];
        return { sku: product.sku, quantity: 1 + ((id * 7 + line) % 4), priceCents: product.priceCents };
      }),
    };
  });
}

/** An order's total in cents, or null when it is not a well-formed order. */
export function priceOrder(order: unknown): number | null {
  if (typeof order !== 'object' || order === null) return null;
  const items = (order as Partial<Order>).items;
  if (!Array.isArray(items) || items.length === 0) return null;
  let total = 0;
  for (const item of items) {
    const { quantity, priceCents } = (item ?? {}) as Partial<Order['items'][number]>;
    if (
      !Number.isInteger(quantity) ||
      !Number.isInteger(priceCents) ||
      (quantity as number) <= 0 ||
      (priceCents as number) < 0
    )
      return null;
    total += (quantity as number) * (priceCents as number);
  }
  return total;
}

/** Prices a batch: valid orders, rejected ones, revenue. */
export function priceBatch(orders: readonly unknown[]): { orders: number; rejected: number; revenueCents: number } {
  let valid = 0;
  let rejected = 0;
  let revenueCents = 0;
  for (const order of orders) {
    const total = priceOrder(order);
    if (total === null) rejected += 1;
    else {
      valid += 1;
      revenueCents += total;
    }
  }
  return { orders: valid, rejected, revenueCents };
}

/** Where receipts of an orders topic go. */
export function receiptsTopicFor(ordersTopic: string): string {
  return `${ordersTopic}-receipts`;
}

export function formatCents(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}
