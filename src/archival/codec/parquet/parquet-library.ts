/**
 * parquetjs-lite, kept to read the archives it wrote before issue 15 (new
 * ones are written by parquet-stream-writer.ts and read by
 * parquet-typed-reader.ts). The library looks types and codecs up in two
 * exported tables; this module extends them once per process, for reading:
 * - ZSTD (thrift codec 6) in PARQUET_COMPRESSION_METHODS, backed by zstd-codec;
 * - archival readers retag TIMESTAMP_MICROS and DATE columns so that values
 *   come back as raw integers, not as millisecond Date objects, UTF8 columns
 *   so that a value over 1 MiB comes back as its bytes (a view of the page,
 *   not one more copy as a string), and read from memory (ParquetBytes),
 *   never from a file.
 */
import { CorruptArchiveError } from '../../archival.errors';
import { ZstdCompression } from '../zstd.compression';
import { ParquetBytes } from './parquet-bytes';

/* eslint-disable @typescript-eslint/no-require-imports */
type Convert = (value: unknown) => unknown;
interface TypeDef {
  primitiveType: string;
  originalType?: string;
  toPrimitive: Convert;
  fromPrimitive?: Convert;
}

export interface ParquetField {
  name: string;
  originalType?: string;
  primitiveType?: string;
}

export interface ParquetReaderInstance {
  schema: { fieldList: Record<string, ParquetField> };
  getRowCount(): number | bigint;
  getCursor(): { next(): Promise<Record<string, unknown> | null> };
  close(): Promise<void>;
}

/** Reads `length` bytes at `offset` of the file (parquetjs-lite's envelope reader asks for ranges). */
type ReadRange = (offset: number, length: number, externalFile?: string) => Promise<Buffer>;

interface ParquetLibrary {
  ParquetReader: { openEnvelopeReader(envelope: object): Promise<ParquetReaderInstance> };
  ParquetEnvelopeReader: new (read: ReadRange, close: () => void, fileSize: number) => object;
}

const parquet = require('parquetjs-lite') as ParquetLibrary;
const types = require('parquetjs-lite/lib/types') as { PARQUET_LOGICAL_TYPES: Record<string, TypeDef> };
const codecs = require('parquetjs-lite/lib/compression') as {
  PARQUET_COMPRESSION_METHODS: Record<string, { deflate(value: Buffer): Buffer; inflate(value: Buffer): Buffer }>;
};

/** Read-side type names whose values stay raw (BigInt microseconds, integer days). */
const RAW_TIMESTAMP = 'ARCHIVAL_RAW_TIMESTAMP_MICROS';
const RAW_DATE = 'ARCHIVAL_RAW_DATE';
/** Read-side UTF8: a value longer than LONG_TEXT_AS_BYTES stays bytes (a view of its page), shorter ones are strings. */
const RAW_TEXT = 'ARCHIVAL_RAW_TEXT';
const LONG_TEXT_AS_BYTES = 1024 * 1024;

let zstdRegistered: ZstdCompression | undefined;

export function setUpParquet(zstd: ZstdCompression): void {
  if (!zstdRegistered) {
    zstdRegistered = zstd;
    codecs.PARQUET_COMPRESSION_METHODS.ZSTD = {
      deflate: () => {
        throw new Error('parquetjs-lite no longer writes archives (parquet-stream-writer.ts does)');
      },
      inflate: (value) => zstd.decompressSync(value),
    };
  }
  const table = types.PARQUET_LOGICAL_TYPES;
  if (table[RAW_TIMESTAMP]) return;
  table[RAW_TIMESTAMP] = { primitiveType: 'INT64', toPrimitive: (v) => v };
  table[RAW_TEXT] = {
    primitiveType: 'BYTE_ARRAY',
    toPrimitive: (v) => v,
    fromPrimitive: (v) => ((v as Buffer).length > LONG_TEXT_AS_BYTES ? v : (v as Buffer).toString('utf8')),
  };
  table[RAW_DATE] = { primitiveType: 'INT32', toPrimitive: (v) => v };
}

/** Opens a Parquet file held in memory for exact reading: timestamps as BigInt microseconds, dates as day numbers. */
export async function openExactReader(bytes: ParquetBytes): Promise<ParquetReaderInstance> {
  const read: ReadRange = async (offset, length, externalFile) => {
    if (externalFile) throw new CorruptArchiveError(`column chunks in another file (${externalFile}) are not supported`);
    return bytes.read(offset, length);
  };
  const envelope = new parquet.ParquetEnvelopeReader(read, () => undefined, bytes.size);
  const reader = await parquet.ParquetReader.openEnvelopeReader(envelope);
  for (const field of Object.values(reader.schema.fieldList)) {
    if (field.originalType === 'TIMESTAMP_MICROS') field.originalType = RAW_TIMESTAMP;
    else if (field.originalType === 'DATE') field.originalType = RAW_DATE;
    else if (field.originalType === 'UTF8') field.originalType = RAW_TEXT;
  }
  return reader;
}
