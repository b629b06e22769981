// Claim: every configuration path is written one way — the JavaScript expression that reads the
// key: identifiers after a dot, any other key bracket-quoted, array items by index.
import { configPath } from '@decanter/producer';

it.each<[string, Array<string | number>, string]>([
  ['kafka', ['linger.ms'], "kafka['linger.ms']"],
  ['options', ['maxMessages'], 'options.maxMessages'],
  ['', ['id'], 'id'],
  ['', ['linger.ms'], "['linger.ms']"],
  ['routes', [0, 'topics', 1, 'kafka', 'fetch.min.bytes'], "routes[0].topics[1].kafka['fetch.min.bytes']"],
  ['options', ['max_messages'], 'options.max_messages'],
  ['options', ['$x', '2fast', 'a-b', "it's"], "options.$x['2fast']['a-b']['it\\'s']"],
])('configPath(%p, %p) is %p', (base, keys, expected) => {
  expect(configPath(base, ...keys)).toBe(expected);
});
