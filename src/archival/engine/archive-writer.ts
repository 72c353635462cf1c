/**
 * encode → compress → encrypt → hash → write, as one stream: the format
 * digests the content as it goes by, the stored bytes are hashed on their way
 * to the storage provider, and nothing is buffered whole.
 */
import { PassThrough, Readable } from 'node:stream';
import { ArchiveCodec } from '../codec/archive-codec';
import { runStages } from '../codec/archive-format';
import { EncryptionInfo } from '../codec/encryption';
import { HashingStream } from '../codec/hashing.stream';
import { MID_MULTIPART_BYTES } from './archival-hooks';
import { ColumnInfo } from '../codec/jsonl.format';
import { StorageProvider } from '../storage/storage-provider.interface';

export interface WrittenArchive {
  key: string;
  storedBytes: number;
  storedSha256: string;
  contentBytes: number;
  contentSha256: string;
  encryption: EncryptionInfo | null;
}

export interface WriteRequest {
  /** The new object's storage key (create-only). */
  key: string;
  /** The rows as lines, from the row source. */
  lines: Readable;
  codec: ArchiveCodec;
  columns: ColumnInfo[];
  keyColumn: string;
  /** Called once, when MID_MULTIPART_BYTES of stored bytes went to storage (fault injection). */
  onMidWrite?: () => unknown;
}

export async function writeArchive(storage: StorageProvider, request: WriteRequest): Promise<WrittenArchive> {
  const { key, lines, codec, columns, keyColumn, onMidWrite } = request;
  const encoder = codec.encoder(columns, keyColumn);
  const stored = new HashingStream(onMidWrite && { bytes: MID_MULTIPART_BYTES, call: onMidWrite });
  const body = new PassThrough({ highWaterMark: 1024 * 1024 });
  const upload = storage.write(key, body);
  // If storage gives up first, the pipeline must not wait on a reader that is gone.
  upload.catch((error: Error) => body.destroy(error));
  await Promise.all([runStages([lines, ...encoder.stages, stored, body]), upload]);
  const content = encoder.content();
  return {
    key,
    storedBytes: stored.bytes,
    storedSha256: stored.digest(),
    contentBytes: content.bytes,
    contentSha256: content.sha256,
    encryption: encoder.encryption,
  };
}
