// Keeps docs/consumer.md in sync with the code: every error code, every option, every event.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsumerErrorCodes, defaultAppOptions, defaultKafkaSettings, kafkaSettingAliases, kafkaSettingHints } from '@decanter/consumer-core';
import { SECURITY_SETTING_ALIASES } from '@decanter/producer';

const doc = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'consumer.md'), 'utf8');
const eventsSource = readFileSync(join(__dirname, '..', '..', 'src', 'events.ts'), 'utf8');

test.each(ConsumerErrorCodes.map((c) => [c]))('error code %s is documented', (code) => {
  expect(doc).toContain(`| \`${code}\` |`);
});

test.each([...Object.keys(defaultKafkaSettings), 'bootstrap.servers', 'group.id', 'ssl', 'sasl'].map((k) => [k]))(
  "kafka['%s'] is in the options table",
  (key) => {
    expect(doc).toMatch(new RegExp(`\\| \`${key.replace(/\./g, '\\.')}\`( \\(alias \`[a-z.]+\`\\))? \\|`));
  },
);

test.each(Object.entries({ ...kafkaSettingAliases, ...SECURITY_SETTING_ALIASES }))("the Java name %s of kafka['%s'] is in the options table and in the table of Java names", (alias, name) => {
  expect(doc).toContain(`\`${name}\` (alias \`${alias}\`)`);
  expect(doc).toContain(`| \`${alias}\` | \`${name}\` |`);
});

test.each(Object.keys(kafkaSettingHints).map((k) => [k]))('the Java setting %s that means something else is named in the docs', (key) => {
  expect(doc).toContain(`\`${key}\``);
});

test.each(Object.keys(defaultAppOptions).map((k) => [k]))('option %s is in the options table', (key) => {
  expect(doc).toMatch(new RegExp(`\\| \`${key}\`( / \`[a-z_.]+\`)* \\|`));
});

test('every event of AppEvents is documented', () => {
  const names = [...eventsSource.matchAll(/^ {2}'([a-z.]+)': \(event/gm)].map((m) => m[1]!);
  expect(names.length).toBeGreaterThan(10);
  for (const name of names) expect(doc).toContain(`\`${name}\``);
});

test('every error.occurred type is documented', () => {
  const block = /export type ErrorType =([^;]+);/.exec(eventsSource)![1]!;
  const types = [...block.matchAll(/'([a-z.]+)'/g)].map((m) => m[1]!);
  for (const type of types) expect(doc).toContain(`\`${type}\``);
});
