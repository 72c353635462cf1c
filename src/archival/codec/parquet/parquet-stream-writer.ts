/**
 * A Parquet file written row group by row group with hyparquet-writer (true
 * logical types, see parquet-logical-types.ts), its bytes handed on as they
 * are made: ParquetRowGroups decides where row groups end (by rows and by
 * bytes, a wide row alone), this buffers the rows of one row group as
 * columns and encodes them when it closes.
 *
 * Memory: one row group's values, its encoded pages, and the file bytes not
 * yet taken (`take()`). A page of 1 MiB or more (a wide value's) is handed on
 * as it is, not copied into the output buffer.
 */
import * as zlib from 'node:zlib';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { ColumnSource, Compressors } from 'hyparquet-writer/src/types.js';
import { Compression } from '../compression.interface';
import { ZstdCompression } from '../zstd.compression';
import { CREATED_BY, DECIMAL_NAN, DECIMAL_NAN_KEY, footerSchema, LogicalColumn, schemaElements } from './parquet-logical-types';
import { RowGroupWriter } from './parquet-row-groups';

const OUTPUT_CHUNK = 1024 * 1024;
const PAGE_SIZE = 1024 * 1024;
const CODEC = { gzip: 'GZIP', zstd: 'ZSTD', none: 'UNCOMPRESSED' } as const;

type NodeZstd = { zstdCompressSync?: (input: Uint8Array) => Buffer; zstdDecompressSync?: (input: Uint8Array) => Buffer };

/** Page compressors; zstd through node:zlib where it has it (Node ≥ 22.15), through zstd.compression.ts elsewhere (Node 20). */
export function pageCompressors(compression: Compression): Compressors {
  const nodeZstd = (zlib as NodeZstd).zstdCompressSync;
  const zstd = compression instanceof ZstdCompression ? compression : undefined;
  return {
    GZIP: (bytes) => zlib.gzipSync(bytes),
    ...(zstd ? { ZSTD: (bytes: Uint8Array) => (nodeZstd ? nodeZstd(bytes) : zstd.compressSync(asBuffer(bytes))) } : {}),
  } as Compressors;
}

/** Page decompressors for hyparquet (snappy is built in); `zstd` where node:zlib has none. */
export function pageDecompressors(zstd: ZstdCompression | undefined): Record<string, (input: Uint8Array, outputLength: number) => Uint8Array> {
  const nodeZstd = (zlib as NodeZstd).zstdDecompressSync;
  const unzstd = nodeZstd ?? (zstd ? (input: Uint8Array) => zstd.decompressSync(asBuffer(input)) : undefined);
  return { GZIP: (input) => zlib.gunzipSync(input), ...(unzstd ? { ZSTD: unzstd } : {}) };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** hyparquet-writer's output buffer, emptied into Buffers of about OUTPUT_CHUNK as it fills. */
class ChunkedOutput extends ByteWriter {
  private readonly chunks: Buffer[] = [];

  ensure(size: number): void {
    if (this.index >= OUTPUT_CHUNK) this.flush();
    super.ensure(size);
  }

  appendBytes(value: Uint8Array): void {
    if (value.length < OUTPUT_CHUNK) return super.appendBytes(value);
    // A wide page (compressed just now, referenced by nobody else) goes out as it is.
    this.flush();
    this.chunks.push(asBuffer(value));
    this.offset += value.length;
  }

  flush(): void {
    if (this.index === 0) return;
    this.chunks.push(Buffer.from(this.buffer.slice(0, this.index)));
    this.index = 0;
  }

  finish(): void {
    this.flush();
  }

  take(): Buffer[] {
    return this.chunks.splice(0);
  }
}

export class ParquetStreamWriter implements RowGroupWriter {
  private readonly output = new ChunkedOutput(64 * 1024);
  private readonly writer: ParquetWriter;
  private values: unknown[][];
  private rowGroupSize = 1;
  private rows = 0;
  private written = 0;
  private readonly nans: Record<string, number[]> = {};

  constructor(private readonly columns: LogicalColumn[], compression: Compression) {
    this.writer = new ParquetWriter({
      writer: this.output,
      schema: schemaElements(columns),
      codec: CODEC[compression.name],
      compressors: pageCompressors(compression),
      createdBy: CREATED_BY,
    });
    this.values = columns.map(() => []);
  }

  setRowGroupSize(rows: number): void {
    this.rowGroupSize = rows;
  }

  /** `row`: file values by column name (toFileValue). */
  async appendRow(row: Record<string, unknown>): Promise<void> {
    this.columns.forEach((c, index) => {
      const value = row[c.name];
      if (value === DECIMAL_NAN) (this.nans[c.name] ??= []).push(this.written + this.rows);
      this.values[index].push(value === DECIMAL_NAN ? undefined : value);
    });
    this.rows++;
    if (this.rows >= this.rowGroupSize) this.writeRowGroup();
  }

  async close(): Promise<void> {
    this.writeRowGroup();
    this.writer.schema = footerSchema(this.columns);
    if (Object.keys(this.nans).length > 0) this.writer.kvMetadata = [{ key: DECIMAL_NAN_KEY, value: JSON.stringify(this.nans) }];
    await this.writer.finish();
  }

  /** File bytes made so far, not yet taken. */
  take(): Buffer[] {
    return this.output.take();
  }

  private writeRowGroup(): void {
    if (this.rows === 0) return;
    const columnData: ColumnSource[] = this.columns.map((c, index) => ({
      name: c.name,
      data: this.values[index],
      statistics: c.statistics,
      // Distinct values (json, bytea) gain nothing from a dictionary; building one hashes every value.
      ...(c.kind === 'json' || c.kind === 'bytes' ? { encoding: 'PLAIN' as const } : {}),
    }));
    this.values = this.columns.map(() => []);
    void this.writer.write({ columnData, rowGroupSize: this.rows, pageSize: PAGE_SIZE });
    this.written += this.rows;
    this.rows = 0;
  }
}
