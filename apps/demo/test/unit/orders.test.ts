// Claim: the demo's pricing is deterministic and rejects malformed orders instead of mispricing them.
import { formatCents, makeOrders, priceBatch, priceOrder, receiptsTopicFor } from '../../src/orders';

test('makeOrders is deterministic and spreads orders over customers', () => {
  expect(makeOrders(20)).toEqual(makeOrders(20));
  const orders = makeOrders(16, 8);
  expect(orders.map((o) => o.id)).toEqual([...Array(16).keys()]);
  expect(new Set(orders.map((o) => o.customer)).size).toBe(8);
  for (const order of orders) expect(order.items.length).toBeGreaterThanOrEqual(1);
});

test('priceOrder sums quantity × price over the items', () => {
  expect(
    priceOrder({
      id: 1,
      customer: 'c',
      items: [
        { sku: 'a', quantity: 2, priceCents: 250 },
        { sku: 'b', quantity: 1, priceCents: 99 },
      ],
    }),
  ).toBe(599);
});

test.each([
  ['null', null],
  ['a string', 'order'],
  ['no items', { id: 1, customer: 'c', items: [] }],
  ['a zero quantity', { id: 1, customer: 'c', items: [{ sku: 'a', quantity: 0, priceCents: 1 }] }],
  ['a fractional quantity', { id: 1, customer: 'c', items: [{ sku: 'a', quantity: 1.5, priceCents: 1 }] }],
  ['a negative price', { id: 1, customer: 'c', items: [{ sku: 'a', quantity: 1, priceCents: -1 }] }],
  ['an item that is null', { id: 1, customer: 'c', items: [null] }],
])('priceOrder rejects %s', (_name, order) => {
  expect(priceOrder(order)).toBeNull();
});

test('priceBatch counts valid and rejected orders and totals the revenue', () => {
  const [a, b] = makeOrders(2);
  expect(priceBatch([a, null, b, { items: [] }])).toEqual({
    orders: 2,
    rejected: 2,
    revenueCents: (priceOrder(a) ?? 0) + (priceOrder(b) ?? 0),
  });
  expect(priceBatch([])).toEqual({ orders: 0, rejected: 0, revenueCents: 0 });
});

test('receipts go to <orders topic>-receipts; cents print as dollars', () => {
  expect(receiptsTopicFor('demo-orders-abc')).toBe('demo-orders-abc-receipts');
  expect(formatCents(123456)).toBe('$1234.56');
  expect(formatCents(5)).toBe('$0.05');
});
