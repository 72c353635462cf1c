/**
 * The Parquet writer's loop, on whichever thread runs it (the Parquet
 * thread, parquet-thread-worker.ts): typed lines in, the file's bytes out.
 * Each line is parsed (JSON.parse, or element by element when it is long:
 * typed-line.ts) and its values go straight into their columns' pages
 * (parquet-column-builder.ts) and the content hash; row groups are cut at
 * ROW_GROUP_ROWS rows or ROW_GROUP_BYTES of lines, and a wide row is a row
 * group of its own, the rows before it closed first.
 */
import type { CompressionName } from '../../archival-options';
import { ContentDigest } from '../archive-format';
import { ColumnInfo } from '../jsonl.format';
import { LineScanner } from '../line-scanner';
import { decimalBytes, INT64_DECIMAL_PRECISION, ParquetKind, sourceCanonical, toParquetValue, unscaledDecimal } from './parquet-columns';
import { ColumnBlockHash, CONTENT_HASH_KEY, hashedAsPlain, ParquetContentHash, PLAIN_TEXT_BLOCKS } from './parquet-content-hash';
import { parquetColumns } from './parquet-file-columns';
import { FileColumn, ParquetFileWriter } from './parquet-file-writer';
import { pageCodec } from './parquet-page-codec';
import { LONG_STRING, readTypedLine } from './typed-line';

export const ROW_GROUP_ROWS = 10_000;
/** Typed-line bytes (about the values' size; bytea counts twice, as hex) after which a row group is cut. */
export const ROW_GROUP_BYTES = 16 * 1024 * 1024;
/** A row at least this wide is a row group of its own. */
export const WIDE_ROW_BYTES = 1024 * 1024;


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
 * A typed line's values in file column order, the line let go of (so a wide line's bytes are not held while its row is written).
 * A long line is read element by element, its long strings as bytes (typed-line.ts).
 */
function takeLine(entry: LineRef, columns: number): unknown[] {
  const { line, start, end } = entry;
  entry.line = undefined;
  const values = end - start <= LONG_STRING ? (JSON.parse(line!.toString('utf8', start, end)) as unknown) : readTypedLine(line!, start, end);
  if (!Array.isArray(values) || values.length !== columns) throw new Error(`a typed line holds ${Array.isArray(values) ? `${values.length} values` : 'no array'}, not ${columns}`);
  return values;
}

/** The NaN values of a file's DECIMAL columns (DECIMAL has none): written as NULL, their row numbers kept in the footer. */
export const DECIMAL_NAN_KEY = 'nest-archival.decimal-nan';

export type NanRows = Record<string, number[]>;

/** A DECIMAL column's value in the file: its unscaled integer (16 bytes above 18 digits); NaN → NULL, its row noted. */
function decimalValue(c: FileColumn, text: string, row: number, nans: NanRows): bigint | Buffer | undefined {
  if (text === 'NaN') {
    (nans[c.name] ??= []).push(row);
    return undefined;
  }
  const unscaled = unscaledDecimal(text);
  return c.decimal!.precision > INT64_DECIMAL_PRECISION ? decimalBytes(unscaled) : unscaled;
}

/** One typed line → a physical value appended to each column of `writer`, and its canonical value (sourceCanonical) to the content hash. */
function appendRow(
  writer: ParquetFileWriter, ordered: FileColumn[], typed: unknown[], content: ColumnBlockHash, at: { row: number; nans: NanRows },
): void {
  const index = at.row++;
  for (let i = 0; i < ordered.length; i++) {
    const c = ordered[i];
    const value = typed[i];
    const column = writer.column(i);
    if (value === null || value === undefined) {
      column.push(undefined);
      content.value(i, null);
      continue;
    }
    if (c.decimal) {
      column.push(decimalValue(c, value as string, index, at.nans));
      content.value(i, value as string);
      continue;
    }
    // int8, timestamps and uuid go to the page as their text (parquet-encoding.ts writes them without a BigInt or a Buffer each).
    const physical = TEXT_IS_PHYSICAL.includes(c.kind) && typeof value === 'string' ? value : toParquetValue(c.kind, value);
    column.push(physical);
    content.value(i, sourceCanonical(c.kind, value, physical));
  }
  content.endRow();
}

/** Kinds whose typed-line text the page encoder takes as it stands. */
const TEXT_IS_PHYSICAL: readonly ParquetKind[] = ['int64', 'timestamp', 'uuid'];

export interface ParquetEncoding {
  encode(lines: AsyncIterable<Buffer>): AsyncIterable<Buffer>;
  /** The content digest; valid once `encode` has ended. */
  content(): ContentDigest;
}

/** Typed lines → the Parquet file, its pages compressed as `compression` says. */
export function encodeParquet(columns: ColumnInfo[], key: string, compression: CompressionName): ParquetEncoding {
  const ordered = parquetColumns(columns, key);
  const content = new ParquetContentHash();
  const codec = pageCodec(compression);
  let digest: ReturnType<ParquetContentHash['digest']> | undefined;
  async function* encode(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
    const writer = new ParquetFileWriter(ordered, codec);
    yield writer.start();
    const at = { row: 0, nans: {} as NanRows };
    const blocks = new ColumnBlockHash(content, ordered.length, (i) => (hashedAsPlain(ordered[i].kind) ? writer.column(i) : undefined));
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
        appendRow(writer, ordered, takeLine(entry, ordered.length), blocks, at);
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
    const metadata: Record<string, string> = { [CONTENT_HASH_KEY]: PLAIN_TEXT_BLOCKS };
    if (Object.keys(at.nans).length > 0) metadata[DECIMAL_NAN_KEY] = JSON.stringify(at.nans);
    yield* await writer.finish(metadata);
    digest = content.digest();
  }
  return { encode, content: () => digest ?? content.digest() };
}
