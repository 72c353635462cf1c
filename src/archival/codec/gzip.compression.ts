import { constants, createGunzip, createGzip } from 'node:zlib';
import { Compression } from './compression.interface';

export class GzipCompression implements Compression {
  readonly name = 'gzip' as const;
  readonly extension = '.gz';

  // Level 6 is zlib's default trade-off; 256 KiB chunks cut per-chunk overhead.
  compressor() {
    return createGzip({ level: constants.Z_DEFAULT_COMPRESSION, chunkSize: 256 * 1024 });
  }

  decompressor() {
    return createGunzip({ chunkSize: 256 * 1024 });
  }
}
