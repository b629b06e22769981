// The codec that compresses a batch's records section: the very codecs the producer already
// supports (compression/codecs.ts registers snappy, lz4 and zstd with KafkaJS; gzip is KafkaJS's
// own), looked up through KafkaJS's public CompressionCodecs, so a batch the new encoder writes
// is compressed exactly as one KafkaJS writes (raw snappy block, LZ4 frame, zstd frame, gzip).
// It must never give a compressor for a codec that is not registered: that is a construction
// error (ensureCodec's message), not a send-time surprise.
import { CompressionCodecs } from 'kafkajs';
import { compressionType, ensureCodec } from '../compression/codecs';
import type { CompressionCodecName } from '../types';

/** Compresses the concatenated records of one batch. */
export interface BatchCompressor {
  readonly name: Exclude<CompressionCodecName, 'none'>;
  /** The codec's value in a batch's attributes (bits 0-2). */
  readonly attribute: number;
  compress(records: Buffer): Promise<Buffer>;
}

interface KafkaJsCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
}

/**
 * The compressor of `name`, or null for 'none'. Throws when the codec's package cannot be loaded.
 */
export function batchCompressor(name: CompressionCodecName): BatchCompressor | null {
  if (name === 'none') return null;
  const unavailable = ensureCodec(name);
  if (unavailable !== null) throw new Error(`compression codec '${name}' ${unavailable}`);
  const attribute = compressionType(name);
  const lookup = (CompressionCodecs as Record<number, (() => KafkaJsCodec) | undefined>)[attribute];
  if (lookup === undefined) throw new Error(`compression codec '${name}' is not registered with KafkaJS`);
  const codec = lookup();
  return {
    name,
    attribute,
    // the codecs read only `buffer` of the KafkaJS Encoder they are given
    compress: (records) => codec.compress({ buffer: records }),
  };
}
