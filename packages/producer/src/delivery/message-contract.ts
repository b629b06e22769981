// The message contract a produce call checks before anything is queued: the types of topic,
// payload, key, partition, partitionKey, timestamp and headers, each refusal naming the field, and
// the record's estimated size against message.max.bytes. Per message and cheap: it runs on every
// produce. It must refuse whatever the encoder would refuse later, where one bad record would fail
// the whole request it is sent in.
import { MessageInvalidError, MessageTooLargeError } from '../errors';
import type { ProduceMessage } from '../types';

/** Record overhead we count on top of key + value + headers (varints, attributes, deltas). */
const RECORD_OVERHEAD_BYTES = 32;
const HEADER_OVERHEAD_BYTES = 10;

/** Throws MessageInvalidError / MessageTooLargeError for `message`; returns its estimated record bytes. */
export function checkMessage(message: ProduceMessage, messageMaxBytes: number, producerId: string): number {
  if (typeof message !== 'object' || message === null) throw new MessageInvalidError('message must be an object');
  const { topic, payload, key, partition, partitionKey, headers, timestamp } = message;
  if (typeof topic !== 'string' || topic.length === 0) {
    throw new MessageInvalidError(`message.topic must be a non-empty string (got ${JSON.stringify(topic)})`);
  }
  let bytes = RECORD_OVERHEAD_BYTES;
  if (payload === null) {
    // tombstone
  } else if (typeof payload === 'string') {
    bytes += Buffer.byteLength(payload);
  } else if (Buffer.isBuffer(payload)) {
    bytes += payload.length;
  } else {
    throw new MessageInvalidError(`message.payload must be a Buffer, a string or null (got ${typeof payload})`, {
      topic,
    });
  }
  if (key !== undefined && key !== null) {
    if (typeof key === 'string') bytes += Buffer.byteLength(key);
    else if (Buffer.isBuffer(key)) bytes += key.length;
    else throw new MessageInvalidError(`message.key must be a Buffer, a string or null (got ${typeof key})`, { topic });
  }
  if (partition !== undefined && (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0)) {
    throw new MessageInvalidError(`message.partition must be an integer >= 0 (got ${String(partition)})`, { topic });
  }
  if (partitionKey !== undefined && typeof partitionKey !== 'string') {
    throw new MessageInvalidError(`message.partitionKey must be a string (got ${typeof partitionKey})`, { topic });
  }
  // whole ms: a record's timestamp is an int64 of ms, and the encoder refuses a fraction (at
  // admission: it would otherwise fail the whole request the record is sent in)
  if (timestamp !== undefined && !Number.isSafeInteger(timestamp instanceof Date ? timestamp.getTime() : timestamp)) {
    throw new MessageInvalidError(
      `message.timestamp must be a whole number of ms or a valid Date (got ${String(timestamp)})`,
      { topic },
    );
  }
  if (headers !== undefined) {
    if (typeof headers !== 'object' || headers === null) {
      throw new MessageInvalidError(`message.headers must be an object (got ${String(headers)})`, { topic });
    }
    for (const name in headers) {
      const value = headers[name];
      bytes += Buffer.byteLength(name) + HEADER_OVERHEAD_BYTES;
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) {
        if (typeof v === 'string') bytes += Buffer.byteLength(v);
        else if (Buffer.isBuffer(v)) bytes += v.length;
        else
          throw new MessageInvalidError(`message.headers.${name} must be a string, a Buffer or an array of them`, {
            topic,
          });
      }
    }
  }
  if (bytes > messageMaxBytes) {
    throw new MessageTooLargeError(bytes, messageMaxBytes, { producerId: producerId, topic });
  }
  return bytes;
}
