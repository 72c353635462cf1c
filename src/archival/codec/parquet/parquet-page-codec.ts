/**
 * How Parquet pages are compressed: GZIP, ZSTD or UNCOMPRESSED column chunks,
 * by the codec number parquet.thrift gives them. Writing uses the archive's
 * compression; reading goes by the codec each column chunk names, and a page
 * that does not decompress to the size its header states is corrupt.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { ArchivalError, CorruptArchiveError } from '../../archival.errors';
import { Compression } from '../compression.interface';
import { ZstdCompression } from '../zstd.compression';
import { PageCodec } from './parquet-file-writer';
import { PageInflate } from './parquet-file-reader';

export const CODEC_ID = { none: 0, gzip: 2, zstd: 6 } as const;

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

let zstdPages: ZstdCompression | undefined;

/** Once per process: the zstd implementation pages are compressed with. */
export function setUpParquet(zstd: ZstdCompression): void {
  zstdPages ??= zstd;
}

function zstd(): ZstdCompression {
  if (!zstdPages) throw new Error('Parquet zstd pages need setUpParquet() first');
  return zstdPages;
}

export function pageCodec(compression: Compression): PageCodec {
  switch (compression.name) {
    case 'gzip':
      return { id: CODEC_ID.gzip, compress: (values) => gzipAsync(values) };
    case 'zstd':
      return { id: CODEC_ID.zstd, compress: (values) => zstd().compressPage(values) };
    case 'none':
      return { id: CODEC_ID.none, compress: async (values) => values };
  }
}

export function pageInflate(what: string): PageInflate {
  return async (codec, bytes, size) => {
    let out: Buffer;
    try {
      if (codec === CODEC_ID.none) out = bytes;
      else if (codec === CODEC_ID.gzip) out = await gunzipAsync(bytes, { maxOutputLength: Math.max(size, 1) });
      else if (codec === CODEC_ID.zstd) out = await zstd().decompressPage(bytes, size);
      else throw new CorruptArchiveError(`${what}: compression codec ${codec} is not supported`);
    } catch (error) {
      // A corrupt page, or a codec that cannot be loaded (zstd-codec): either is said as it is.
      if (error instanceof ArchivalError) throw error;
      throw new CorruptArchiveError(`${what}: a page does not decompress (${String((error as Error)?.message ?? error)})`);
    }
    if (out.length !== size) throw new CorruptArchiveError(`${what}: a page decompressed to ${out.length} bytes, its header says ${size}`);
    return out;
  };
}
