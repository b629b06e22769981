// The Decanter demo: produces a few orders and consumes them back through a real broker, then
// prints what happened. Until @decanter/producer and @decanter/consumer-core are wired in here it
// talks to Kafka with KafkaJS directly, so `scripts/demo` proves the broker set-up end to end.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const count = Number(process.env['DEMO_MESSAGES'] ?? 20);

async function main(): Promise<void> {
  const kafka = new Kafka({ clientId: 'decanter-demo', brokers, logLevel: logLevel.WARN });
  const topic = `demo-orders-${randomBytes(3).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });

  const producer = kafka.producer();
  await producer.connect();
  const started = performance.now();
  await producer.send({
    topic,
    messages: Array.from({ length: count }, (_, i) => ({ key: `customer-${i % 5}`, value: JSON.stringify({ order: i }) })),
  });
  console.log(`Produced ${count} messages to '${topic}' in ${(performance.now() - started).toFixed(1)} ms`);

  const consumer = kafka.consumer({ groupId: `${topic}-group` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        seen += batch.messages.length;
        console.log(`Consumed ${batch.messages.length} messages from ${topic}-${batch.partition}`);
        if (seen >= count) resolve();
      },
    });
  });
  console.log(`Done: ${seen}/${count} messages round-tripped`);
  await consumer.disconnect();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
