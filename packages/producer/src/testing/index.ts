// Public entry of @decanter/producer/testing: a Producer over an in-memory broker, for unit tests
// of code that produces (no broker, no connection), and the log it records into.
export { FakeProducer, type FakeProducerOptions, type FakeTransaction } from './fake-producer';
export { ProducedLog, type LoggableMessage, type WrittenMessage } from './produced-log';
