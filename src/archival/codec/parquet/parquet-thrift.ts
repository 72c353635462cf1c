/**
 * Parquet's Thrift structures (parquet.thrift, compact protocol), from the
 * definitions parquetjs-lite ships: archives write page headers and the
 * footer with them and read them back (parquet-file-writer.ts,
 * parquet-file-reader.ts). The LogicalType write knows UUID
 * (parquet-logical-types.ts).
 */
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
import { setUpLogicalTypes } from './parquet-logical-types';

export const thrift = require('parquetjs-lite/gen-nodejs/parquet_types') as Record<string, any>;
const util = require('parquetjs-lite/lib/util') as {
  serializeThrift(value: object): Buffer;
  decodeThrift(value: object, buffer: Buffer, offset?: number): number;
};

setUpLogicalTypes();

export function serializeThrift(value: object): Buffer {
  return util.serializeThrift(value);
}

/** Reads one structure of `Type` at `offset`; returns it and the bytes it took. */
export function decodeThrift<T extends object>(Type: new () => T, buffer: Buffer, offset: number): { value: T; length: number } {
  const value = new Type();
  const length = util.decodeThrift(value, buffer, offset);
  return { value, length };
}

/** A Thrift i64 as read (node-int64 from parquetjs-lite's reader, or a number) → a number. */
export function thriftNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}
