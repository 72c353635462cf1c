/**
 * The content digest of a Parquet archive, the same on the write and the
 * read side: SHA-256 over one line per column block (ColumnBlockHash). Since
 * PLAIN_BLOCKS every column but boolean and DECIMAL is hashed as its levels
 * and PLAIN bytes (addPlain), as the writer paged them and as the reader
 * finds them, so a verification makes no JS value of them; the two others,
 * and every column under the older schemes, as
 * `JSON.stringify([canonical values...])` + "\n" (see canonicalValue). Under
 * PLAIN_TEXT_BLOCKS only text and json were hashed as PLAIN bytes; archives
 * written before COLUMN_BLOCKS were hashed a row per line.
 *
 * A row with a long value is hashed piece by piece instead of as one string:
 * the JSON text of a string is the JSON text of consecutive slices of it
 * (quotes stripped) as long as no slice splits a surrogate pair, so a 50 MB
 * jsonb value costs 1 MiB pieces, not a 50 MB copy and its UTF-8 bytes.
 * A long text or json value read as UTF-8 bytes (TextBytes, typed-line.ts)
 * is hashed from its bytes, escaped as JSON.stringify escapes.
 */
import { createHash } from 'node:crypto';
import { ContentDigest } from '../archive-format';
import { ParquetKind } from './parquet-columns';

/** What ColumnBlockHash reads of a column's builder (parquet-column-builder.ts). */
export interface PlainSource {
  /** Changes when the builder starts a new row group. */
  readonly resets: number;
  readonly count: number;
  readonly size: number;
  levelsSince(row: number): Uint8Array;
  plainSince(offset: number): Buffer[];
}

/** Values up to this many UTF-16 units are hashed as part of their row's text; longer ones in slices of this size. */
const PIECE = 1024 * 1024;
const PENDING = 64 * 1024;

export class ParquetContentHash {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  /** Text waiting to be hashed: rows are hashed about PENDING characters at a time, not one update each. */
  private pending = '';

  /** One row given as its canonical values (canonicalValue's results), in column order. */
  add(canonical: readonly (string | Buffer | null)[]): void {
    // Short values, PIECE units in all, are hashed as one JSON text; longer ones piece by piece (no text of the whole block).
    let total = 0;
    for (const value of canonical) if (value !== null) total += typeof value === 'string' ? value.length : PIECE + 1;
    if (total <= PIECE) {
      this.update(`${JSON.stringify(canonical)}\n`);
      return;
    }
    this.update('[');
    canonical.forEach((value, index) => {
      if (index > 0) this.update(',');
      if (value === null) this.update('null');
      else if (typeof value === 'string') this.updateJsonString(value);
      else this.updateJsonBytes(value);
    });
    this.update(']\n');
  }

  /**
   * One text or json column block as the file holds it: the line
   * `P<rows>:<bytes>\n`, then a byte per row (1: a value, 0: NULL), then the
   * values' PLAIN bytes (each a 4-byte length and its UTF-8 text).
   */
  addPlain(levels: Uint8Array, plain: readonly Buffer[]): void {
    const bytes = plain.reduce((total, part) => total + part.length, 0);
    this.update(`P${levels.length}:${bytes}\n`);
    this.flush();
    this.hash.update(levels);
    for (const part of plain) this.hash.update(part);
    this.bytes += levels.length + bytes;
  }

