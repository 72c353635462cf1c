/**
 * parquetjs-lite, set up for exact archives. The library looks types and codecs
 * up in two exported tables; this module extends them once per process:
 * - ZSTD (thrift codec 6) in PARQUET_COMPRESSION_METHODS, backed by zstd-codec;
 * - toPrimitive of INT64 / TIMESTAMP_MICROS accepts BigInt as is (the stock
 *   version goes through parseInt and loses precision above 2^53), DATE and
 *   TIMESTAMP_MICROS accept values before 1970, FLOAT / DOUBLE accept NaN.
 *   Inputs the stock functions accepted behave exactly as before.
 * - memory: UTF8 and BYTE_ARRAY take a Buffer as it is (the stock versions
 *   copy it), and PLAIN-encoding BYTE_ARRAY values copies each value once
 *   into the page (the stock version copies it twice); the bytes written are
 *   the same. For a 50 MB value that is one or two 50 MB copies fewer; a
 *   long value read from a typed line is not copied at all (typed-line.ts).
 * - reading: archival readers retag TIMESTAMP_MICROS and DATE columns so that
 *   values come back as raw integers, not as millisecond Date objects, UTF8
 *   columns so that a value over 1 MiB comes back as its bytes (a view of the
 *   page, not one more copy as a string), and read from memory
 *   (ParquetBytes), never from a file.
 */
import { CorruptArchiveError } from '../../archival.errors';
import { ZstdCompression } from '../zstd.compression';
import { ParquetBytes } from './parquet-bytes';
import { HEADROOM, isTextBytes } from './typed-line';
import { claim, roomyBuffer } from './roomy-concat';
import { ParquetKind } from './parquet-columns';
import { setUpLogicalTypes } from './parquet-logical-types';

/** Pages at least this large are compressed into a roomy buffer. */
const WIDE_PAGE_BYTES = 1024 * 1024;

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

export interface ParquetSchemaInstance {
  fieldList: Record<string, ParquetField>;
}

export interface ParquetWriterInstance {
  appendRow(row: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
  setRowGroupSize(rows: number): void;
  setMetadata(key: string, value: string): void;
}

export interface ParquetReaderInstance {
  schema: ParquetSchemaInstance;
  getRowCount(): number | bigint;
  getCursor(): { next(): Promise<Record<string, unknown> | null> };
  getMetadata(): Record<string, string>;
  close(): Promise<void>;
}

/** Reads `length` bytes at `offset` of the file (parquetjs-lite's envelope reader asks for ranges). */
type ReadRange = (offset: number, length: number, externalFile?: string) => Promise<Buffer>;

interface ParquetLibrary {
  ParquetSchema: new (definition: Record<string, unknown>) => ParquetSchemaInstance;
  ParquetWriter: { openStream(schema: ParquetSchemaInstance, stream: NodeJS.WritableStream, options?: object): Promise<ParquetWriterInstance> };
  ParquetReader: { openEnvelopeReader(envelope: object): Promise<ParquetReaderInstance> };
  ParquetEnvelopeReader: new (read: ReadRange, close: () => void, fileSize: number) => object;
}

export const parquet = require('parquetjs-lite') as ParquetLibrary;
const types = require('parquetjs-lite/lib/types') as { PARQUET_LOGICAL_TYPES: Record<string, TypeDef> };
const codecs = require('parquetjs-lite/lib/compression') as {
  PARQUET_COMPRESSION_METHODS: Record<string, { deflate(value: Buffer): Buffer; inflate(value: Buffer): Buffer }>;
};
const plain = require('parquetjs-lite/lib/codec/plain') as { encodeValues(type: string, values: unknown[], options: object): Buffer };

/** Read-side type names whose values stay raw (BigInt microseconds, integer days). */
const RAW_TIMESTAMP = 'ARCHIVAL_RAW_TIMESTAMP_MICROS';
const RAW_DATE = 'ARCHIVAL_RAW_DATE';
/** Read-side UTF8: a value longer than LONG_TEXT_AS_BYTES stays bytes (a view of its page), shorter ones are strings. */
const RAW_TEXT = 'ARCHIVAL_RAW_TEXT';
const LONG_TEXT_AS_BYTES = 1024 * 1024;

let zstdRegistered: ZstdCompression | undefined;

export function setUpParquet(zstd: ZstdCompression): void {
  setUpLogicalTypes();
  if (!zstdRegistered) {
    zstdRegistered = zstd;
    codecs.PARQUET_COMPRESSION_METHODS.ZSTD = {
      // A wide page goes into a roomy buffer, so parquetjs-lite's concatenations need not copy it (roomy-concat.ts).
      deflate: (value) => (value.length >= WIDE_PAGE_BYTES ? claim(zstd.compressSync(value, roomyBuffer)) : zstd.compressSync(value)),
      inflate: (value) => zstd.decompressSync(value),
    };
  }
  const table = types.PARQUET_LOGICAL_TYPES;
  if (table[RAW_TIMESTAMP]) return;
  extend(table.INT64, (v) => (typeof v === 'bigint' ? v : undefined));
  extend(table.INT_64, (v) => (typeof v === 'bigint' ? v : undefined));
  extend(table.TIMESTAMP_MICROS, (v) => (typeof v === 'bigint' ? v : undefined));
  extend(table.DATE, (v) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined));
  extend(table.FLOAT, (v) => (typeof v === 'number' ? v : undefined));
  extend(table.DOUBLE, (v) => (typeof v === 'number' ? v : undefined));
  extend(table.UTF8, (v) => (Buffer.isBuffer(v) ? v : undefined));
  extend(table.BYTE_ARRAY, (v) => (Buffer.isBuffer(v) ? v : undefined));
  const stockEncode = plain.encodeValues;
  plain.encodeValues = (type, values, options) =>
    type === 'BYTE_ARRAY' && values.every((v) => Buffer.isBuffer(v)) ? encodeByteArrays(values as Buffer[]) : stockEncode(type, values, options);
  table[RAW_TIMESTAMP] = { primitiveType: 'INT64', toPrimitive: (v) => v };
  table[RAW_TEXT] = {
    primitiveType: 'BYTE_ARRAY',
    toPrimitive: (v) => v,
    fromPrimitive: (v) => ((v as Buffer).length > LONG_TEXT_AS_BYTES ? v : (v as Buffer).toString('utf8')),
  };
  table[RAW_DATE] = { primitiveType: 'INT32', toPrimitive: (v) => v };
}

