/**
 * Writes a Parquet file from column buffers: each value of a row goes
 * straight into its column's PLAIN bytes (parquet-column-builder.ts), and
 * each row group is one data page per column (v2: definition levels
 * uncompressed, PLAIN values compressed, every column's page compressed at
 * once on the thread pool), with the footer at the end.
 *
 * This replaces parquetjs-lite's writer, which shredded every row into
 * per-value objects and kept a Set of each column's distinct values (most of
 * its time, 0.12x the reference in the bench). The file is the same kind:
 * every column OPTIONAL, PLAIN values, RLE definition levels, one page per
 * column chunk, logical types in the schema (parquet-logical-types.ts).
 *
 * Statistics (min/max and null count) go on each column chunk where readers
 * prune by them: integers, dates, timestamps, INT64 decimals, and a key
 * column of those or of text or uuid (a btree entry, at most a few KB);
 * floats and booleans carry the null count alone. Text, json and
 * bytea other than the key carry the null count alone, so one 52 MB jsonb
 * value is not stored again as its column's min and max.
 */
import { ParquetKind, INT64_DECIMAL_PRECISION } from './parquet-columns';
import { BuiltChunk, ColumnBuilder } from './parquet-column-builder';
import { PhysicalType, PHYSICAL_TYPE_ID } from './parquet-encoding';
import { logicalTypeOf } from './parquet-logical-types';
import { serializeThrift, thrift } from './parquet-thrift';

export const PARQUET_MAGIC = Buffer.from('PAR1');
const CREATED_BY = 'nest-archival';
/** A column's row group starts with at most this many bytes, and keeps no larger buffer (a wide row's is let go). */
const MAX_START_BYTES = 4 * 1024 * 1024;

export interface FileColumn {
  name: string;
  kind: ParquetKind;
  withZone: boolean;
  /** A json column kept as its exact text (kind text): declared JSON in the file. */
  json: boolean;
  decimal?: { precision: number; scale: number };
  /** Min/max statistics on its column chunks. */
  statistics: boolean;
}

/** Compresses one page's values; `id` is the codec's number in parquet.thrift. */
export interface PageCodec {
  id: number;
  compress(values: Buffer): Promise<Buffer>;
}

const PHYSICAL: Record<ParquetKind, PhysicalType> = {
  boolean: 'BOOLEAN', int16: 'INT32', int32: 'INT32', int64: 'INT64', float: 'FLOAT', double: 'DOUBLE', timestamp: 'INT64', date: 'INT32',
  json: 'BYTE_ARRAY', bytes: 'BYTE_ARRAY', uuid: 'FIXED_LEN_BYTE_ARRAY', decimal: 'INT64', text: 'BYTE_ARRAY',
};

/** The physical type a column is written as, and its width when fixed. */
export function physicalOf(column: Pick<FileColumn, 'kind' | 'decimal'>): { type: PhysicalType; typeLength?: number } {
  if (column.kind === 'uuid' || (column.decimal && column.decimal.precision > INT64_DECIMAL_PRECISION)) return { type: 'FIXED_LEN_BYTE_ARRAY', typeLength: 16 };
  return { type: PHYSICAL[column.kind] };
}

interface ChunkMeta {
  column: FileColumn;
  offset: number;
  values: number;
  uncompressed: number;
  compressed: number;
  statistics: object;
}

export class ParquetFileWriter {
  private builders: ColumnBuilder[];
  private rowGroups: { rows: number; bytes: number; chunks: ChunkMeta[] }[] = [];
  private offset = 0;
  private totalRows = 0;

  constructor(private readonly columns: FileColumn[], private readonly codec: PageCodec) {
    this.builders = this.newBuilders();
  }

  /** Each column's next builder, sized by what its last row group took (up to MAX_START_BYTES), so it seldom grows. */
  private newBuilders(previous?: ColumnBuilder[]): ColumnBuilder[] {
    return this.columns.map((column, i) => {
      const { type, typeLength } = physicalOf(column);
      const last = previous?.[i].size;
      return new ColumnBuilder(type, typeLength, column.statistics, last === undefined ? undefined : Math.min(last + (last >> 3), MAX_START_BYTES));
    });
  }

  /** Rows buffered for the next row group. */
  get rows(): number {
    return this.builders[0]?.count ?? 0;
  }

  /** The file's first bytes. */
  start(): Buffer {
    this.offset = PARQUET_MAGIC.length;
    return PARQUET_MAGIC;
  }

  /** Column `index` of the row group being written: a row pushes one value to each column. */
  column(index: number): ColumnBuilder {
    return this.builders[index];
  }