  digest(): ContentDigest {
    this.flush();
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Hashes JSON.stringify(text) without building it. */
  private updateJsonString(text: string): void {
    this.update('"');
    for (let start = 0; start < text.length; ) {
      let end = Math.min(start + PIECE, text.length);
      // JSON.stringify escapes a lone surrogate, so a pair must stay in one slice.
      if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end++;
      this.update(JSON.stringify(text.slice(start, end)).slice(1, -1));
      start = end;
    }
    this.update('"');
  }

  /**
   * Hashes JSON.stringify of the UTF-8 text `bytes` without decoding it: the
   * bytes as they are, with JSON.stringify's escapes (quote, backslash,
   * control characters; valid UTF-8 holds no lone surrogate) written into a
   * scratch buffer a slice at a time. No string is made, so a 50 MB value
   * leaves no garbage on the JS heap.
   */
  private updateJsonBytes(bytes: Buffer): void {
    this.update('"');
    // An escape is at most 6 bytes (\u00XX) for 1 input byte.
    const scratch = Buffer.allocUnsafe(PIECE * 6);
    for (let start = 0; start < bytes.length; start += PIECE) {
      const end = Math.min(start + PIECE, bytes.length);
      let out = 0;
      for (let i = start; i < end; i++) {
        const byte = bytes[i];
        if (byte >= 0x20 && byte !== 0x22 && byte !== 0x5c) {
          scratch[out++] = byte;
          continue;
        }
        const named = NAMED_ESCAPES[byte];
        scratch[out++] = 0x5c;
        if (named !== undefined) scratch[out++] = named;
        else out += scratch.write(`u00${byte.toString(16).padStart(2, '0')}`, out, 'latin1');
      }
      this.flush();
      this.hash.update(scratch.subarray(0, out));
      this.bytes += out;
    }
    this.update('"');
  }

  private update(text: string): void {
    // A column block's text (tens of KB) is hashed as it is; only short pieces are gathered first.
    if (text.length >= PENDING / 4) {
      this.flush();
      const bytes = Buffer.from(text);
      this.hash.update(bytes);
      this.bytes += bytes.length;
      return;
    }
    this.pending += text;
    if (this.pending.length >= PENDING) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const bytes = Buffer.from(this.pending);
    this.pending = '';
    this.hash.update(bytes);
    this.bytes += bytes.length;
  }
}

/** JSON.stringify's two-character escapes, by the byte they stand for. */
const NAMED_ESCAPES: Record<number, number> = { 0x22: 0x22, 0x5c: 0x5c, 0x08: 0x62, 0x0c: 0x66, 0x0a: 0x6e, 0x0d: 0x72, 0x09: 0x74 };

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The footer entry naming how an archive's content digest was taken; absent in archives hashed row by row. */
export const CONTENT_HASH_KEY = 'nest-archival.content-hash';
/** Every column block as the JSON text of its canonical values (archives written before PLAIN_TEXT_BLOCKS). */
export const COLUMN_BLOCKS = 'column-blocks-1024';
/** As COLUMN_BLOCKS, except that a text or json column's block is hashed as its levels and PLAIN bytes (addPlain); archives written before PLAIN_BLOCKS. */
export const PLAIN_TEXT_BLOCKS = 'column-blocks-1024-plain-text';
/** Every column's block as its levels and PLAIN bytes (addPlain), except boolean and DECIMAL columns (see hashedAsPlain): written now. */
export const PLAIN_BLOCKS = 'column-blocks-1024-plain';

/** The schemes this reader knows, newest first. */
export const CONTENT_HASH_SCHEMES: readonly string[] = [PLAIN_BLOCKS, PLAIN_TEXT_BLOCKS, COLUMN_BLOCKS];

/**
 * Whether a column of `kind` is hashed as its levels and PLAIN bytes under
 * `scheme`. Under PLAIN_BLOCKS every kind is, except two whose PLAIN bytes
 * do not hold the whole value by themselves: BOOLEAN packs eight values to a
 * byte (a block's bits need not start on a byte), and a DECIMAL's NaN is a
 * NULL whose row the footer lists, outside the page.
 */
export function hashedAsPlain(kind: ParquetKind, scheme: string | undefined): boolean {
  if (scheme === PLAIN_BLOCKS) return kind !== 'boolean' && kind !== 'decimal';
  if (scheme === PLAIN_TEXT_BLOCKS) return kind === 'text' || kind === 'json';
  return false;
}

/** Rows in a block: each row group is hashed in blocks of this many rows (the last one shorter). */
export const BLOCK_ROWS = 1024;

/**
 * The content digest of archives written since the page writer: each row
 * group in blocks of BLOCK_ROWS rows, each block column by column, one line
 * `JSON.stringify([canonical values of the column in the block])` + "\n" per
 * column in table order. One JSON.stringify per column block instead of one
 * per row: the same proof (every value, in its place) for less work. The
 * footer says so (CONTENT_HASH_KEY); archives without it were hashed a row
 * per line, and still are when read. A column hashed as PLAIN bytes
 * (hashedAsPlain) is its builder's levels and PLAIN bytes since the block began.
 */
export class ColumnBlockHash {
  private blocks: (string | Buffer | null)[][];
  private rows = 0;
  /** Per column hashed as PLAIN bytes: its builder and where the block began in it. */
  private readonly marks: ({ builder?: PlainSource; resets: number; row: number; byte: number } | undefined)[];

  /**
   * `plain(i)`: column i's builder when its blocks are hashed as PLAIN bytes
   * (hashedAsPlain), else undefined; asked again at each block, since a
   * row group's end brings new builders.
   */
  constructor(private readonly hash: ParquetContentHash, private readonly columns: number, private readonly plain: (index: number) => PlainSource | undefined = () => undefined) {
    this.blocks = this.empty();
    this.marks = Array.from({ length: columns }, (_, i) => (plain(i) ? { resets: 0, row: 0, byte: 0 } : undefined));
  }

  /** Column `index`'s canonical value in the row being added (not kept for a column hashed as PLAIN bytes). */
  value(index: number, canonical: string | Buffer | null): void {
    if (this.marks[index] === undefined) this.blocks[index].push(canonical);
  }

  /** The row is complete; a full block is hashed. */
  endRow(): void {
    if (++this.rows === BLOCK_ROWS) this.endBlock();
  }

  /** Hashes the rows since the last block (call where a row group ends). */
  endBlock(): void {
    if (this.rows === 0) return;
    for (const [i, block] of this.blocks.entries()) {
      const mark = this.marks[i];
      if (mark === undefined) {
        this.hash.add(block);
        continue;
      }
      const builder = this.plain(i)!;
      // A row group's end brings a new builder, or empties the same one: the block starts at its beginning.
      if (builder !== mark.builder || builder.resets !== mark.resets) Object.assign(mark, { builder, resets: builder.resets, row: 0, byte: 0 });
      this.hash.addPlain(builder.levelsSince(mark.row), builder.plainSince(mark.byte));
      mark.row = builder.count;
      mark.byte = builder.size;
    }
    this.blocks = this.empty();
    this.rows = 0;
  }

  private empty(): (string | Buffer | null)[][] {
    return Array.from({ length: this.columns }, () => []);
  }
}
