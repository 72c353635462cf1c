/**
 * Parquet archives (`.parquet`): one typed column per table column (see
 * parquet-columns.ts), compressed inside the file per column chunk (gzip →
 * GZIP, zstd → ZSTD, none → UNCOMPRESSED), so any Parquet reader opens them.
 *
 * Memory is bounded by bytes, not only rows:
 * - row groups are cut at 10,000 rows or 16 MiB of rows, whichever comes
 *   first (parquet-row-groups.ts);
 * - text, JSON and bytea columns other than the key carry no min/max
 *   statistics: parquetjs-lite stores each extreme value uncompressed in the
 *   page header, the column chunk, the column index and the footer, so one
 *   52 MB jsonb value made a 758 MB file;
 * - their values go to the writer as Buffers, made once, and long values are
 *   hashed and written out piece by piece, never joined into one more copy;
 *   a long line is read from its bytes, its long strings straight into the
 *   buffer the writer pages (typed-line.ts), never as JS strings.
 *
 * Reading needs the footer first, so the decoder holds the stored file in
 * memory (ParquetBytes: one part, as stored) and reads it row group by row
 * group; decrypted bytes never touch disk.
 *
 * The content digest (parquet-content-hash.ts) is taken over each row's
 * canonical values, from the typed line and from the file, so verification
 * proves every value came back, not only the bytes.
 */
import { Writable } from 'node:stream';
import { CorruptArchiveError } from '../../archival.errors';
import { ArchiveFormat, FormatStages } from '../archive-format';
import { Compression } from '../compression.interface';
import { ColumnInfo } from '../jsonl.format';
import { LineScanner } from '../line-scanner';
import { ParquetBytes } from './parquet-bytes';
import {
  decimalBytes, decimalFromBytes, decimalText, decimalTypmod, INT64_DECIMAL_PRECISION, ParquetKind, parquetKind, restoreLinePieces, toParquetValue, unscaledDecimal,
} from './parquet-columns';
import { ParquetContentHash } from './parquet-content-hash';
import { openExactReader, parquet } from './parquet-library';
import { LOGICAL_TYPES_KEY, logicalTypesOf } from './parquet-logical-types';
import { ParquetRowGroups } from './parquet-row-groups';
import { LONG_STRING, readTypedLine } from './typed-line';

/** Restore lines are handed on in chunks of at most this many lines or bytes. */
const LINES_PER_CHUNK = 1_000;
const BYTES_PER_CHUNK = 1024 * 1024;

const PARQUET_CODEC = { gzip: 'GZIP', zstd: 'ZSTD', none: 'UNCOMPRESSED' } as const;

const PARQUET_TYPE: Record<ParquetKind, string> = {
  boolean: 'BOOLEAN',
  int16: 'INT_16',
  int32: 'INT_32',
  int64: 'INT64',
  float: 'FLOAT',
  double: 'DOUBLE',
  timestamp: 'TIMESTAMP_MICROS',
  date: 'DATE',
  json: 'UTF8',
  bytes: 'BYTE_ARRAY',
  uuid: 'FIXED_LEN_BYTE_ARRAY',
  decimal: 'INT64', // FIXED_LEN_BYTE_ARRAY(16) above 18 digits (see parquetSchema)
  text: 'UTF8',
};

const VARIABLE_WIDTH: readonly ParquetKind[] = ['json', 'text', 'bytes'];

interface ParquetColumn {
  name: string;
  kind: ParquetKind;
  withZone: boolean;
  /**
   * Min/max statistics: for fixed-width columns and the key (readers prune on
   * them; a primary key is a btree entry, so at most a few KB), not for other
   * variable-width columns, whose values also go to the writer as Buffers.
   */
  statistics: boolean;
  /** A json column (its exact text, kind text): declared JSON in the file. */
  json: boolean;
  /** numeric(p,s): DECIMAL(p,s). */
  decimal?: { precision: number; scale: number };
}

/** Key column first, as in every line. */
function parquetColumns(columns: ColumnInfo[], key: string): ParquetColumn[] {
  const ordered = [...columns.filter((c) => c.name === key), ...columns.filter((c) => c.name !== key)];
  return ordered.map((c) => {
    const kind = parquetKind(c);
    const decimal = kind === 'decimal' ? decimalTypmod(c.type) : undefined;
    // No statistics for 16-byte values (uuid, wide decimals): parquetjs-lite would compare them as strings.
    const wide = kind === 'uuid' || (decimal !== undefined && decimal.precision > INT64_DECIMAL_PRECISION);
    const statistics = !wide && (c.name === key || !VARIABLE_WIDTH.includes(kind));
    return { name: c.name, kind, withZone: c.typname === 'timestamptz', statistics, json: c.typname === 'json' && kind === 'text', decimal };
  });
}

