/**
 * Reads the Parquet files archives are: flat schemas of OPTIONAL columns,
 * PLAIN values, RLE / bit-packed definition levels, data pages v1 or v2,
 * uncompressed, GZIP or ZSTD. That is what this project's writer writes
 * (parquet-file-writer.ts) and what parquetjs-lite wrote for archives before
 * it (test/legacy-parquet.e2e-spec.ts). Anything else (dictionary pages,
 * nested columns, other codecs) is reported as corrupt, never guessed at.
 *
 * A row group is read in slices of rows, each column's pages decompressed as
 * they are reached: INT64 as a number where safe (else BigInt), INT32 as
 * numbers, text as strings (a value over LONG_TEXT bytes as a Buffer view of
 * its page, never copied), uuid as its text, bytea and other
 * FIXED_LEN_BYTE_ARRAY values as Buffer views.
 */
import { CorruptArchiveError } from '../../archival.errors';
import { ParquetBytes } from './parquet-bytes';
import { decodeLevels, DecodeOptions, PhysicalType, PHYSICAL_TYPE_ID, PlainDecoder } from './parquet-encoding';
import { PARQUET_MAGIC } from './parquet-file-writer';
import { decodeThrift, thrift, thriftNumber } from './parquet-thrift';

/** A text value longer than this many bytes is read as its bytes. */
export const LONG_TEXT = 1024 * 1024;

const TYPE_NAMES = Object.fromEntries(Object.entries(PHYSICAL_TYPE_ID).map(([name, id]) => [id, name])) as Record<number, PhysicalType>;

/** Decompresses one page's compressed bytes to `size` bytes. */
export type PageInflate = (codec: number, bytes: Buffer, size: number) => Promise<Buffer>;

export interface ReadColumn {
  name: string;
  /** Text-like columns come back as strings; others (bytea) as bytes. */
  asText: boolean;
  /** A FIXED_LEN_BYTE_ARRAY(16) column comes back as uuid text. */
  uuid?: boolean;
  /** Also hand over each slice's definition levels and PLAIN bytes as stored (RawSlice). */
  raw?: boolean;
  /** Its values are checked and stepped over but not made into JS values (its slice of values is all undefined). */
  skipValues?: boolean;
}

/** A slice of one column as the file holds it: a level (0 or 1) per row, and the PLAIN bytes of its values, page by page. */
export interface RawSlice {
  levels: Uint8Array;
  plain: Buffer[];
}

