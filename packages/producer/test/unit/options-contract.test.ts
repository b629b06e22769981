// Claim: every option is checked at construction and every broken rule is reported at once,
// naming the key's full path, the rule and the value; the resolved options are complete and frozen.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError, defaultKafkaSettings, resolveProducerOptions, type ProducerOptions } from '@decanter/producer';

const base = { 'bootstrap.servers': '127.0.0.1:9092' };
const tlsFixture = (name: string): string => join(__dirname, 'fixtures', 'tls', name);

function issues(options: unknown): string[] {
  try {
    resolveProducerOptions(options as ProducerOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).message.split('\n').slice(1).map((l) => l.replace(/^ {2}- /, ''));
  }
  throw new Error('expected a ConfigurationError');
}

describe('resolveProducerOptions', () => {
  it('applies the documented defaults and freezes the result', () => {
    const o = resolveProducerOptions({ kafka: base });
    expect(o).toMatchObject({
      id: 'decanter-producer',
      clientId: 'decanter-producer',
      brokers: ['127.0.0.1:9092'],
      lingerMs: 5,
      batchSizeBytes: 1_000_000,
      batchMaxMessages: 500,
      compression: 'none',
      acks: -1,
      messageTimeoutMs: 300_000,
      queueMaxMessages: 100_000,
      queueMaxBytes: 1_048_576 * 1024,
      messageMaxBytes: 1_000_000,
      maxInFlight: 5,
      idempotent: false,
      maxWaitTimeoutMs: 5_000,
    });
    expect(Object.isFrozen(o)).toBe(true);
    expect(defaultKafkaSettings['queue.buffering.max.ms']).toBe(5);
  });

  it('normalises aliases: acks all, compression.type, transactional.id implies idempotence', () => {
    const o = resolveProducerOptions({ kafka: { ...base, acks: 'all', 'compression.type': 'gzip', 'transactional.id': 'tx' } });
    expect([o.acks, o.compression, o.idempotent, o.maxInFlight]).toEqual([-1, 'gzip', true, 1]);
  });

  it("accepts the Java client's names where they mean the same: linger.ms, delivery.timeout.ms, sasl.mechanism", () => {
    const o = resolveProducerOptions({ kafka: { ...base, 'linger.ms': 20, 'delivery.timeout.ms': 120_000 } });
    expect([o.lingerMs, o.messageTimeoutMs]).toEqual([20, 120_000]);
    const sasl = resolveProducerOptions({ kafka: { ...base, 'security.protocol': 'sasl_plaintext', 'sasl.mechanism': 'PLAIN', 'sasl.username': 'u', 'sasl.password': 'p' } });
    expect(sasl.sasl).toEqual({ mechanism: 'plain', username: 'u', password: 'p' });
    // both names with the same value (acks -1 and 'all' are the same) is not a conflict
    const both = resolveProducerOptions({ kafka: { ...base, 'linger.ms': 7, 'queue.buffering.max.ms': 7, acks: 'all', 'request.required.acks': -1 } });
    expect([both.lingerMs, both.acks]).toEqual([7, -1]);
  });

  it.each([
    [{ 'queue.buffering.max.ms': -1 }, `kafka['queue.buffering.max.ms'] must be an integer between 0 and 900000 (got -1)`],
    [{ 'batch.size': 0 }, `kafka['batch.size'] must be an integer between 1 and 2147483647 (got 0)`],
    [{ 'batch.num.messages': 1.5 }, `kafka['batch.num.messages'] must be an integer between 1 and 1000000 (got 1.5)`],
    [{ 'compression.codec': 'brotli' }, `kafka['compression.codec'] must be one of "none", "gzip", "snappy", "lz4", "zstd" (got "brotli")`],
    [{ 'request.required.acks': 2 }, `kafka['request.required.acks'] must be one of 0, 1, -1, "all" (got 2)`],
    [{ acks: '1' }, 'kafka.acks must be one of 0, 1, -1, "all" (got "1")'],
    [{ 'message.timeout.ms': 0 }, `kafka['message.timeout.ms'] must be an integer between 1 and 2147483647 (got 0)`],
    [{ 'queue.buffering.max.messages': 0 }, `kafka['queue.buffering.max.messages'] must be an integer between 1 and 2147483647 (got 0)`],
    [{ 'queue.buffering.max.kbytes': 'many' }, `kafka['queue.buffering.max.kbytes'] must be an integer between 1 and 2147483647 (got "many")`],
    [{ 'message.max.bytes': 10 }, `kafka['message.max.bytes'] must be an integer between 1000 and 1000000000 (got 10)`],
    [{ 'enable.idempotence': 'yes' }, `kafka['enable.idempotence'] must be a boolean (got "yes")`],
    [{ 'transactional.id': '' }, `kafka['transactional.id'] must be a non-empty string (got "")`],
    [{ 'client.id': 7 }, `kafka['client.id'] must be a non-empty string (got 7)`],
    [{ 'bootstrap.servers': 'localhost' }, "kafka['bootstrap.servers'] must be a comma-separated list of host:port (e.g. '127.0.0.1:9092') (got \"localhost\")"],
    [{ 'linger.ms': -1 }, `kafka['linger.ms'] must be an integer between 0 and 900000 (got -1)`],
    [{ 'delivery.timeout.ms': 0 }, `kafka['delivery.timeout.ms'] must be an integer between 1 and 2147483647 (got 0)`],
    [{ 'compression.type': 'brotli' }, `kafka['compression.type'] must be one of "none", "gzip", "snappy", "lz4", "zstd" (got "brotli")`],
    [{ 'sasl.mechanism': 'GSSAPI' }, `kafka['sasl.mechanism'] must be one of "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512" (got "GSSAPI")`],
    [{ 'frobnicate.ms': 5 }, `kafka['frobnicate.ms'] is not a known setting (the list: https://github.com/decanter-kafka/decanter/blob/main/docs/producer.md#kafka-settings) (got 5)`],
    [{ 'lingr.ms': 5 }, `kafka['lingr.ms'] is not a known setting; did you mean 'linger.ms'? (got 5)`],
    [{ 'queue.bufering.max.ms': 5 }, `kafka['queue.bufering.max.ms'] is not a known setting; did you mean 'queue.buffering.max.ms'? (got 5)`],
    [{ 'max.request.size': 2_000_000 }, `kafka['max.request.size'] is not a known setting: the Java client's request size limit has no exact equivalent; message.max.bytes bounds one message (and one batch) (got 2000000)`],
    [{ 'buffer.memory': 33_554_432 }, `kafka['buffer.memory'] is not a known setting: the Java client's bytes have no exact equivalent; queue.buffering.max.kbytes bounds the queue, in KiB (got 33554432)`],
    [{ 'security.protocol': 'tls' }, `kafka['security.protocol'] must be one of "plaintext", "ssl", "sasl_plaintext", "sasl_ssl" (in any case) (got "tls")`],
  ])('rejects %p', (kafka, message) => {
    expect(issues({ kafka: { ...base, ...kafka } })).toEqual([message]);
  });

  it.each([
    [{ acks: 0, 'enable.idempotence': true }, "kafka.acks must be -1 or 'all' with kafka['enable.idempotence'] (or kafka['transactional.id']) (got 0)"],
    [{ 'request.required.acks': 1, 'transactional.id': 'tx' }, "kafka['request.required.acks'] must be -1 or 'all' with kafka['enable.idempotence'] (or kafka['transactional.id']) (got 1)"],
    [{ 'transactional.id': 'tx', 'enable.idempotence': false }, `kafka['enable.idempotence'] must be true (or unset) when kafka['transactional.id'] is set (got false)`],
    [{ 'enable.idempotence': true, 'max.in.flight.requests.per.connection': 6 }, `kafka['max.in.flight.requests.per.connection'] must be <= 5 with kafka['enable.idempotence'] (got 6)`],
    [{ acks: 1, 'request.required.acks': 0 }, `kafka['request.required.acks'] conflicts with its alias kafka.acks (1) (got 0)`],
    [{ 'compression.codec': 'gzip', 'compression.type': 'none' }, `kafka['compression.codec'] conflicts with its alias kafka['compression.type'] ("none") (got "gzip")`],
    [{ 'queue.buffering.max.ms': 10, 'linger.ms': 5 }, `kafka['queue.buffering.max.ms'] conflicts with its alias kafka['linger.ms'] (5) (got 10)`],
    [{ 'message.timeout.ms': 60_000, 'delivery.timeout.ms': 120_000 }, `kafka['message.timeout.ms'] conflicts with its alias kafka['delivery.timeout.ms'] (120000) (got 60000)`],
    [{ 'security.protocol': 'sasl_ssl', 'sasl.mechanisms': 'PLAIN', 'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.username': 'u', 'sasl.password': 'p' }, `kafka['sasl.mechanisms'] conflicts with its alias kafka['sasl.mechanism'] ("SCRAM-SHA-256") (got "PLAIN")`],
    [{ 'linger.ms': 5, 'transactional.id': 'tx', 'enable.idempotence': false }, `kafka['enable.idempotence'] must be true (or unset) when kafka['transactional.id'] is set (got false)`],
    [{ acks: 1, 'transactional.id': 'tx' }, "kafka.acks must be -1 or 'all' with kafka['enable.idempotence'] (or kafka['transactional.id']) (got 1)"],
    [{ 'security.protocol': 'sasl_plaintext', 'sasl.mechanism': 'PLAIN', 'sasl.password': 'p' }, `kafka['sasl.username'] is required with kafka['sasl.mechanism'] "PLAIN" (got undefined)`],
    [{ 'retry.backoff.ms': 500, 'retry.backoff.max.ms': 100 }, `kafka['retry.backoff.max.ms'] must be >= kafka['retry.backoff.ms'] (500) (got 100)`],
    [{ 'security.protocol': 'sasl_ssl' }, `kafka['sasl.mechanisms'] is required with kafka['security.protocol'] "sasl_ssl" (or pass KafkaJS sasl options) (got undefined)`],
    [{ 'ssl.ca.location': '/ca.pem' }, `kafka['ssl.ca.location'] has no effect unless kafka['security.protocol'] is 'ssl' or 'sasl_ssl' (got "/ca.pem")`],
    [{ 'ssl.key.password': 'hunter2' }, `kafka['ssl.key.password'] has no effect unless kafka['security.protocol'] is 'ssl' or 'sasl_ssl' (got "***")`],
    [{ 'sasl.username': 'u' }, `kafka['sasl.username'] has no effect unless kafka['security.protocol'] is 'sasl_plaintext' or 'sasl_ssl' (got "u")`],
    [{ 'security.protocol': 'sasl_plaintext', 'sasl.mechanisms': 'PLAIN', 'sasl.username': 'u' }, `kafka['sasl.password'] is required with kafka['sasl.mechanisms'] "PLAIN" (got undefined)`],
    [{ 'security.protocol': 'sasl_plaintext', 'sasl.mechanisms': 'PLAIN', 'sasl.username': 'u', 'sasl.password': 7 }, `kafka['sasl.password'] must be a string (got "***")`],
    [{ 'security.protocol': 'SSL', 'ssl.ca.location': '/no/such/ca.pem' }, `kafka['ssl.ca.location'] must name a readable PEM file (ENOENT) (got "/no/such/ca.pem")`],
    [{ 'security.protocol': 'ssl', 'ssl.certificate.location': __filename }, `kafka['ssl.key.location'] is required with kafka['ssl.certificate.location'] (TLS client authentication needs both) (got undefined)`],
  ])('rejects the impossible combination %p', (kafka, message) => {
    expect(issues({ kafka: { ...base, ...kafka } })).toEqual([message]);
  });

  it('rejects bad top-level options and a missing bootstrap.servers', () => {
    expect(issues({ kafka: {} })).toEqual([`kafka['bootstrap.servers'] is required (got undefined)`]);
    expect(issues({ kafka: 'x' })).toEqual(["kafka must be an object with at least 'bootstrap.servers' (got \"x\")"]);
    expect(issues({ kafka: base, id: 'has space' })).toEqual(['id must be a non-empty string of letters, digits, ".", "_" or "-" (got "has space")']);
    expect(issues({ kafka: base, maxWaitTimeoutMs: -5 })).toEqual(['maxWaitTimeoutMs must be an integer between 0 and 2147483647 (got -5)']);
    expect(issues({ kafka: base, lingerMs: 5 })).toEqual(['lingerMs is not a known option (known: kafka, id, maxWaitTimeoutMs, kafkaJsLogLevel, recordEncoder, ssl, sasl) (got 5)']);
    expect(issues({ kafka: base, maxWaitTimeoutMS: 5 })).toEqual(["maxWaitTimeoutMS is not a known option; did you mean 'maxWaitTimeoutMs'? (got 5)"]);
    expect(issues({ kafka: base, 'linger.ms': 5 })).toEqual(["['linger.ms'] is not a known option (known: kafka, id, maxWaitTimeoutMs, kafkaJsLogLevel, recordEncoder, ssl, sasl) (got 5)"]);
  });

  it("takes recordEncoder 'decanter' (the default) or 'kafkajs', with or without idempotence and transactions", () => {
    expect(resolveProducerOptions({ kafka: base }).recordEncoder).toBe('decanter');
    expect(resolveProducerOptions({ kafka: base, recordEncoder: 'kafkajs' }).recordEncoder).toBe('kafkajs');
    expect(issues({ kafka: base, recordEncoder: 'librdkafka' })).toEqual(['recordEncoder must be one of "kafkajs", "decanter" (got "librdkafka")']);
    expect(resolveProducerOptions({ kafka: { ...base, 'enable.idempotence': true }, recordEncoder: 'decanter' }).idempotent).toBe(true);
    expect(resolveProducerOptions({ kafka: { ...base, 'transactional.id': 'tx' }, recordEncoder: 'decanter' }).transactionalId).toBe('tx');
  });

  it('lists every broken rule in one error', () => {
    expect(issues({ kafka: { ...base, 'batch.size': -1, acks: 3, 'lingr.ms': 1 }, maxWaitTimeoutMs: 'x' })).toHaveLength(4);
  });

  it('turns the librdkafka TLS and SASL settings into KafkaJS ssl and sasl options (any case of security.protocol)', () => {
    const plain = resolveProducerOptions({ kafka: base });
    expect(plain.ssl).toBeUndefined();
    expect(plain.sasl).toBeUndefined();
    const tlsOnly = resolveProducerOptions({ kafka: { ...base, 'security.protocol': 'SSL' } });
    expect(tlsOnly.ssl).toBe(true);
    const o = resolveProducerOptions({
      kafka: {
        ...base,
        'security.protocol': 'SASL_SSL',
        'sasl.mechanisms': 'SCRAM-SHA-512',
        'sasl.username': 'u',
        'sasl.password': 'p',
        'ssl.ca.location': tlsFixture('client-cert.pem'), // any PEM certificate: its text becomes the trusted CA
        'ssl.certificate.location': tlsFixture('client-cert.pem'),
        'ssl.key.location': tlsFixture('client-key-encrypted.pem'),
        'ssl.key.password': 'test-pass',
        'enable.ssl.certificate.verification': false,
      },
    });
    expect(o.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
    const pem = (name: string): string => readFileSync(tlsFixture(name), 'utf8');
    expect(o.ssl).toEqual({ ca: [pem('client-cert.pem')], cert: pem('client-cert.pem'), key: pem('client-key-encrypted.pem'), passphrase: 'test-pass', rejectUnauthorized: false });
    // options.ssl wins over the settings
    const own = resolveProducerOptions({ kafka: { ...base, 'security.protocol': 'ssl', 'ssl.ca.location': '/not/read.pem' }, ssl: { ca: ['x'] } });
    expect(own.ssl).toEqual({ ca: ['x'] });
  });

  it('loads the TLS material at construction: a CA without a certificate, a wrong or missing key password, a key of another certificate', () => {
    const tls = { ...base, 'security.protocol': 'ssl' };
    const client = { 'ssl.certificate.location': tlsFixture('client-cert.pem'), 'ssl.key.location': tlsFixture('client-key-encrypted.pem') };
    expect(issues({ kafka: { ...tls, 'ssl.ca.location': tlsFixture('README.md') } })).toEqual([
      `kafka['ssl.ca.location'] must be a PEM file with at least one certificate (-----BEGIN CERTIFICATE-----) (got ${JSON.stringify(tlsFixture('README.md'))})`,
    ]);
    expect(issues({ kafka: { ...tls, ...client, 'ssl.key.password': 'not-it' } })).toEqual([`kafka['ssl.key.password'] does not decrypt kafka['ssl.key.location'] (got "***")`]);
    expect(issues({ kafka: { ...tls, ...client } })).toEqual([`kafka['ssl.key.password'] is required: kafka['ssl.key.location'] is encrypted (got undefined)`]);
    expect(issues({ kafka: { ...tls, ...client, 'ssl.key.location': tlsFixture('other-key.pem') } })).toEqual([
      `kafka['ssl.key.location'] must hold the private key of kafka['ssl.certificate.location'] (they do not match) (got ${JSON.stringify(tlsFixture('other-key.pem'))})`,
    ]);
  });

  it('accepts every codec that is installed (snappy, lz4, zstd are dev dependencies here)', () => {
    for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
      expect(resolveProducerOptions({ kafka: { ...base, 'compression.codec': codec } }).compression).toBe(codec);
    }
  });
});
