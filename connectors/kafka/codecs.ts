/**
 * The record-batch codecs producers use besides gzip: snappy, lz4 and zstd, for reading only (the
 * Source never produces). Each takes a batch's compressed records and gives them back
 * decompressed; client.ts registers them with the client once. Nothing here knows kafkajs, so the
 * decoders outlive a change of client library (docs/architecture.md, "The Kafka Source").
 *
 * - snappy: snappyjs (pure JS). Java producers frame snappy data the way snappy-java's
 *   SnappyOutputStream does ("xerial" framing: a 16-byte header, then length-prefixed blocks);
 *   librdkafka and Go producers send one raw snappy block. Both are read.
 * - lz4: lz4-napi (lz4_flex, prebuilt N-API binaries, no install script). Kafka's lz4 is the
 *   standard LZ4 frame format (record batch format v2, KIP-57). Loaded on the first lz4 batch, so
 *   a platform without its binary fails on lz4 batches only, with a message saying why.
 * - zstd: fzstd (pure JS; Node 20's zlib has no zstd). It reads concatenated frames and frames
 *   that do not state their decompressed size, as librdkafka's streaming compressor writes them.
 */
import { createRequire } from 'node:module';
import { decompress as zstdDecompress } from 'fzstd';
import { uncompress as snappyUncompress } from 'snappyjs';

export type Decompress = (compressed: Buffer) => Promise<Buffer>;

/** snappy-java's stream header: 0x82 "SNAPPY" 0x00, then a version and a compatible version. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

export const decompressSnappy: Decompress = async (compressed) => {
  if (compressed.length < XERIAL_HEADER_BYTES || !compressed.subarray(0, 8).equals(XERIAL_MAGIC))
    return snappyUncompress(compressed);
  const blocks: Buffer[] = [];
  let at = XERIAL_HEADER_BYTES;
  while (at < compressed.length) {
    if (at + 4 > compressed.length) throw new Error('truncated xerial-framed snappy data (block length)');
    const length = compressed.readUInt32BE(at);
    at += 4;
    if (at + length > compressed.length) throw new Error('truncated xerial-framed snappy data (block)');
    blocks.push(snappyUncompress(compressed.subarray(at, at + length)));
    at += length;
  }
  return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
};

type Lz4Napi = typeof import('lz4-napi');
let lz4: Lz4Napi | undefined;

export const decompressLz4: Decompress = async (compressed) => {
  if (lz4 === undefined) {
    try {
      lz4 = createRequire(import.meta.url)('lz4-napi') as Lz4Napi;
    } catch (error) {
      throw new Error(
        `lz4-compressed records cannot be read: the lz4-napi module has no binary for this platform (${(error as Error).message})`,
      );
    }
  }
  return lz4.decompressFrame(compressed);
};

export const decompressZstd: Decompress = async (compressed) => {
  const out = zstdDecompress(compressed);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
};
