/**
 * The two Parquet encodings archives use, both directions, over whole column
 * chunks at once (a typed array or one Buffer per page, never a value at a
 * time through a generic encoder):
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

/** Definition levels: one RLE run when every row is alike, else one bit-packed run (8 rows a byte). */
export function encodeLevels(values: readonly unknown[]): Buffer {
  const nulls = countNulls(values);
  if (nulls === 0 || nulls === values.length) {
    const header = varint(values.length << 1);
    return Buffer.concat([header, Buffer.of(nulls === 0 ? 1 : 0)]);
  }
  const groups = Math.ceil(values.length / 8);
  const header = varint((groups << 1) | 1);
  const bits = Buffer.alloc(header.length + groups);
  header.copy(bits);
  for (let i = 0; i < values.length; i++) if (values[i] !== undefined) bits[header.length + (i >> 3)] |= 1 << (i & 7);
  return bits;
}

export function countNulls(values: readonly unknown[]): number {
  let nulls = 0;
  for (const value of values) if (value === undefined) nulls++;
  return nulls;
}

/** The values that are not NULL, PLAIN-encoded. */
export function encodePlain(type: PhysicalType, values: readonly unknown[], typeLength = 0): Buffer {
  const present = values.filter((v) => v !== undefined);
  switch (type) {
    case 'BOOLEAN': {
      const out = Buffer.alloc(Math.ceil(present.length / 8));
      present.forEach((v, i) => {
        if (v) out[i >> 3] |= 1 << (i & 7);
      });
      return out;
    }
    case 'INT32': {
      const out = Buffer.allocUnsafe(present.length * 4);
      present.forEach((v, i) => out.writeInt32LE(v as number, i * 4));
      return out;
    }
    case 'INT64': {
      const out = Buffer.allocUnsafe(present.length * 8);
      present.forEach((v, i) => out.writeBigInt64LE(v as bigint, i * 8));
      return out;
    }
    case 'FLOAT': {
      const out = Buffer.allocUnsafe(present.length * 4);
      present.forEach((v, i) => out.writeFloatLE(v as number, i * 4));
      return out;
    }
    case 'DOUBLE': {
      const out = Buffer.allocUnsafe(present.length * 8);
      present.forEach((v, i) => out.writeDoubleLE(v as number, i * 8));
      return out;
    }
    case 'FIXED_LEN_BYTE_ARRAY': {
      const out = Buffer.allocUnsafe(present.length * typeLength);
      present.forEach((v, i) => {
        if ((v as Buffer).length !== typeLength) throw new Error(`a FIXED_LEN_BYTE_ARRAY(${typeLength}) value of ${(v as Buffer).length} bytes`);
        (v as Buffer).copy(out, i * typeLength);
      });
      return out;
    }
    case 'BYTE_ARRAY':
      return encodeByteArrays(present as (string | Buffer)[]);
  }
}

/**
 * PLAIN BYTE_ARRAY. A page of one long value read from a typed line
 * (TextBytes) is encoded in place: its length goes into the headroom the
 * value was given, so a 50 MB jsonb value is not copied into its page.
 */
function encodeByteArrays(values: (string | Buffer)[]): Buffer {
  if (values.length === 1 && isTextBytes(values[0])) {
    const [value] = values as Buffer[];
    const page = Buffer.from(value.buffer, value.byteOffset - HEADROOM, value.length + HEADROOM);
    page.writeUInt32LE(value.length, 0);
    return page;
  }
  let size = 0;
  for (const v of values) size += 4 + (typeof v === 'string' ? Buffer.byteLength(v) : v.length);
  const out = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const v of values) {
    const length = typeof v === 'string' ? out.write(v, offset + 4) : v.copy(out, offset + 4);
    out.writeUInt32LE(length, offset);
    offset += 4 + length;
  }
  return out;
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

/** Decoded values of one page, `undefined` where `levels` is 0; text longer than `longText` bytes stays a Buffer view. */
export function decodePlain(
  type: PhysicalType, bytes: Buffer, levels: Uint8Array, what: string, options: { typeLength?: number; asText: boolean; longText: number },
): unknown[] {
  const values: unknown[] = new Array(levels.length);
  let offset = 0;
  let index = 0;
  const need = (size: number) => {
    if (offset + size > bytes.length) throw new CorruptArchiveError(`${what}: page values end early (value ${index})`);
  };
  for (let row = 0; row < levels.length; row++) {
    if (levels[row] === 0) continue;
    switch (type) {
      case 'BOOLEAN':
        if (index >> 3 >= bytes.length) throw new CorruptArchiveError(`${what}: page values end early (value ${index})`);
        values[row] = ((bytes[index >> 3] >> (index & 7)) & 1) === 1;
        break;
      case 'INT32':
        need(4);
        values[row] = bytes.readInt32LE(offset);
        offset += 4;
        break;
      case 'INT64':
        need(8);
        values[row] = bytes.readBigInt64LE(offset);
        offset += 8;
        break;
      case 'FLOAT':
        need(4);
        values[row] = bytes.readFloatLE(offset);
        offset += 4;
        break;
      case 'DOUBLE':
        need(8);
        values[row] = bytes.readDoubleLE(offset);
        offset += 8;
        break;
      case 'FIXED_LEN_BYTE_ARRAY': {
        const size = options.typeLength ?? 0;
        need(size);
        values[row] = bytes.subarray(offset, offset + size);
        offset += size;
        break;
      }
      case 'BYTE_ARRAY': {
        need(4);
        const length = bytes.readUInt32LE(offset);
        offset += 4;
        need(length);
        values[row] = options.asText && length <= options.longText ? bytes.toString('utf8', offset, offset + length) : bytes.subarray(offset, offset + length);
        offset += length;
        break;
      }
    }
    index++;
  }
  return values;
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
