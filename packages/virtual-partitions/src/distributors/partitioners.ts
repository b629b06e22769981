// Partitioners: what virtual key a message belongs to. They run on the main thread, before
// anything is deserialized, and see only the message's key, headers, partition and offset.
// Built-ins by name: 'key' (the message key), 'header:<name>' (a header's value), 'round-robin'
// (spreads messages evenly, keeping no key's order).

/** What a partitioner sees of a message. */
export interface PartitionableMessage {
  readonly key: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer | string | Array<Buffer | string> | undefined>> | undefined;
  readonly partition: number;
  readonly offset: number;
}

/** A virtual key: messages with equal keys stay in one virtual partition, in order. */
export type VirtualKey = string | number | Buffer | null | undefined;

/** Maps a message to its virtual key. */
export type Partitioner = (message: PartitionableMessage) => VirtualKey;

/** The built-in partitioners, by the names a route may give. */
export type BuiltInPartitioner = 'key' | 'round-robin' | `header:${string}`;

export const byKey: Partitioner = (m) => m.key;

export function byHeader(name: string): Partitioner {
  return (m) => {
    const value = m.headers?.[name];
    return Array.isArray(value) ? value[0] : value;
  };
}

/** Each call a new key: consecutive messages spread over every virtual partition. */
export function roundRobin(): Partitioner {
  let next = 0;
  return () => next++;
}

/** The partitioner a route names (a function is taken as it is). */
export function partitionerOf(definition: Partitioner | BuiltInPartitioner): Partitioner {
  if (typeof definition === 'function') return definition;
  if (definition === 'key') return byKey;
  if (definition === 'round-robin') return roundRobin();
  return byHeader(definition.slice('header:'.length));
}