function parquetSchema(ordered: ParquetColumn[], compression: Compression) {
  const codec = PARQUET_CODEC[compression.name];
  const field = (c: ParquetColumn) => {
    const wide = c.kind === 'uuid' || (c.decimal !== undefined && c.decimal.precision > INT64_DECIMAL_PRECISION);
    const type = wide ? 'FIXED_LEN_BYTE_ARRAY' : PARQUET_TYPE[c.kind];
    return { type, optional: true, compression: codec, statistics: c.statistics, ...(wide ? { typeLength: 16 } : {}) };
  };
  // Variable-width columns last in the file: parquetjs-lite copies a row group's chunks written so far once per
  // column that follows, so a wide value's chunk is copied no more. Values are read by name, and hashed in table order.
  const fileOrder = [...ordered.filter((c) => !VARIABLE_WIDTH.includes(c.kind)), ...ordered.filter((c) => VARIABLE_WIDTH.includes(c.kind))];
  return new parquet.ParquetSchema(Object.fromEntries(fileOrder.map((c) => [c.name, field(c)])));
}

type LineRef = { line?: Buffer; start: number; end: number };

/** The lines of the next chunk (undefined at the end); the chunk itself is not held on to here. */
async function nextLines(chunks: AsyncIterator<Buffer>, scanner: LineScanner): Promise<LineRef[] | undefined> {
  const next = await chunks.next();
  if (next.done) return undefined;
  const lines: LineRef[] = [];
  scanner.push(next.value, (line, start, end) => lines.push({ line, start, end }));
  return lines;
}

/**
 * A typed line's values, the line let go of (so a wide line's bytes are not held while its row is written).
 * A long line is read member by member, its long strings as bytes (typed-line.ts).
 */
function takeLine(entry: LineRef): Record<string, unknown> {
  const { line, start, end } = entry;
  entry.line = undefined;
  if (end - start <= LONG_STRING) return JSON.parse(line!.toString('utf8', start, end)) as Record<string, unknown>;
  return readTypedLine(line!, start, end);
}

/** The NaN values of a file's DECIMAL columns (DECIMAL has none): written as NULL, their row numbers kept in the footer. */
export const DECIMAL_NAN_KEY = 'nest-archival.decimal-nan';

type NanRows = Record<string, number[]>;

/** A DECIMAL column's value in the file: its unscaled integer (16 bytes above 18 digits); NaN → NULL, its row noted. */
function decimalValue(c: ParquetColumn, text: string, row: number, nans: NanRows): bigint | Buffer | undefined {
  if (text === 'NaN') {
    (nans[c.name] ??= []).push(row);
    return undefined;
  }
  const unscaled = unscaledDecimal(text);
  return c.decimal!.precision > INT64_DECIMAL_PRECISION ? decimalBytes(unscaled) : unscaled;
}

/** A DECIMAL value read back → numeric's text again ('NaN' where the footer lists the row). */
function decimalRead(c: ParquetColumn, value: unknown, row: number, nans: Map<string, Set<number>>): unknown {
  if (value === null || value === undefined) return nans.get(c.name)?.has(row) ? 'NaN' : value;
  if (typeof value === 'string') return value; // numeric archived as text, before DECIMAL
  return decimalText(Buffer.isBuffer(value) ? decimalFromBytes(value) : (value as bigint), c.decimal!.scale);
}

/** One typed line → the row parquetjs writes; the content hash sees the values first (a decimal as its text). */
function parquetRow(ordered: ParquetColumn[], typed: Record<string, unknown>, content: ParquetContentHash, at: { row: number; nans: NanRows }): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const index = at.row++;
  for (const c of ordered) {
    if (c.decimal) {
      const text = typed[c.name];
      if (text !== null && text !== undefined) row[c.name] = decimalValue(c, text as string, index, at.nans);
      continue;
    }
    let value = toParquetValue(c.kind, typed[c.name]);
    // Statistics compare strings: a column that keeps them gets a long text value as a string.
    if (c.statistics && c.kind !== 'bytes' && Buffer.isBuffer(value)) value = value.toString('utf8');
    if (value !== undefined) row[c.name] = value;
  }
  content.add(ordered, (c) => (c.decimal ? typed[c.name] : row[c.name]));
  for (const c of ordered) {
    if (!c.statistics && typeof row[c.name] === 'string') row[c.name] = Buffer.from(row[c.name] as string);
    if (row[c.name] === undefined) delete row[c.name];
  }
  return row;
}

/**
 * Restore lines gathered into Buffers of about BYTES_PER_CHUNK, written piece
 * by piece; a long value read as bytes goes out as a chunk of its own, as it
 * is (a view of its decompressed page), never copied into one.
 */
class LineChunks {
  private pieces: (string | Buffer)[] = [];
  private lines = 0;
  private bytes = 0;

  add(line: (string | Buffer)[]): void {
    for (const piece of line) this.bytes += Buffer.byteLength(piece);
    this.pieces.push(...line, '\n');
    this.lines++;
    this.bytes++;
  }

  get full(): boolean {
    return this.lines >= LINES_PER_CHUNK || this.bytes >= BYTES_PER_CHUNK;
  }

