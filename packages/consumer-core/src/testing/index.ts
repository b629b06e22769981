// Public entry of @decanter/consumer-core/testing: run consumers from your routes in-process in
// unit tests (no broker, no threads). See the package README, "Testing consumers".
export {
  createTestingKit,
  TestingKit,
  TESTING_CONSUMER_GROUP,
  type ConsumerForOptions,
  type TestingKitSource,
} from './testing-kit';
export type { TestConsumer, ConsumeRun } from './test-consumer';
export type { FedMessage, TestMessageOptions } from './partition-log';
// for code that produces outside consumers (and an App's `producer` in tests): a Producer over an in-memory broker
export { FakeProducer, type FakeProducerOptions, type FakeTransaction } from '@decanter/producer/testing';
