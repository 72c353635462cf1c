/**
 * Parquet archives (`.parquet`): one typed column per table column (see
 * parquet-columns.ts), compressed inside the file per column chunk (gzip →
 * GZIP, zstd → ZSTD, none → UNCOMPRESSED), so any Parquet reader opens them.
 * Written from column buffers (parquet-file-writer.ts), read a column chunk
 * at a time (parquet-file-reader.ts).
 *
 * Memory is bounded by bytes, not only rows:
 * - row groups are cut at ROW_GROUP_ROWS rows or ROW_GROUP_BYTES of rows,
 *   whichever comes first, and a wide row (WIDE_ROW_BYTES or more) is a row
 *   group of its own, the rows before it closed first, so a reader holds it
 *   alone and its value is a page of its own;
 * - text, JSON and bytea columns other than the key carry no min/max
 *   statistics (one 52 MB jsonb value would be stored again as both);
 * - a long line is read from its bytes, its long strings straight into the
 *   buffer the page is written from (typed-line.ts), never as JS strings.
 *
 * Reading needs the footer first, so the decoder holds the stored file in
 * memory (ParquetBytes: one part, as stored) and reads it row group by row
 * group; decrypted bytes never touch disk.
 *
 * The content digest (parquet-content-hash.ts) is taken in column blocks of
 * the pages' contents before compression: each column's definition levels
 * and PLAIN bytes as the writer built them and as the reader finds them
 * (PLAIN_BLOCKS), boolean and DECIMAL columns as their values' canonical text.
 * So verification proves every value came back as written, not only the
 * stored bytes. Verification reads each row's key, steps over the other
 * values it hashes as stored, and builds no restore line (mode 'keys').
 */
import { CorruptArchiveError } from '../../archival.errors';
import { ArchiveFormat, DecodeMode, FormatStages } from '../archive-format';
import { Compression } from '../compression.interface';
import { ColumnInfo } from '../jsonl.format';
import { LineScanner } from '../line-scanner';
import { ParquetBytes } from './parquet-bytes';
import {
  canonicalValue, decimalBytes, sourceCanonical, decimalFromBytes, decimalText, decimalTypmod, INT64_DECIMAL_PRECISION, ParquetKind, parquetKind, restoreJson, restoreLinePieces, toParquetValue, unscaledDecimal,
} from './parquet-columns';
import { BLOCK_ROWS, ColumnBlockHash, CONTENT_HASH_KEY, CONTENT_HASH_SCHEMES, hashedAsPlain, ParquetContentHash, PLAIN_BLOCKS } from './parquet-content-hash';
import { PhysicalType } from './parquet-encoding';
import { FileColumn, ParquetFileWriter, physicalOf } from './parquet-file-writer';
import { ParquetFileReader } from './parquet-file-reader';
import { pageCodec, pageInflate } from './parquet-page-codec';
import { LONG_STRING, readTypedLine } from './typed-line';
import { TypedLineAppender } from './typed-line-appender';

/** Restore lines are handed on in chunks of at most this many lines or bytes. */
const LINES_PER_CHUNK = 1_000;
const BYTES_PER_CHUNK = 1024 * 1024;

export const ROW_GROUP_ROWS = 10_000;
/** Typed-line bytes (about the values' size; bytea counts twice, as hex) after which a row group is cut. */
export const ROW_GROUP_BYTES = 16 * 1024 * 1024;
/** A row at least this wide is a row group of its own. */
export const WIDE_ROW_BYTES = 1024 * 1024;

const VARIABLE_WIDTH: readonly ParquetKind[] = ['json', 'text', 'bytes'];

/** Key column first, as in every line. */
function parquetColumns(columns: ColumnInfo[], key: string): FileColumn[] {
  const ordered = [...columns.filter((c) => c.name === key), ...columns.filter((c) => c.name !== key)];
  return ordered.map((c) => {
    const kind = parquetKind(c);
    const decimal = kind === 'decimal' ? decimalTypmod(c.type) : undefined;
    // 16-byte decimals are signed: their bytes do not sort as their values, so they carry no min/max.
    const wideDecimal = decimal !== undefined && decimal.precision > INT64_DECIMAL_PRECISION;
    const statistics = !wideDecimal && (c.name === key || (!VARIABLE_WIDTH.includes(kind) && kind !== 'uuid'));
    return { name: c.name, kind, withZone: c.typname === 'timestamptz', statistics, json: c.typname === 'json' && kind === 'text', decimal };
  });
}

