// Claim: every compression codec round-trips through the real broker: the broker validates the
// compressed batch on write (it decompresses it), Kafka's Java console consumer decompresses
// what we wrote, and a KafkaJS consumer in the same process reads it too. LZ4 is Kafka's LZ4
// frame format, snappy is readable by Java.
import { javaConsoleConsume } from '@decanter/test-helpers';
import { COMPRESSION_CODECS } from '@decanter/producer';
import { cleanUp, newProducer, readTopic, topic } from './support';

afterAll(cleanUp);

describe.each(COMPRESSION_CODECS)('compression %s', (codec) => {
  it('round-trips through the broker to Java and KafkaJS consumers', async () => {
    const t = await topic(`codec-${codec}`);
    const producer = newProducer({ 'compression.codec': codec, 'queue.buffering.max.ms': 5 });
    const values = Array.from({ length: 40 }, (_, i) => `${codec}-${i}-${'compressible '.repeat(20)}`);
    const requests: string[] = [];
    producer.on('request.dispatched', (e) => requests.push(e.compression));
    const reports = await producer.produceManySync(values.map((payload, i) => ({ topic: t, key: `k${i}`, payload })));
    expect(reports.map((r) => r.offset)).toEqual(values.map((_, i) => String(i)));
    expect(requests).toEqual([codec]);
    const java = await javaConsoleConsume(t, values.length);
    expect(java.map((r) => r.value)).toEqual(values);
    const read = await readTopic(t, (records) => records.length >= values.length);
    expect(read.map((r) => r.value)).toEqual(values);
  });
});