export interface FileField {
  name: string;
  type: PhysicalType;
  typeLength?: number;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export class ParquetFileReader {
  private constructor(
    private readonly bytes: ParquetBytes,
    private readonly meta: any,
    readonly fields: Map<string, FileField>,
    private readonly inflate: PageInflate,
    private readonly what: string,
  ) {}

  static async open(bytes: ParquetBytes, inflate: PageInflate, what: string): Promise<ParquetFileReader> {
    const fail = (why: string) => new CorruptArchiveError(`${what} is not a readable Parquet file: ${why}`);
    if (bytes.size < 12 || !bytes.read(0, 4).equals(PARQUET_MAGIC) || !bytes.read(bytes.size - 4, 4).equals(PARQUET_MAGIC)) {
      throw fail('no PAR1 magic at its start and end');
    }
    const footerLength = bytes.read(bytes.size - 8, 4).readUInt32LE(0);
    if (footerLength > bytes.size - 12) throw fail(`footer length ${footerLength} exceeds the file`);
    const footer = bytes.read(bytes.size - 8 - footerLength, footerLength);
    let meta: any;
    try {
      meta = decodeThrift(thrift.FileMetaData, footer, 0).value;
    } catch (error) {
      throw fail(`its footer does not decode (${String((error as Error)?.message ?? error)})`);
    }
    const fields = new Map<string, FileField>();
    const [root, ...elements] = (meta.schema ?? []) as any[];
    if (!root || thriftNumber(root.num_children) !== elements.length) throw fail('only flat schemas are read');
    for (const element of elements) {
      const type = TYPE_NAMES[element.type as number];
      if (!type || element.num_children) throw fail(`column ${JSON.stringify(element.name)} has an unsupported type`);
      if (element.repetition_type !== thrift.FieldRepetitionType.OPTIONAL) throw fail(`column ${JSON.stringify(element.name)} is not OPTIONAL`);
      if (type === 'FIXED_LEN_BYTE_ARRAY' && !(element.type_length > 0)) throw fail(`column ${JSON.stringify(element.name)} has no fixed length`);
      fields.set(element.name as string, { name: element.name, type, typeLength: element.type_length ?? undefined });
    }
    return new ParquetFileReader(bytes, meta, fields, inflate, what);
  }

  get rowCount(): number {
    return thriftNumber(this.meta.num_rows);
  }

  metadata(): Record<string, string> {
    return Object.fromEntries(((this.meta.key_value_metadata ?? []) as any[]).map((kv) => [kv.key, kv.value ?? '']));
  }

  /** Each row group's row count, and the columns whose chunk carries min/max statistics. */
  describeRowGroups(): { rows: number; withMinMax: string[] }[] {
    return ((this.meta.row_groups ?? []) as any[]).map((group) => ({
      rows: thriftNumber(group.num_rows),
      withMinMax: (group.columns as any[]).filter((c) => c.meta_data?.statistics?.min_value != null).map((c) => c.meta_data.path_in_schema.join('.')),
    }));
  }

  /**
   * The rows of each row group in slices of at most `slice` rows: each asked-for
   * column's values (a column the file lacks is an error). A slice's values
   * are decoded as it is taken, so only one slice of rows is ever held as JS
   * values, whatever the size of the row group.
   */
  async *rowGroups(columns: ReadColumn[], slice = 1024): AsyncGenerator<{ rows: number; values: Map<string, unknown[]>; raw: Map<string, RawSlice> }> {
    for (const field of columns) if (!this.fields.has(field.name)) throw new CorruptArchiveError(`${this.what} has no column ${JSON.stringify(field.name)}`);
    for (const [index, group] of ((this.meta.row_groups ?? []) as any[]).entries()) {
      const rows = thriftNumber(group.num_rows);
      if (!Array.isArray(group.columns) || !(rows >= 0)) throw new CorruptArchiveError(`${this.what}: row group ${index} has no column chunks or row count`);
      const cursors = columns.map((column) => {
        const chunk = (group.columns as any[]).find((c) => c.meta_data?.path_in_schema?.length === 1 && c.meta_data.path_in_schema[0] === column.name);
        const what = `${this.what}, row group ${index}, column ${JSON.stringify(column.name)}`;
        if (!chunk) throw new CorruptArchiveError(`${what}: no column chunk`);
        return this.cursor(chunk.meta_data, rows, column, what);
      });
      for (let done = 0; done < rows; ) {
        const count = Math.min(slice, rows - done);
        const values = new Map<string, unknown[]>();
        const raw = new Map<string, RawSlice>();
        for (const [i, column] of columns.entries()) {
          const slice = column.raw ? { levels: new Uint8Array(count), plain: [] } : undefined;
          values.set(column.name, await cursors[i].take(count, slice, column.skipValues));
          if (slice) raw.set(column.name, slice);
        }
        done += count;
        yield { rows: count, values, raw };
      }
      for (const cursor of cursors) cursor.end();
    }
  }

  private cursor(meta: any, rows: number, column: ReadColumn, what: string): ChunkCursor {
    const field = this.fields.get(column.name)!;
    if (meta.dictionary_page_offset !== null && meta.dictionary_page_offset !== undefined) throw new CorruptArchiveError(`${what}: dictionary pages are not supported`);
    if (thriftNumber(meta.num_values) !== rows) throw new CorruptArchiveError(`${what}: ${thriftNumber(meta.num_values)} values for ${rows} rows`);
    const start = thriftNumber(meta.data_page_offset);
    const size = thriftNumber(meta.total_compressed_size);
    if (start < 4 || size < 0 || start + size > this.bytes.size) throw new CorruptArchiveError(`${what}: the column chunk lies outside the file`);
    const options = { typeLength: field.typeLength, asText: column.asText, longText: LONG_TEXT, uuid: column.uuid };
    return new ChunkCursor(this.bytes.read(start, size), meta.codec as number, rows, field.type, options, this.inflate, what);
  }
}

interface OpenPage {
  levels: Uint8Array;
  decoder: PlainDecoder;
  row: number;
}

/** One column chunk's values, taken in order a slice at a time, its pages decompressed as they are reached. */
class ChunkCursor {
  private page?: OpenPage;
  private offset = 0;
  private taken = 0;

  constructor(
    private readonly chunk: Buffer,
    private readonly codec: number,
    private readonly rows: number,
    private readonly type: PhysicalType,
    private readonly options: DecodeOptions,
    private readonly inflate: PageInflate,
    private readonly what: string,
  ) {}