  take(): Buffer[] {
    const out: Buffer[] = [];
    let run: (string | Buffer)[] = [];
    for (const piece of this.pieces) {
      if (Buffer.isBuffer(piece) && piece.length >= BYTES_PER_CHUNK) {
        if (run.length > 0) out.push(joined(run));
        out.push(piece);
        run = [];
      } else run.push(piece);
    }
    if (run.length > 0) out.push(joined(run));
    this.pieces = [];
    this.lines = 0;
    this.bytes = 0;
    return out;
  }
}

function joined(pieces: (string | Buffer)[]): Buffer {
  const chunk = Buffer.allocUnsafe(pieces.reduce((total, piece) => total + Buffer.byteLength(piece), 0));
  let offset = 0;
  for (const piece of pieces) offset += typeof piece === 'string' ? chunk.write(piece, offset) : piece.copy(chunk, offset);
  return chunk;
}

/** The footer's NaN rows of DECIMAL columns, by column. */
function decimalNans(metadata: Record<string, string>, what: string): Map<string, Set<number>> {
  const text = metadata[DECIMAL_NAN_KEY];
  if (text === undefined) return new Map();
  try {
    return new Map(Object.entries(JSON.parse(text) as NanRows).map(([column, rows]) => [column, new Set(rows)]));
  } catch {
    throw new CorruptArchiveError(`${what} has unreadable ${DECIMAL_NAN_KEY} metadata`);
  }
}

export class ParquetFormat implements ArchiveFormat {
  readonly name = 'parquet' as const;
  readonly dialect = 'typed' as const;

  extension(): string {
    return '.parquet';
  }

  encoder(columns: ColumnInfo[], key: string, compression: Compression): FormatStages {
    const ordered = parquetColumns(columns, key);
    const content = new ParquetContentHash();
    const schema = parquetSchema(ordered, compression);
    let digest: ReturnType<ParquetContentHash['digest']> | undefined;
    async function* encode(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
      const out: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          out.push(chunk);
          callback();
        },
      });
      // Data pages v2: values are compressed as they are, not first copied behind their levels (v1 pages are).
      const writer = await parquet.ParquetWriter.openStream(schema, sink, { useDataPageV2: true });
      // The columns' logical types, set in the footer as parquetjs-lite writes it (parquet-logical-types.ts).
      // A json column is text in the restore lines (its exact text, as a JSON string) and JSON in the file.
      writer.setMetadata(LOGICAL_TYPES_KEY, JSON.stringify(logicalTypesOf(ordered.map((c) => (c.json ? { ...c, kind: 'json' as const } : c)))));
      const rowGroups = new ParquetRowGroups(writer);
      const at = { row: 0, nans: {} as NanRows };
      const scanner = new LineScanner();
      const chunks = source[Symbol.asyncIterator]();
      for (let lines = await nextLines(chunks, scanner); lines; lines = await nextLines(chunks, scanner)) {
        // Parsed one at a time, so a chunk of wide rows is not all held as JS values at once.
        for (const entry of lines) {
          const size = entry.end - entry.start;
          await rowGroups.append(parquetRow(ordered, takeLine(entry), content, at), size);
        }
        yield* out.splice(0);
      }
      if (scanner.end()?.length) throw new Error('the row stream ended inside a line');
      if (Object.keys(at.nans).length > 0) writer.setMetadata(DECIMAL_NAN_KEY, JSON.stringify(at.nans));
      await rowGroups.close();
      yield* out.splice(0);
      digest = content.digest();
    }
    return { stages: [encode], content: () => digest ?? content.digest() };
  }

  decoder(columns: ColumnInfo[], key: string, _compression: Compression, what: string): FormatStages {
    const ordered = parquetColumns(columns, key);
    const content = new ParquetContentHash();
    let digest: ReturnType<ParquetContentHash['digest']> | undefined;
    async function* decode(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
      // Stream errors (a failed GCM tag, a storage error) pass as they are; only parsing errors are rephrased.
      const bytes = await ParquetBytes.collect(source);
      const reader = await openExactReader(bytes, ordered).catch((error: Error) => {
        throw new CorruptArchiveError(`${what} is not a readable Parquet file: ${String(error?.message ?? error)}`);
      });
      try {
        const cursor = reader.getCursor();
        const chunks = new LineChunks();
        const nans = decimalNans(reader.getMetadata(), what);
        const decimals = ordered.filter((c) => c.decimal);
        let row = 0;
        for (let record = await cursor.next(); record; record = await cursor.next(), row++) {
          for (const c of decimals) record[c.name] = decimalRead(c, record[c.name], row, nans);
          content.add(ordered, (c) => record![c.name]);
          chunks.add(restoreLinePieces(ordered, record));
          if (chunks.full) yield* chunks.take();
        }
        yield* chunks.take();
        digest = content.digest();
      } finally {
        await reader.close();
      }
    }
    return { stages: [decode], content: () => digest ?? content.digest() };
  }
}
