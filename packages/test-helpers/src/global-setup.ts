import { brokers } from './brokers';
import { probeBroker } from './probe';

/**
 * Jest globalSetup of the integration project: fail the whole run at once, with the fix, when no
 * broker answers, instead of letting every test time out one by one.
 */
export default async function globalSetup(): Promise<void> {
  const list = brokers();
  const results = await Promise.all(list.map((b) => probeBroker(b, 5000)));
  if (!results.some(Boolean)) {
    throw new Error(
      `No Kafka broker answers at ${list.join(', ')}. Run the tests with ./scripts/test (it starts ` +
        'a local broker), start one with scripts/kafka start, or set KAFKA_BROKERS.',
    );
  }
}
