// Claim: docs/producer.md documents every error code, every `kafka` setting and every event the
// code has — adding one without documenting it fails here.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultKafkaSettings, PRODUCER_ERROR_CODES, producerKafkaAliases, producerKafkaHints, resolveProducerOptions, SECURITY_SETTING_ALIASES } from '@decanter/producer';

const doc = readFileSync(resolve(__dirname, '../../../../docs/producer.md'), 'utf8');
const section = (title: string): string => {
  const start = doc.indexOf(`## ${title}`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
};

it('lists every error code in the Errors table', () => {
  for (const code of PRODUCER_ERROR_CODES) expect(section('Errors')).toContain(`| \`${code}\` |`);
});

it('lists every kafka setting with its default in the Options table', () => {
  const options = section('Options');
  for (const [key, value] of Object.entries(defaultKafkaSettings)) {
    const row = options.split('\n').find((l) => l.startsWith(`| \`${key}\``));
    expect(row).toBeDefined();
    expect(row).toContain(typeof value === 'string' ? `'${value}'` : `\`${value}\``);
  }
  // keys without a default (required or optional) are documented too
  for (const key of ['bootstrap.servers', 'client.id', 'enable.idempotence', 'transactional.id', 'sasl.mechanisms', 'acks', 'compression.type']) {
    expect(options).toContain(`\`${key}\``);
  }
  // and nothing undocumented is accepted: an unknown key fails
  expect(() => resolveProducerOptions({ kafka: { 'bootstrap.servers': 'a:1', ['undocumented.key' as 'acks']: 1 } })).toThrow(/undocumented.key/);
});

it("lists every Java name accepted (in the settings table and the table of Java names) and every one refused", () => {
  const options = section('Options');
  for (const [alias, name] of Object.entries({ ...producerKafkaAliases, ...SECURITY_SETTING_ALIASES })) {
    expect(options).toContain(`| \`${alias}\` | \`${name}\` |`);
    expect(options).toContain(`\`${name}\` (alias \`${alias}\`)`);
  }
  for (const key of Object.keys(producerKafkaHints)) expect(options).toContain(`\`${key}\``);
});

it('lists every event', () => {
  const events = [
    'message.produced_sync', 'message.produced_async', 'messages.produced_sync', 'messages.produced_async',
    'message.buffered', 'messages.buffered', 'buffer.flushed_sync', 'buffer.flushed_async', 'message.acknowledged',
    'request.dispatched', 'request.completed', 'producer.connected', 'producer.closing', 'producer.closed', 'error.occurred',
  ] satisfies Array<keyof import('@decanter/producer').ProducerEvents>;
  for (const name of events) expect(section('Events')).toContain(`\`${name}\``);
});
