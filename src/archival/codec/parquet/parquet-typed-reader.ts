/**
 * Reads archives written by parquet-stream-writer.ts (created_by CREATED_BY)
 * with hyparquet, row group by row group, from the file's bytes in memory
 * (ParquetBytes: decrypted bytes never touch disk). Values are read as their
 * physical type (the logical annotations are set aside, so a DECIMAL is its
 * exact unscaled integer, not a float, and a TIMESTAMP its microseconds) and
 * turned into the values the archive was written from (fromFileValue).
 */
import { parquetMetadataAsync, parquetRead } from 'hyparquet';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { ZstdCompression } from '../zstd.compression';
import { ParquetBytes } from './parquet-bytes';
import { CREATED_BY, DECIMAL_NAN_KEY, fromFileValue, LogicalColumn } from './parquet-logical-types';
import { pageDecompressors } from './parquet-stream-writer';

function asyncBuffer(bytes: ParquetBytes): AsyncBuffer {
  return {
    byteLength: bytes.size,
    slice(start: number, end?: number): ArrayBuffer {
      const view = bytes.read(start, (end ?? bytes.size) - start);
      // A range over several chunks is a copy of its own already (a column chunk of a wide value): not copied again.
      if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) return view.buffer as ArrayBuffer;
      return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer;
    },
  };
}

/** The file's footer; `typed`: written by this project's hyparquet-writer path (otherwise by parquet.js). */
export async function parquetFooter(bytes: ParquetBytes): Promise<{ metadata: FileMetaData; typed: boolean }> {
  const metadata = await parquetMetadataAsync(asyncBuffer(bytes));
  return { metadata, typed: metadata.created_by === CREATED_BY };
}

/** The file's rows as lineValues by column name, one row group's worth at a time. */
export async function* typedRecords(
  bytes: ParquetBytes,
  metadata: FileMetaData,
  columns: LogicalColumn[],
  zstd: ZstdCompression | undefined,
): AsyncIterable<Record<string, unknown>[]> {
  const file = asyncBuffer(bytes);
  const raw: FileMetaData = {
    ...metadata,
    schema: metadata.schema.map(({ converted_type: _c, logical_type: _l, ...element }) => element),
  };
  const nanValue = metadata.key_value_metadata?.find((kv) => kv.key === DECIMAL_NAN_KEY)?.value;
  const nans = new Map(Object.entries(nanValue ? (JSON.parse(nanValue) as Record<string, number[]>) : {}).map(([c, rows]) => [c, new Set(rows)]));
  const compressors = pageDecompressors(zstd);
  const names = columns.map((c) => c.name);
  const nanRows = columns.map((c) => nans.get(c.name));
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: unknown[][] = [];
    await parquetRead({ file, metadata: raw, rowStart, rowEnd, columns: names, compressors, utf8: false, onComplete: (read) => (rows = read) });
    yield rows.map((row, index) => {
      const record: Record<string, unknown> = {};
      columns.forEach((c, i) => {
        record[c.name] = fromFileValue(c, row[i], nanRows[i]?.has(rowStart + index) ?? false);
      });
      return record;
    });
    rowStart = rowEnd;
  }
}
