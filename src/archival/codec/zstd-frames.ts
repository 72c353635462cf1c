/**
 * Zstandard frame boundaries (RFC 8878 §3.1), so a stream of frames can be
 * decompressed frame by frame with a one-shot decoder in bounded memory.
 */
import { CorruptArchiveError } from '../archival.errors';

export const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

export interface FrameInfo {
  /** Bytes of the whole frame; undefined until all of it is in `buffer`. */
  length: number | undefined;
  /** Decompressed size from the frame header, when the encoder wrote it. */
  contentSize: number | undefined;
  /**
   * Most the frame (as far as it is in `buffer`) can decompress to: its
   * content size, or its blocks × 128 KiB (a block never decodes to more).
   */
  maxContentSize: number;
  skippable: boolean;
}

const BLOCK_MAX = 128 * 1024;

/** Describes the frame at the start of `buffer`; undefined when even its header is incomplete. */
export function frameAt(buffer: Buffer): FrameInfo | undefined {
  if (buffer.length < 8) return undefined;
  const magic = buffer.readUInt32LE(0);
  if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
    const length = 8 + buffer.readUInt32LE(4);
    return { length: length <= buffer.length ? length : undefined, contentSize: 0, maxContentSize: 0, skippable: true };
  }
  if (magic !== ZSTD_MAGIC) throw new CorruptArchiveError(`not a zstd frame (magic ${magic.toString(16)})`);
  const descriptor = buffer[4];
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const checksum = (descriptor >> 2) & 1;
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 3];
  const fcsBytes = fcsFlag === 0 ? singleSegment : [0, 2, 4, 8][fcsFlag];
  let position = 5 + (singleSegment ? 0 : 1) + dictionaryBytes;
  if (buffer.length < position + fcsBytes) return undefined;
  let contentSize: number | undefined;
  if (fcsBytes === 1) contentSize = buffer[position];
  else if (fcsBytes === 2) contentSize = buffer.readUInt16LE(position) + 256;
  else if (fcsBytes === 4) contentSize = buffer.readUInt32LE(position);
  else if (fcsBytes === 8) contentSize = Number(buffer.readBigUInt64LE(position));
  position += fcsBytes;
  let blocks = 0;
  const bound = () => contentSize ?? blocks * BLOCK_MAX;
  for (;;) {
    if (buffer.length < position + 3) return { length: undefined, contentSize, maxContentSize: bound(), skippable: false };
    blocks++;
    const header = buffer[position] | (buffer[position + 1] << 8) | (buffer[position + 2] << 16);
    const last = header & 1;
    const type = (header >> 1) & 3;
    if (type === 3) throw new CorruptArchiveError('corrupt zstd frame (reserved block type)');
    position += 3 + (type === 1 ? 1 : header >>> 3);
    if (last) break;
  }
  position += checksum ? 4 : 0;
  return { length: position <= buffer.length ? position : undefined, contentSize, maxContentSize: bound(), skippable: false };
}