  /** Encodes the buffered rows as one row group; its bytes, in order. */
  async flush(): Promise<Buffer[]> {
    const rows = this.rows;
    if (rows === 0) return [];
    const builders = this.builders;
    // Every column's page is compressed at once (native zstd and gzip run on the thread pool).
    const pages = await Promise.all(builders.map((builder) => this.page(builder.take())));
    // The next row group reuses the column buffers once their pages are compressed copies (uncompressed pages are
    // the buffers themselves): fewer large buffers for glibc to keep (1M rows: peak RSS 263-280 MB against 275-296).
    if (this.codec.id === thrift.CompressionCodec.UNCOMPRESSED) this.builders = this.newBuilders(builders);
    else for (const builder of builders) builder.reset(MAX_START_BYTES);
    const out: Buffer[] = [];
    const chunks: ChunkMeta[] = [];
    let bytes = 0;
    for (const [i, page] of pages.entries()) {
      const size = page.parts.reduce((total, part) => total + part.length, 0);
      chunks.push({ column: this.columns[i], offset: this.offset, values: rows, uncompressed: page.uncompressed, compressed: size, statistics: page.statistics });
      out.push(...page.parts);
      this.offset += size;
      bytes += page.uncompressed;
    }
    this.rowGroups.push({ rows, bytes, chunks });
    this.totalRows += rows;
    return out;
  }

  /** The last row group and the footer, with `metadata` as its key-value entries. */
  async finish(metadata: Record<string, string>): Promise<Buffer[]> {
    const out = await this.flush();
    const footer = serializeThrift(this.fileMetaData(metadata));
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32LE(footer.length, 0);
    out.push(footer, length, PARQUET_MAGIC);
    return out;
  }

  private async page(chunk: BuiltChunk): Promise<{ parts: Buffer[]; uncompressed: number; statistics: object }> {
    const { levels, plain, nulls, rows } = chunk;
    const compressed = await this.codec.compress(plain);
    const statistics = new thrift.Statistics({ null_count: nulls, ...(chunk.min ? { min_value: chunk.min, max_value: chunk.max } : {}) });
    const header = new thrift.PageHeader({
      type: thrift.PageType.DATA_PAGE_V2,
      uncompressed_page_size: levels.length + plain.length,
      compressed_page_size: levels.length + compressed.length,
      data_page_header_v2: new thrift.DataPageHeaderV2({
        num_values: rows,
        num_nulls: nulls,
        num_rows: rows,
        encoding: thrift.Encoding.PLAIN,
        definition_levels_byte_length: levels.length,
        repetition_levels_byte_length: 0,
        is_compressed: this.codec.id !== thrift.CompressionCodec.UNCOMPRESSED,
      }),
    });
    const head = serializeThrift(header);
    return { parts: [head, levels, compressed], uncompressed: head.length + levels.length + plain.length, statistics };
  }

  private fileMetaData(metadata: Record<string, string>): object {
    const schema = [
      new thrift.SchemaElement({ name: 'root', num_children: this.columns.length }),
      ...this.columns.map((column) => {
        const { type, typeLength } = physicalOf(column);
        // A json column kept as text is declared JSON in the file.
        const logical = logicalTypeOf(column.json ? { ...column, kind: 'json' } : column);
        return new thrift.SchemaElement({
          type: PHYSICAL_TYPE_ID[type],
          ...(typeLength ? { type_length: typeLength } : {}),
          repetition_type: thrift.FieldRepetitionType.OPTIONAL,
          name: column.name,
          ...(logical ?? {}),
        });
      }),
    ];
    const rowGroups = this.rowGroups.map(({ rows, bytes, chunks }) => new thrift.RowGroup({
      num_rows: rows,
      total_byte_size: bytes,
      columns: chunks.map((chunk) => new thrift.ColumnChunk({
        file_offset: chunk.offset,
        meta_data: new thrift.ColumnMetaData({
          type: PHYSICAL_TYPE_ID[physicalOf(chunk.column).type],
          encodings: [thrift.Encoding.PLAIN, thrift.Encoding.RLE],
          path_in_schema: [chunk.column.name],
          codec: this.codec.id,
          num_values: chunk.values,
          total_uncompressed_size: chunk.uncompressed,
          total_compressed_size: chunk.compressed,
          data_page_offset: chunk.offset,
          statistics: chunk.statistics,
        }),
      })),
    }));
    return new thrift.FileMetaData({
      version: 1,
      schema,
      num_rows: this.totalRows,
      row_groups: rowGroups,
      key_value_metadata: Object.entries(metadata).map(([key, value]) => new thrift.KeyValue({ key, value })),
      created_by: CREATED_BY,
      // min_value / max_value are in each type's own order: readers such as Arrow trust them only when the footer says so.
      column_orders: this.columns.map(() => new thrift.ColumnOrder({ TYPE_ORDER: new thrift.TypeDefinedOrder() })),
    });
  }
}