  /** The next `count` values; `raw` is filled with their levels and PLAIN bytes; `skip`: values stepped over, not made. */
  async take(count: number, raw?: RawSlice, skip = false): Promise<unknown[]> {
    const out = new Array<unknown>(count);
    for (let i = 0; i < count; ) {
      if (!this.page || this.page.row >= this.page.levels.length) this.page = await this.nextPage();
      const page = this.page;
      const n = Math.min(count - i, page.levels.length - page.row);
      const from = page.decoder.position;
      if (skip) {
        for (let j = 0; j < n; j++) if (page.levels[page.row + j] === 1) page.decoder.skip();
      } else for (let j = 0; j < n; j++) out[i + j] = page.levels[page.row + j] === 1 ? page.decoder.next() : undefined;
      if (raw) {
        raw.levels.set(page.levels.subarray(page.row, page.row + n), i);
        raw.plain.push(page.decoder.bytesFrom(from));
      }
      page.row += n;
      i += n;
    }
    this.taken += count;
    return out;
  }

  /** After the last row: the chunk's pages held exactly its rows. */
  end(): void {
    const left = this.page ? this.page.levels.length - this.page.row : 0;
    if (this.taken !== this.rows || left !== 0 || this.offset !== this.chunk.length) {
      throw new CorruptArchiveError(`${this.what}: its pages hold other than its ${this.rows} rows`);
    }
  }

  private async nextPage(): Promise<OpenPage> {
    const { chunk, what } = this;
    if (this.offset >= chunk.length) throw new CorruptArchiveError(`${what}: the column chunk ends after ${this.taken} of ${this.rows} values`);
    let header: any;
    let length: number;
    try {
      ({ value: header, length } = decodeThrift(thrift.PageHeader, chunk, this.offset));
    } catch {
      throw new CorruptArchiveError(`${what}: a page header does not decode`);
    }
    this.offset += length;
    const compressedSize = thriftNumber(header.compressed_page_size);
    const size = thriftNumber(header.uncompressed_page_size);
    if (compressedSize < 0 || this.offset + compressedSize > chunk.length) throw new CorruptArchiveError(`${what}: a page runs past its column chunk`);
    const body = chunk.subarray(this.offset, this.offset + compressedSize);
    this.offset += compressedSize;
    const page = await this.open(header, body, size);
    if (page.levels.length === 0) throw new CorruptArchiveError(`${what}: a data page of no values`);
    return page;
  }

  private async open(header: any, body: Buffer, size: number): Promise<OpenPage> {
    const { what } = this;
    const left = this.rows - this.taken;
    const count = (page: any) => {
      const values = thriftNumber(page.num_values);
      // A page's levels are allocated by its count: never more than the chunk's rows still to come.
      if (!(values > 0 && values <= left)) throw new CorruptArchiveError(`${what}: a page of ${values} values where ${left} remain`);
      return values;
    };
    if (header.type === thrift.PageType.DATA_PAGE_V2 && header.data_page_header_v2) {
      const v2 = header.data_page_header_v2;
      const levelsLength = thriftNumber(v2.definition_levels_byte_length);
      if (thriftNumber(v2.repetition_levels_byte_length ?? 0) !== 0) throw new CorruptArchiveError(`${what}: repetition levels in a flat column`);
      if (v2.encoding !== thrift.Encoding.PLAIN) throw new CorruptArchiveError(`${what}: encoding ${v2.encoding} is not supported`);
      if (levelsLength < 0 || levelsLength > body.length) throw new CorruptArchiveError(`${what}: definition levels run past the page`);
      const levels = decodeLevels(body.subarray(0, levelsLength), count(v2), what);
      const values = v2.is_compressed !== false ? await this.inflate(this.codec, body.subarray(levelsLength), size - levelsLength) : body.subarray(levelsLength);
      return { levels, decoder: new PlainDecoder(this.type, values, what, this.options), row: 0 };
    }
    if (header.type === thrift.PageType.DATA_PAGE && header.data_page_header) {
      const v1 = header.data_page_header;
      if (v1.encoding !== thrift.Encoding.PLAIN) throw new CorruptArchiveError(`${what}: encoding ${v1.encoding} is not supported`);
      const page = await this.inflate(this.codec, body, size);
      // Definition levels behind their 4-byte length (no repetition levels in a flat column).
      if (page.length < 4) throw new CorruptArchiveError(`${what}: a page too short for its definition levels`);
      const levelsLength = page.readUInt32LE(0);
      if (4 + levelsLength > page.length) throw new CorruptArchiveError(`${what}: definition levels run past the page`);
      const levels = decodeLevels(page.subarray(4, 4 + levelsLength), count(v1), what);
      return { levels, decoder: new PlainDecoder(this.type, page.subarray(4 + levelsLength), what, this.options), row: 0 };
    }
    throw new CorruptArchiveError(`${what}: page type ${header.type} is not supported (or its header is missing)`);
  }
}
