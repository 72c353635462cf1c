/**
 * Reading a Parquet archive back (parquet-file-reader.ts): the stored file
 * (decrypted) in, and out either restore lines that json_populate_record
 * reads or, for verification (mode 'keys'), one line per row holding its key
 * alone; the content digest is taken from what was decoded, the same way the
 * writer took it (parquet-content-hash.ts). Verification runs it on the
 * Parquet thread (parquet-thread.ts), restore on the calling thread.
 */
import { CorruptArchiveError } from '../../archival.errors';
import { ContentDigest, DecodeMode } from '../archive-format';
import { ColumnInfo } from '../jsonl.format';
import { ParquetBytes } from './parquet-bytes';
import { canonicalValue, decimalFromBytes, decimalText, restoreJson, restoreLinePieces } from './parquet-columns';
import { BLOCK_ROWS, COLUMN_BLOCKS, CONTENT_HASH_KEY, hashedAsPlain, ParquetContentHash, PLAIN_TEXT_BLOCKS } from './parquet-content-hash';
import { DECIMAL_NAN_KEY, NanRows } from './parquet-encoder';
import { PhysicalType } from './parquet-encoding';
import { parquetColumns } from './parquet-file-columns';
import { ParquetFileReader } from './parquet-file-reader';
import { FileColumn, physicalOf } from './parquet-file-writer';
import { pageInflate } from './parquet-page-codec';

/** Restore lines are handed on in chunks of at most this many lines or bytes. */
const LINES_PER_CHUNK = 1_000;
const BYTES_PER_CHUNK = 1024 * 1024;

/** The physical types a column of each kind may be stored as: this writer's, and parquetjs-lite's before it (uuid and numeric as text). */
function readableAs(c: FileColumn): PhysicalType[] {
  if (c.kind === 'uuid' || c.kind === 'decimal') return [physicalOf(c).type, 'BYTE_ARRAY'];
  return [physicalOf(c).type];
}

/** A DECIMAL value read back → numeric's text again ('NaN' where the footer lists the row). */
function decimalRead(c: FileColumn, value: unknown, row: number, nans: Map<string, Set<number>>): unknown {
  if (value === null || value === undefined) return nans.get(c.name)?.has(row) ? 'NaN' : value;
  if (typeof value === 'string') return value; // numeric archived as text, before DECIMAL
  return decimalText(Buffer.isBuffer(value) ? decimalFromBytes(value) : BigInt(value as bigint | number), c.decimal!.scale);
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

export interface ParquetDecoding {
  decode(stored: AsyncIterable<Buffer>): AsyncIterable<Buffer>;
  /** The content digest; valid once `decode` has ended. */
  content(): ContentDigest;
}

/** The stored file → restore lines, or key lines (mode 'keys'); `what` names the archive in errors. */
export function decodeParquet(columns: ColumnInfo[], key: string, what: string, mode: DecodeMode): ParquetDecoding {
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
    if (hashing !== undefined && hashing !== COLUMN_BLOCKS && hashing !== PLAIN_TEXT_BLOCKS) throw new CorruptArchiveError(`${what}: unknown ${CONTENT_HASH_KEY} ${JSON.stringify(hashing)}`);
    const byBlocks = hashing !== undefined;
    // PLAIN_TEXT_BLOCKS: text and json columns are hashed as stored; verification then never makes their values into strings (the key excepted).
    const plain = ordered.map((c) => hashing === PLAIN_TEXT_BLOCKS && hashedAsPlain(c.kind));
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
  return { decode, content: () => digest ?? content.digest() };
}