/** The physical types a column of each kind may be stored as: this writer's, and parquetjs-lite's before it (uuid and numeric as text). */
function readableAs(c: FileColumn): PhysicalType[] {
  if (c.kind === 'uuid' || c.kind === 'decimal') return [physicalOf(c).type, 'BYTE_ARRAY'];
  return [physicalOf(c).type];
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

/** The NaN values of a file's DECIMAL columns (DECIMAL has none): written as NULL, their row numbers kept in the footer. */
export const DECIMAL_NAN_KEY = 'nest-archival.decimal-nan';

type NanRows = Record<string, number[]>;

/** A DECIMAL column's value in the file: its unscaled integer (16 bytes above 18 digits); NaN → NULL, its row noted. */
function decimalValue(c: FileColumn, text: string, row: number, nans: NanRows): bigint | Buffer | undefined {
  if (text === 'NaN') {
    (nans[c.name] ??= []).push(row);
    return undefined;
  }
  const unscaled = unscaledDecimal(text);
  return c.decimal!.precision > INT64_DECIMAL_PRECISION ? decimalBytes(unscaled) : unscaled;
}

/** A DECIMAL value read back → numeric's text again ('NaN' where the footer lists the row). */
function decimalRead(c: FileColumn, value: unknown, row: number, nans: Map<string, Set<number>>): unknown {
  if (value === null || value === undefined) return nans.get(c.name)?.has(row) ? 'NaN' : value;
  if (typeof value === 'string') return value; // numeric archived as text, before DECIMAL
  return decimalText(Buffer.isBuffer(value) ? decimalFromBytes(value) : BigInt(value as bigint | number), c.decimal!.scale);
}

/** Where a typed line's values go: the file's columns, the content hash, and the NaN rows of DECIMAL columns. */
interface RowSink {
  writer: ParquetFileWriter;
  ordered: FileColumn[];
  content: ColumnBlockHash;
  /** Per column: hashed as its PLAIN bytes, so no canonical value is taken. */
  plain: readonly boolean[];
  nans: NanRows;
  /** The row being added (its number in the file). */
  row: number;
}

/**
 * Column i's value of the row being added (as JSON.parse gives it from a
 * typed line) → its physical value appended to the column of the writer; its
 * canonical value (sourceCanonical) goes to the content hash unless the
 * column is hashed as its PLAIN bytes.
 */
function appendValue(sink: RowSink, i: number, value: unknown): void {
  const c = sink.ordered[i];
  const column = sink.writer.column(i);
  if (value === null || value === undefined) {
    column.push(undefined);
    sink.content.value(i, null);
    return;
  }
  if (c.decimal) {
    column.push(decimalValue(c, value as string, sink.row, sink.nans));
    sink.content.value(i, value as string);
    return;
  }
  // int8, timestamps and uuid go to the page as their text (parquet-encoding.ts writes them without a BigInt or a Buffer each).
  const physical = TEXT_IS_PHYSICAL.includes(c.kind) && typeof value === 'string' ? value : toParquetValue(c.kind, value);
  column.push(physical);
  if (!sink.plain[i]) sink.content.value(i, sourceCanonical(c.kind, value, physical));
}

/**
 * One typed line appended as a row, the line let go of (so a wide line's bytes are not held while its row is written):
 * a short one from its bytes (typed-line-appender.ts), a long one read element by element, its long strings as bytes (typed-line.ts).
 */
function appendLine(sink: RowSink, appender: TypedLineAppender, entry: LineRef): void {
  const { line, start, end } = entry;
  entry.line = undefined;
  if (end - start <= LONG_STRING) appender.append(line!, start, end);
  else {
    const values = readTypedLine(line!, start, end);
    if (values.length !== sink.ordered.length) throw new Error(`a typed line holds ${values.length} values, not ${sink.ordered.length}`);
    values.forEach((value, i) => appendValue(sink, i, value));
  }
  sink.row++;
  sink.content.endRow();
}

/** Kinds whose typed-line text the page encoder takes as it stands. */
const TEXT_IS_PHYSICAL: readonly ParquetKind[] = ['int64', 'timestamp', 'uuid'];

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
    const codec = pageCodec(compression);
    let digest: ReturnType<ParquetContentHash['digest']> | undefined;
    async function* encode(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
      const writer = new ParquetFileWriter(ordered, codec);
      yield writer.start();
      const plain = ordered.map((c) => hashedAsPlain(c.kind, PLAIN_BLOCKS));
      const blocks = new ColumnBlockHash(content, ordered.length, (i) => (plain[i] ? writer.column(i) : undefined));
      const sink: RowSink = { writer, ordered, content: blocks, plain, nans: {}, row: 0 };
      const appender = new TypedLineAppender(ordered.map((c) => c.kind), plain, (i) => writer.column(i), (i, value) => appendValue(sink, i, value));
      const scanner = new LineScanner();
      const chunks = source[Symbol.asyncIterator]();
      let bytes = 0;
      for (let lines = await nextLines(chunks, scanner); lines; lines = await nextLines(chunks, scanner)) {
        // Parsed one at a time, so a chunk of wide rows is not all held as JS values at once.
        for (const entry of lines) {
          const size = entry.end - entry.start;
          const wide = size >= WIDE_ROW_BYTES;
          if (wide && writer.rows > 0) {
            blocks.endBlock();
            yield* await writer.flush();
          }
          appendLine(sink, appender, entry);
          bytes += size;
          if (wide || writer.rows >= ROW_GROUP_ROWS || bytes >= ROW_GROUP_BYTES) {
            blocks.endBlock();
            yield* await writer.flush();
            bytes = 0;
          }
        }
      }
      if (scanner.end()?.length) throw new Error('the row stream ended inside a line');
      blocks.endBlock();
      const metadata: Record<string, string> = { [CONTENT_HASH_KEY]: PLAIN_BLOCKS };
      if (Object.keys(sink.nans).length > 0) metadata[DECIMAL_NAN_KEY] = JSON.stringify(sink.nans);
      yield* await writer.finish(metadata);
      digest = content.digest();
    }
    return { stages: [encode], content: () => digest ?? content.digest() };
  }

  decoder(columns: ColumnInfo[], key: string, _compression: Compression, what: string, mode: DecodeMode = 'restore'): FormatStages {
    const ordered = parquetColumns(columns, key);
    const content = new ParquetContentHash();
    let digest: ReturnType<ParquetContentHash['digest']> | undefined;
    async function* decode(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
      // Stream errors (a failed GCM tag, a storage error) pass as they are.
      const bytes = await ParquetBytes.collect(source);
      const reader = await ParquetFileReader.open(bytes, pageInflate(what), what);
      for (const c of ordered) {
        const field = reader.fields.get(c.name);
        if (field && !readableAs(c).includes(field.type)) {
          throw new CorruptArchiveError(`${what}: column ${JSON.stringify(c.name)} is stored as ${field.type}, not as a ${c.kind} column is`);
        }
      }
      const metadata = reader.metadata();
      const nans = decimalNans(metadata, what);
      const hashing = metadata[CONTENT_HASH_KEY];
      if (hashing !== undefined && !CONTENT_HASH_SCHEMES.includes(hashing)) throw new CorruptArchiveError(`${what}: unknown ${CONTENT_HASH_KEY} ${JSON.stringify(hashing)}`);
      const byBlocks = hashing !== undefined;
      // Columns hashed as stored: verification steps over their values and makes none of them (the key excepted).
      const plain = ordered.map((c) => hashedAsPlain(c.kind, hashing));
      const readColumns = ordered.map((c, i) => ({ name: c.name, asText: c.kind !== 'bytes', uuid: c.kind === 'uuid', raw: plain[i], skipValues: plain[i] && mode === 'keys' && i > 0 }));
      const chunks = new LineChunks();
      const [keyColumn] = ordered;
      const keyPrefix = `{${JSON.stringify(keyColumn.name)}:`;
      let row = 0;
      for await (const group of reader.rowGroups(readColumns, BLOCK_ROWS)) {
        const values = ordered.map((c) => group.values.get(c.name)!);
        ordered.forEach((c, i) => {
          if (c.decimal) values[i] = values[i].map((value, r) => decimalRead(c, value, row + r, nans));
        });
        // Column blocks: a slice is a block (both BLOCK_ROWS rows of a row group, the last shorter).
        if (byBlocks) {
          ordered.forEach((c, i) => {
            if (!plain[i]) content.add(values[i].map((value) => canonicalValue(c.kind, value)));
            else {
              const raw = group.raw.get(c.name)!;
              content.addPlain(raw.levels, raw.plain);
            }
          });
        }
        const scratch = new Array<string | Buffer | null>(ordered.length);
        const keys = mode === 'keys' ? new Array<string>(group.rows) : undefined;
        for (let r = 0; r < group.rows; r++) {
          if (!byBlocks) {
            for (let i = 0; i < scratch.length; i++) scratch[i] = canonicalValue(ordered[i].kind, values[i][r]);
            content.add(scratch);
          }
          // Verification reads each line's key alone: one line per row holding just that.
          if (keys) keys[r] = `${keyPrefix}${restoreJson(keyColumn.kind, values[0][r], keyColumn.withZone) as string}}\n`;
          else {
            chunks.add(restoreLinePieces(ordered, Object.fromEntries(ordered.map((c, i) => [c.name, values[i][r]]))));
            if (chunks.full) yield* chunks.take();
          }
        }
        values.length = 0;
        if (keys) yield Buffer.from(keys.join(''));
        row += group.rows;
      }
      if (row !== reader.rowCount) throw new CorruptArchiveError(`${what}: its row groups hold ${row} rows, its footer says ${reader.rowCount}`);
      yield* chunks.take();
      digest = content.digest();
    }
    return { stages: [decode], content: () => digest ?? content.digest() };
  }
}
