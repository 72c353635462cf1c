/**
 * The two Parquet encodings archives use, both directions (values are
 * written by parquet-column-builder.ts as they arrive, with the helpers here):
 * - PLAIN values: BOOLEAN bit-packed, INT32/INT64/FLOAT/DOUBLE little-endian,
 *   BYTE_ARRAY as a 4-byte length and the bytes, FIXED_LEN_BYTE_ARRAY as is;
 * - definition levels of an OPTIONAL column (0 = NULL, 1 = a value) in the
 *   RLE / bit-packed hybrid with bit width 1.
 * A value is undefined where the row's column is NULL.
 */
import { CorruptArchiveError } from '../../archival.errors';
import { HEADROOM, isTextBytes } from './typed-line';

export type PhysicalType = 'BOOLEAN' | 'INT32' | 'INT64' | 'FLOAT' | 'DOUBLE' | 'BYTE_ARRAY' | 'FIXED_LEN_BYTE_ARRAY';

/** Parquet's Type enum (parquet.thrift). */
export const PHYSICAL_TYPE_ID: Record<PhysicalType, number> = {
  BOOLEAN: 0, INT32: 1, INT64: 2, FLOAT: 4, DOUBLE: 5, BYTE_ARRAY: 6, FIXED_LEN_BYTE_ARRAY: 7,
};

/** Definition levels (a byte per row): one RLE run when every row is alike, else one bit-packed run (8 rows a byte). */
export function encodeLevelBytes(levels: Uint8Array, nulls: number): Buffer {
  if (nulls === 0 || nulls === levels.length) {
    const header = varint(levels.length * 2);
    return Buffer.concat([header, Buffer.of(nulls === 0 ? 1 : 0)]);
  }
  const groups = Math.ceil(levels.length / 8);
  const header = varint(groups * 2 + 1);
  const bits = Buffer.alloc(header.length + groups);
  header.copy(bits);
  for (let i = 0; i < levels.length; i++) if (levels[i]) bits[header.length + (i >> 3)] |= 1 << (i & 7);
  return bits;
}

/** An INT64 value as this project holds one: a BigInt, a safe integer, or an integer's decimal text (int8 and timestamps from typed lines). */
export type Int64Value = bigint | number | string;

/** A safe integer as it stands, anything larger as a BigInt: comparable with < and >, either way. */
export function int64Numeric(value: Int64Value): number | bigint {
  if (typeof value !== 'string') return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : BigInt(value);
}

export function writeInt64(out: Buffer, offset: number, value: Int64Value): void {
  const n = int64Numeric(value);
  if (typeof n === 'bigint') {
    out.writeBigInt64LE(n, offset);
    return;
  }
  // Two's complement in two 32-bit halves, no BigInt made.
  const high = Math.floor(n / 4294967296);
  out.writeUInt32LE(n - high * 4294967296, offset);
  out.writeInt32LE(high, offset + 4);
}

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/** uuid text (8-4-4-4-12 hex digits) → its 16 bytes at `offset`. */
export function writeUuid(out: Buffer, offset: number, text: string): void {
  // As UTF-8: any character outside ASCII makes it longer than 36 bytes.
  const bytes = Buffer.from(text);
  if (bytes.length !== 36 || !writeUuidBytes(out, offset, bytes, 0)) throw new Error(`not a uuid: ${JSON.stringify(text)}`);
}

/** uuid text as the 36 bytes line[at, at + 36) → its 16 bytes at `offset`, no Buffer made; false when they are not uuid text. */
export function writeUuidBytes(out: Buffer, offset: number, line: Buffer, at: number): boolean {
  if (at + 36 > line.length || line[at + 8] !== 0x2d || line[at + 13] !== 0x2d || line[at + 18] !== 0x2d || line[at + 23] !== 0x2d) return false;
  let byte = 0;
  for (let i = 0; i < 36; i += i === 6 || i === 11 || i === 16 || i === 21 ? 3 : 2) {
    const high = HEX_VALUE[line[at + i]] ?? -1;
    const low = HEX_VALUE[line[at + i + 1]] ?? -1;
    if (high < 0 || low < 0) return false;
    out[offset + byte++] = (high << 4) | low;
  }
  return true;
}

