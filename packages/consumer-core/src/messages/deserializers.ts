import type { BuiltInDeserializer } from '../routing/routes';
import type { Deserializer } from './message';

/** The built-in deserializers, by the name a route uses. */
export const builtInDeserializers: Readonly<Record<BuiltInDeserializer, Deserializer>> = Object.freeze({
  json: (raw) => (raw === null ? null : (JSON.parse(raw.toString('utf8')) as unknown)),
  string: (raw) => (raw === null ? null : raw.toString('utf8')),
  raw: (raw) => raw,
});
