// Kafka's own Java producer, one record at a time, each send awaited before the next: the
// latency baseline for `pnpm bench producer-latency` (its producer-perf-test tool reports latency
// only in whole milliseconds). Run as a single source file with the broker's jars on the class
// path (java -cp 'libs/*' JavaProducerLatency.java …); prints one JSON line of percentiles in ms.
// Arguments: bootstrap servers, topic, linger.ms, warm-up sends, measured sends.
import java.util.Arrays;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class JavaProducerLatency {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(ProducerConfig.LINGER_MS_CONFIG, args[2]);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    int warmup = Integer.parseInt(args[3]);
    int count = Integer.parseInt(args[4]);
    byte[] payload = new byte[100];
    Arrays.fill(payload, (byte) 'x');
    double[] samples = new double[count];
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(args[1], 0, null, payload);
      for (int i = 0; i < warmup; i++) producer.send(record).get();
      for (int i = 0; i < count; i++) {
        long start = System.nanoTime();
        producer.send(record).get();
        samples[i] = (System.nanoTime() - start) / 1e6;
      }
    }
    Arrays.sort(samples);
    System.out.printf("{\"count\":%d,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f}%n",
        count, samples[count / 2], samples[(int) (count * 0.9)], samples[(int) (count * 0.99)]);
  }
}
