/**
 * One column of the row group being written, encoded as its values arrive:
 * each value goes straight into the column's PLAIN bytes and its definition
 * level into a byte per row, so a row group's values are not held as JS
 * values until the row group is cut (they die young, and the heap stays
 * small). Min/max statistics are kept as values pass, where asked for.
 *
 * A wide value (a TextBytes of a typed line, or a Buffer of WIDE_VALUE bytes
 * or more) alone in its column chunk is not copied in: its page is built
 * around it when the row group is cut (parquet-encoding.ts).
 */
import { isUtf8 } from 'node:buffer';
import { encodeLevelBytes, Int64Value, int64Numeric, PhysicalType, widePage, writeInt64, writeUuid, writeUuidBytes } from './parquet-encoding';
import { BACKSLASH, escapeLength, isTextBytes, QUOTE, SHORT_ESCAPES, writeEscape } from './typed-line';

const INITIAL_BYTES = 64 * 1024;
const WIDE_VALUE = 1024 * 1024;

export interface BuiltChunk {
  rows: number;
  nulls: number;
  levels: Buffer;
  plain: Buffer;
  /** min_value / max_value, PLAIN-encoded (BYTE_ARRAY without its length); absent when none were kept. */
  min?: Buffer;
  max?: Buffer;
}

export class ColumnBuilder {
  private levels = new Uint8Array(1024);
  private rows = 0;
  private nulls = 0;
  private bytes: Buffer;
  private length = 0;
  private booleans = 0;
  private wide?: Buffer;
  private min?: number | bigint | Buffer;
  private max?: number | bigint | Buffer;

  /** `capacity`: the bytes to start with (the writer passes what the column's last row group took, so a row group seldom grows its buffer). */
  constructor(
    private readonly type: PhysicalType,
    private readonly typeLength: number | undefined,
    private readonly statistics: boolean,
    capacity = INITIAL_BYTES,
  ) {
    this.bytes = Buffer.allocUnsafe(Math.max(capacity, 64));
  }

  /** How many times reset() emptied it: a new row group in the same builder. */
  resets = 0;

  /** PLAIN bytes written so far (a wide value held aside counts too). */
  get size(): number {
    return this.length + (this.wide ? 4 + this.wide.length : 0);
  }

  get count(): number {
    return this.rows;
  }

  push(value: unknown): void {
    if (value === undefined || value === null) {
      this.level(0);
      this.nulls++;
      return;
    }
    this.level(1);
    if (this.wide) this.unwiden();
    const start = this.length;
    switch (this.type) {
      case 'BOOLEAN':
        this.room(1);
        if (this.booleans % 8 === 0) this.bytes[this.length++] = 0;
        if (value) this.bytes[this.length - 1] |= 1 << (this.booleans % 8);
        this.booleans++;
        return;
      case 'INT32':
        this.room(4);
        this.length = this.bytes.writeInt32LE(value as number, this.length);
        if (this.statistics) this.keep(value as number);
        return;
      case 'INT64': {
        this.room(8);
        const n = int64Numeric(value as Int64Value);
        writeInt64(this.bytes, this.length, n);
        this.length += 8;
        if (this.statistics) this.keep(n);
        return;
      }
      case 'FLOAT':
        this.room(4);
        this.length = this.bytes.writeFloatLE(value as number, this.length);
        return;
      case 'DOUBLE':
        this.room(8);
        this.length = this.bytes.writeDoubleLE(value as number, this.length);
        return;
      case 'FIXED_LEN_BYTE_ARRAY': {
        const size = this.typeLength ?? 0;
        this.room(size);
        if (typeof value === 'string') writeUuid(this.bytes, this.length, value);
        else {
          if ((value as Buffer).length !== size) throw new Error(`a FIXED_LEN_BYTE_ARRAY(${size}) value of ${(value as Buffer).length} bytes`);
          (value as Buffer).copy(this.bytes, this.length);
        }
        this.length += size;
        break;
      }
      case 'BYTE_ARRAY': {
        if (Buffer.isBuffer(value) && this.length === 0 && (isTextBytes(value) || value.length >= WIDE_VALUE)) {
          this.wide = value;
          if (this.statistics) this.keepBytes(value);
          return;
        }
        const text = typeof value === 'string';
        this.room(4 + (text ? (value as string).length * 3 : (value as Buffer).length));
        const written = text ? this.bytes.write(value as string, this.length + 4) : (value as Buffer).copy(this.bytes, this.length + 4);
        this.bytes.writeUInt32LE(written, this.length);
        this.length += 4 + written;
        if (this.statistics) this.keepBytes(this.bytes.subarray(start + 4, this.length));
        return;
      }
    }
    if (this.statistics) this.keepBytes(this.bytes.subarray(start, this.length));
  }

