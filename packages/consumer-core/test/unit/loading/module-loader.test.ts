// Finding an export in a loaded module whatever its format: an ES module's named and default
// exports, and CommonJS as import() hands it over (module.exports as `default`, named exports
// only where Node's static analysis saw them; `exports.default` with __esModule for `export default`).
import { moduleExport, namespaceOf } from '../../../src/loading/module-loader';

class OrdersConsumer {}

test('an ES module: named and default exports', () => {
  const namespace = Object.freeze({ OrdersConsumer, default: OrdersConsumer });
  expect(moduleExport(namespace, 'OrdersConsumer')).toBe(OrdersConsumer);
  expect(moduleExport(namespace, 'default')).toBe(OrdersConsumer);
  expect(moduleExport(namespace, 'Missing')).toBeUndefined();
});

test('CommonJS module.exports = X is the default export', () => {
  expect(moduleExport(namespaceOf(OrdersConsumer), 'default')).toBe(OrdersConsumer);
  expect(moduleExport({ default: OrdersConsumer }, 'default')).toBe(OrdersConsumer);
});

test("CommonJS named exports Node's analysis did not detect are found on module.exports", () => {
  // what import() gives for esbuild's (tsx's) CommonJS output: only `default`
  const exports = { __esModule: true, OrdersConsumer };
  expect(moduleExport({ default: exports }, 'OrdersConsumer')).toBe(OrdersConsumer);
  expect(moduleExport({ 'module.exports': exports, default: exports }, 'OrdersConsumer')).toBe(OrdersConsumer);
});

test('CommonJS compiled from `export default` (exports.default with __esModule) gives that default', () => {
  const exports = { __esModule: true, default: OrdersConsumer };
  expect(moduleExport({ default: exports }, 'default')).toBe(OrdersConsumer);
  expect(moduleExport(namespaceOf(exports), 'default')).toBe(OrdersConsumer);
});

test('namespaceOf mirrors import() of CommonJS: the named exports and module.exports as default', () => {
  const exports = { a: 1 };
  expect(namespaceOf(exports)).toEqual({ a: 1, default: exports });
  expect(namespaceOf(null)).toEqual({ default: null });
});
