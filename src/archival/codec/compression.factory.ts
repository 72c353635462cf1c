import { CompressionName } from '../archival-options';
import { Compression } from './compression.interface';
import { GzipCompression } from './gzip.compression';
import { NoCompression } from './none.compression';
import { ZstdCompression } from './zstd.compression';

export async function createCompression(name: CompressionName): Promise<Compression> {
  switch (name) {
    case 'gzip':
      return new GzipCompression();
    case 'zstd':
      return ZstdCompression.create();
    case 'none':
      return new NoCompression();
  }
}

/** Finds the compression from an archive's extension, for reading archives written under other settings. */
export function compressionOfKey(key: string): CompressionName {
  if (key.endsWith('.gz')) return 'gzip';
  if (key.endsWith('.zst')) return 'zstd';
  return 'none';
}
