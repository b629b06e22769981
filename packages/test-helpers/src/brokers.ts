/**
 * Where the integration tests find Kafka: `KAFKA_BROKERS` (comma-separated host:port), which
 * scripts/test sets after starting the local broker, or the local broker's default address.
 */
export function brokers(): string[] {
  const raw = process.env['KAFKA_BROKERS'] ?? `127.0.0.1:${process.env['KAFKA_PORT'] ?? '9092'}`;
  return raw
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}
