// Compression codecs for KafkaJS. gzip is built into KafkaJS; snappy, lz4 and zstd come from
// optional peer packages (snappy, lz4-napi, zstd-napi) that ship or build native code. A codec is
// resolved and registered with KafkaJS's CompressionCodecs when a producer that names it is
// constructed, so a missing package is a construction error, never a first-send surprise.
// Registration is process-wide on purpose: KafkaJS consumers in the same process then decompress
// these codecs too. This module must never change how gzip/none behave.
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import type { CompressionCodecName } from '../types';

interface KafkaJsCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** KafkaJS's numeric compression type for a codec name. */
export function compressionType(name: CompressionCodecName): CompressionTypes {
  switch (name) {
    case 'none':
      return CompressionTypes.None;
    case 'gzip':
      return CompressionTypes.GZIP;
    case 'snappy':
      return CompressionTypes.Snappy;
    case 'lz4':
      return CompressionTypes.LZ4;
    case 'zstd':
      return CompressionTypes.ZSTD;
  }
}

/** The npm package each optional codec needs. */
export const CODEC_PACKAGES = { snappy: 'snappy', lz4: 'lz4-napi', zstd: 'zstd-napi' } as const;

const registered = new Set<CompressionCodecName>(['none', 'gzip']);

/**
 * Makes `name` usable by KafkaJS. Returns null on success, or why the codec is unavailable
 * (the package is not installed or failed to load).
 */
export function ensureCodec(name: CompressionCodecName): string | null {
  if (registered.has(name)) return null;
  const pkg = CODEC_PACKAGES[name as keyof typeof CODEC_PACKAGES];
  let codec: KafkaJsCodec;
  try {
    codec = buildCodec(name as keyof typeof CODEC_PACKAGES);
  } catch (error) {
    return (
      `needs the optional package '${pkg}' (add it to your project's dependencies), which could not be loaded: ` +
      (error instanceof Error ? error.message.split('\n')[0] : String(error))
    );
  }
  (CompressionCodecs as Record<number, () => KafkaJsCodec>)[compressionType(name)] = () => codec;
  registered.add(name);
  return null;
}

function buildCodec(name: keyof typeof CODEC_PACKAGES): KafkaJsCodec {
  switch (name) {
    case 'snappy':
      return snappyCodec(require('snappy') as SnappyModule);
    case 'lz4':
      return lz4Codec(require('lz4-napi') as Lz4Module);
    case 'zstd':
      return zstdCodec(require('zstd-napi') as ZstdModule);
  }
}

interface SnappyModule {
  compress(input: Buffer): Promise<Buffer>;
  uncompress(input: Buffer, options?: { asBuffer?: boolean }): Promise<Buffer | string>;
}

// Java clients write Snappy in xerial's framing (a 16-byte header, then length-prefixed raw
// Snappy blocks); Java reads both that and a bare raw block, which is what we write (as
// librdkafka and kafkajs-snappy do). Reading must accept both.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

function snappyCodec(snappy: SnappyModule): KafkaJsCodec {
  const raw = async (block: Buffer): Promise<Buffer> => {
    const out = await snappy.uncompress(block, { asBuffer: true });
    return typeof out === 'string' ? Buffer.from(out) : out;
  };
  return {
    compress: (encoder) => snappy.compress(encoder.buffer),
    async decompress(buffer) {
      if (buffer.length < 16 || !buffer.subarray(0, 8).equals(XERIAL_MAGIC)) return raw(buffer);
      const chunks: Buffer[] = [];
      for (let at = 16; at + 4 <= buffer.length; ) {
        const size = buffer.readUInt32BE(at);
        chunks.push(await raw(buffer.subarray(at + 4, at + 4 + size)));
        at += 4 + size;
      }
      return Buffer.concat(chunks);
    },
  };
}

interface Lz4Module {
  compressFrame(input: Buffer): Promise<Buffer>;
  decompressFrame(input: Buffer): Promise<Buffer>;
}

// Kafka's LZ4 is the LZ4 *frame* format (KIP-57 fixed the header checksum), not bare blocks.
function lz4Codec(lz4: Lz4Module): KafkaJsCodec {
  return {
    compress: (encoder) => lz4.compressFrame(encoder.buffer),
    decompress: (buffer) => lz4.decompressFrame(buffer),
  };
}

interface ZstdModule {
  compress(input: Buffer): Buffer;
  decompress(input: Buffer): Buffer;
}

function zstdCodec(zstd: ZstdModule): KafkaJsCodec {
  return {
    compress: async (encoder) => zstd.compress(encoder.buffer),
    decompress: async (buffer) => zstd.decompress(buffer),
  };
}