/**
 * PLAIN BYTE_ARRAY: each value as a 4-byte little-endian length and its bytes.
 * A page of one long value read from a typed line (TextBytes) is encoded in
 * place: its length goes into the headroom the value was given, no copy.
 */
function encodeByteArrays(values: Buffer[]): Buffer {
  if (values.length === 1 && isTextBytes(values[0])) {
    const [value] = values;
    const page = Buffer.from(value.buffer, value.byteOffset - HEADROOM, value.length + HEADROOM);
    page.writeUInt32LE(value.length, 0);
    return page;
  }
  const out = Buffer.allocUnsafe(values.reduce((total, v) => total + 4 + v.length, 0));
  let offset = 0;
  for (const value of values) {
    offset = out.writeUInt32LE(value.length, offset);
    offset += value.copy(out, offset);
  }
  return out;
}

/** Values this accepts are taken as they are; everything else goes to the stock conversion. */
function extend(def: TypeDef, accept: (value: unknown) => unknown): void {
  const stock = def.toPrimitive;
  def.toPrimitive = (value) => accept(value) ?? stock(value);
}

/**
 * Opens a Parquet file held in memory for exact reading: timestamps as BigInt
 * microseconds, dates as day numbers, text and json as text (or bytes, when
 * long), whatever converted type the file gives them (a timestamp without a
 * zone has none, json has JSON): each column is read by its kind.
 */
export async function openExactReader(bytes: ParquetBytes, columns: { name: string; kind: ParquetKind }[]): Promise<ParquetReaderInstance> {
  const read: ReadRange = async (offset, length, externalFile) => {
    if (externalFile) throw new CorruptArchiveError(`column chunks in another file (${externalFile}) are not supported`);
    return bytes.read(offset, length);
  };
  const envelope = new parquet.ParquetEnvelopeReader(read, () => undefined, bytes.size);
  const reader = await parquet.ParquetReader.openEnvelopeReader(envelope);
  const kinds = new Map(columns.map((c) => [c.name, c.kind]));
  for (const field of Object.values(reader.schema.fieldList)) {
    const kind = kinds.get(field.name);
    if (kind === 'decimal' && field.primitiveType !== 'BYTE_ARRAY') field.originalType = undefined; // unscaled: INT64 BigInt, or 16 bytes
    else if (kind === 'timestamp' || field.originalType === 'TIMESTAMP_MICROS') field.originalType = RAW_TIMESTAMP;
    else if (kind === 'date' || field.originalType === 'DATE') field.originalType = RAW_DATE;
    // A uuid archived as text (before the UUID type) is read as text too.
    else if (kind === 'json' || kind === 'text' || field.originalType === 'UTF8' || ((kind === 'uuid' || kind === 'decimal') && field.primitiveType === 'BYTE_ARRAY')) {
      field.originalType = RAW_TEXT;
    }
  }
  return reader;
}
