// Benchmark consumer: does nothing with its batch (never touches the payload, so nothing is
// deserialized). Measures the framework's own cost: fetch, buffer, poll, pack, thread hop, marks.
import { Consumer } from '@decanter/consumer-core';

export class NoopConsumer extends Consumer {
  override consume(): void {}
}