  /**
   * A BYTE_ARRAY value given as a JSON string of a typed line whose body
   * starts at line[start]: its UTF-8 text goes into the page straight from
   * those bytes, unescaped on the way, as push() of the string JSON.parse
   * makes of it would write it. Returns the index after its closing quote;
   * -1, and nothing is appended, when its body holds a raw control
   * character or is not valid UTF-8 (JSON.parse and a UTF-8 write would
   * not give those bytes back unchanged).
   */
  pushJsonString(line: Buffer, start: number, end: number): number {
    if (this.wide) this.unwiden();
    // Unescaped, the body is never longer than the rest of the line.
    this.room(4 + end - start);
    const bytes = this.bytes;
    const from = this.length + 4;
    let out = from;
    let high = false;
    let i = start;
    while (i < end) {
      const byte = line[i];
      if (byte === QUOTE) break;
      if (byte === BACKSLASH) {
        const short = SHORT_ESCAPES[line[i + 1]];
        if (short > 0) {
          bytes[out++] = short;
          i += 2;
          continue;
        }
        const length = escapeLength(line, i);
        out = writeEscape(line, i, bytes, out);
        i += length;
        continue;
      }
      if (byte < 0x20) return -1;
      if (byte >= 0x80) high = true;
      bytes[out++] = byte;
      i++;
    }
    if (i >= end) throw new Error('a typed line ends inside a string');
    if (high && !isUtf8(bytes.subarray(from, out))) return -1;
    this.level(1);
    bytes.writeUInt32LE(out - from, this.length);
    this.length = out;
    if (this.statistics) this.keepBytes(bytes.subarray(from, out));
    return i + 1;
  }

  /** A FIXED_LEN_BYTE_ARRAY(16) value given as uuid text, the 36 bytes line[at, at + 36); false, and nothing appended, when they are not one. */
  pushUuidText(line: Buffer, at: number): boolean {
    this.room(16);
    if (!writeUuidBytes(this.bytes, this.length, line, at)) return false;
    this.level(1);
    this.length += 16;
    if (this.statistics) this.keepBytes(this.bytes.subarray(this.length - 16, this.length));
    return true;
  }

  private level(level: 0 | 1): void {
    if (this.rows === this.levels.length) {
      const grown = new Uint8Array(this.levels.length * 2);
      grown.set(this.levels);
      this.levels = grown;
    }
    this.levels[this.rows++] = level;
  }

  /** The definition levels (0 or 1) of the rows from `row` on. */
  levelsSince(row: number): Uint8Array {
    return this.levels.subarray(row, this.rows);
  }

  /** The PLAIN bytes from byte `offset` (a `size` taken earlier) on, as the page will hold them (views, valid until the next push). */
  plainSince(offset: number): Buffer[] {
    if (!this.wide) return [this.bytes.subarray(offset, this.length)];
    // The wide value is the chunk's first: from a later offset (NULLs since) there are no bytes.
    if (offset > 0) return [];
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32LE(this.wide.length, 0);
    return [length, this.wide];
  }

  /**
   * Empties the builder for the next row group, keeping its buffers when they
   * are at most `keep` bytes (call only once nothing holds what take() gave).
   */
  reset(keep: number): void {
    this.resets++;
    if (this.bytes.length > keep) this.bytes = Buffer.allocUnsafe(keep);
    this.length = 0;
    this.rows = 0;
    this.nulls = 0;
    this.booleans = 0;
    this.wide = undefined;
    this.min = undefined;
    this.max = undefined;
  }

  /** The chunk's levels, values and statistics; the builder is spent until reset(). */
  take(): BuiltChunk {
    const plain = this.wide ? widePage(this.wide) : this.bytes.subarray(0, this.length);
    const levels = encodeLevelBytes(this.levels.subarray(0, this.rows), this.nulls);
    const stats = this.min === undefined ? {} : { min: this.encoded(this.min), max: this.encoded(this.max!) };
    return { rows: this.rows, nulls: this.nulls, levels, plain, ...stats };
  }

  private encoded(value: number | bigint | Buffer): Buffer {
    return Buffer.isBuffer(value) ? value : encodePlain(this.type, [value]);
  }

  private keep(value: number | bigint): void {
    if (this.min === undefined || value < (this.min as number | bigint)) this.min = value;
    if (this.max === undefined || value > (this.max as number | bigint)) this.max = value;
  }

  private keepBytes(value: Buffer): void {
    if (this.min === undefined || Buffer.compare(value, this.min as Buffer) < 0) this.min = Buffer.from(value);
    if (this.max === undefined || Buffer.compare(value, this.max as Buffer) > 0) this.max = Buffer.from(value);
  }

  /** A value follows a wide one: the wide one is copied in after all. */
  private unwiden(): void {
    const wide = this.wide!;
    this.wide = undefined;
    this.room(4 + wide.length);
    this.bytes.writeUInt32LE(wide.length, this.length);
    this.length += 4 + wide.copy(this.bytes, this.length + 4);
  }

  private room(size: number): void {
    if (this.length + size <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + size));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }
}

/** `values` (undefined: NULL) as one PLAIN page of the values that are not NULL. */
export function encodePlain(type: PhysicalType, values: readonly unknown[], typeLength?: number): Buffer {
  const builder = new ColumnBuilder(type, typeLength, false);
  for (const value of values) builder.push(value);
  return builder.take().plain;
}
