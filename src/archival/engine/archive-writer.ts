/**
 * encode → compress → hash → write, as one stream: the canonical lines are
 * hashed as they go by (content), compressed, hashed again (stored bytes) and
 * handed to the storage provider, never buffered whole.
 */
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Compression } from '../codec/compression.interface';
import { HashingStream } from '../codec/hashing.stream';
import { StorageProvider } from '../storage/storage-provider.interface';

export interface WrittenArchive {
  key: string;
  storedBytes: number;
  storedSha256: string;
  contentBytes: number;
  contentSha256: string;
}

export async function writeArchive(
  storage: StorageProvider,
  key: string,
  lines: Readable,
  compression: Compression,
): Promise<WrittenArchive> {
  const content = new HashingStream();
  const stored = new HashingStream();
  const body = new PassThrough({ highWaterMark: 1024 * 1024 });
  const upload = storage.write(key, body);
  // If storage gives up first, the pipeline must not wait on a reader that is gone.
  upload.catch((error: Error) => body.destroy(error));
  await Promise.all([pipeline(lines, content, compression.compressor(), stored, body), upload]);
  return {
    key,
    storedBytes: stored.bytes,
    storedSha256: stored.digest(),
    contentBytes: content.bytes,
    contentSha256: content.digest(),
  };
}