/** 16 bytes at `offset` → uuid text as PostgreSQL writes it. */
export function uuidAt(bytes: Buffer, offset: number): string {
  const hex = bytes.toString('hex', offset, offset + 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An INT64 read: a number where it is a safe integer, else a BigInt. */
function readInt64(bytes: Buffer, offset: number): number | bigint {
  const high = bytes.readInt32LE(offset + 4);
  if (high >= -2097152 && high < 2097152) return high * 4294967296 + bytes.readUInt32LE(offset);
  return bytes.readBigInt64LE(offset);
}

/**
 * The PLAIN page of one long BYTE_ARRAY value. A value read from a typed line
 * (TextBytes) is encoded in place: its length goes into the headroom the value
 * was given, so a 50 MB jsonb value is not copied into its page.
 */
export function widePage(value: Buffer): Buffer {
  if (isTextBytes(value)) {
    const page = Buffer.from(value.buffer, value.byteOffset - HEADROOM, value.length + HEADROOM);
    page.writeUInt32LE(value.length, 0);
    return page;
  }
  const page = Buffer.allocUnsafe(4 + value.length);
  page.writeUInt32LE(value.length, 0);
  value.copy(page, 4);
  return page;
}

/** Where each of `count` levels is 1 (a value), from `bytes` in the hybrid encoding. */
export function decodeLevels(bytes: Buffer, count: number, what: string): Uint8Array {
  const levels = new Uint8Array(count);
  let at = 0;
  let offset = 0;
  while (at < count) {
    if (offset >= bytes.length) throw new CorruptArchiveError(`${what}: definition levels end after ${at} of ${count}`);
    const [header, next] = readVarint(bytes, offset, what);
    offset = next;
    const size = Math.floor(header / 2);
    if (header % 2 === 1) {
      if (offset + Math.min(size, Math.ceil((count - at) / 8)) > bytes.length) throw new CorruptArchiveError(`${what}: definition levels are cut off`);
      for (let i = 0; i < size * 8 && at < count; i++, at++) levels[at] = (bytes[offset + (i >> 3)] >> (i & 7)) & 1;
      offset += size;
    } else {
      const run = size;
      if (run === 0) throw new CorruptArchiveError(`${what}: an empty definition-level run`);
      if (offset >= bytes.length) throw new CorruptArchiveError(`${what}: definition levels are cut off`);
      const level = bytes[offset++];
      if (level > 1) throw new CorruptArchiveError(`${what}: definition level ${level} in a column of one level`);
      levels.fill(level, at, Math.min(count, at + run));
      at += run;
    }
  }
  return levels;
}

/** How values are read: text as strings up to `longText` bytes (else Buffer views); 16 bytes as uuid text where `uuid`. */
export interface DecodeOptions {
  typeLength?: number;
  asText: boolean;
  longText: number;
  uuid?: boolean;
}

/**
 * Reads one page's PLAIN values in order, a value at a time, so a caller can
 * take a row group's rows in slices: INT64 as a number where safe (else
 * BigInt), text longer than `longText` bytes as a Buffer view, 16 bytes as
 * uuid text where `uuid`, other bytes as Buffer views.
 */
export class PlainDecoder {
  private offset = 0;
  private index = 0;

  constructor(private readonly type: PhysicalType, private readonly bytes: Buffer, private readonly what: string, private readonly options: DecodeOptions) {}

  next(): unknown {
    const { bytes, options } = this;
    const at = this.offset;
    this.index++;
    switch (this.type) {
      case 'BOOLEAN': {
        const i = this.index - 1;
        if (i >> 3 >= bytes.length) throw this.short();
        return ((bytes[i >> 3] >> (i & 7)) & 1) === 1;
      }
      case 'INT32':
        this.take(4);
        return bytes.readInt32LE(at);
      case 'INT64':
        this.take(8);
        return readInt64(bytes, at);
      case 'FLOAT':
        this.take(4);
        return bytes.readFloatLE(at);
      case 'DOUBLE':
        this.take(8);
        return bytes.readDoubleLE(at);
      case 'FIXED_LEN_BYTE_ARRAY': {
        const size = options.typeLength ?? 0;
        this.take(size);
        return options.uuid && size === 16 ? uuidAt(bytes, at) : bytes.subarray(at, at + size);
      }
      case 'BYTE_ARRAY': {
        this.take(4);
        const length = bytes.readUInt32LE(at);
        const start = this.offset;
        this.take(length);
        return options.asText && length <= options.longText ? bytes.toString('utf8', start, start + length) : bytes.subarray(start, start + length);
      }
    }
  }

  /** Where the next value starts in the page's PLAIN bytes. */
  get position(): number {
    return this.offset;
  }

  /** The PLAIN bytes from `position` up to the next value (a view). */
  bytesFrom(position: number): Buffer {
    return this.bytes.subarray(position, this.offset);
  }

  /** Steps over the next value, checked as next() checks it, without making it. */
  skip(): void {
    this.index++;
    switch (this.type) {
      case 'BOOLEAN':
        if ((this.index - 1) >> 3 >= this.bytes.length) throw this.short();
        return;
      case 'INT32':
      case 'FLOAT':
        this.take(4);
        return;
      case 'INT64':
      case 'DOUBLE':
        this.take(8);
        return;
      case 'FIXED_LEN_BYTE_ARRAY':
        this.take(this.options.typeLength ?? 0);
        return;
      case 'BYTE_ARRAY':
        this.take(4);
        this.take(this.bytes.readUInt32LE(this.offset - 4));
    }
  }

  private take(size: number): void {
    if (this.offset + size > this.bytes.length) throw this.short();
    this.offset += size;
  }

  private short(): CorruptArchiveError {
    return new CorruptArchiveError(`${this.what}: page values end early (value ${this.index - 1})`);
  }
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  return Buffer.from(bytes);
}

function readVarint(bytes: Buffer, offset: number, what: string): [number, number] {
  let value = 0;
  let factor = 1;
  for (;;) {
    if (offset >= bytes.length || factor > 2 ** 35) throw new CorruptArchiveError(`${what}: a definition-level run header is cut off`);
    const byte = bytes[offset++];
    value += (byte & 0x7f) * factor;
    if ((byte & 0x80) === 0) return [value, offset];
    factor *= 128;
  }
}
