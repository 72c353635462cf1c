/**
 * The Parquet schema of archives written by hyparquet-writer: each
 * PostgreSQL column as a physical type with its logical type, so DuckDB,
 * Athena, Trino and Spark read a uuid as UUID, a jsonb as JSON and a
 * timestamptz as an instant, not as VARCHAR and a naive timestamp.
 *
 * | PostgreSQL          | Parquet (physical, logical)                                   |
 * | bool                | BOOLEAN                                                       |
 * | int2 / int4 / int8  | INT32 INT_16 / INT32 INT_32 / INT64 INT_64 (converted types)  |
 * | float4 / float8     | FLOAT / DOUBLE (NaN and ±Infinity as IEEE values)             |
 * | numeric(p,s), p≤38  | DECIMAL(p,s): INT64 up to p=18, FIXED_LEN_BYTE_ARRAY(16) above |
 * | numeric, numeric(p>38) | BYTE_ARRAY STRING: PostgreSQL's text                       |
 * | date                | INT32 DATE                                                    |
 * | timestamp           | INT64 TIMESTAMP(MICROS, isAdjustedToUTC=false)                |
 * | timestamptz         | INT64 TIMESTAMP(MICROS, isAdjustedToUTC=true)                 |
 * | uuid                | FIXED_LEN_BYTE_ARRAY(16) UUID                                 |
 * | json / jsonb        | BYTE_ARRAY JSON: the text PostgreSQL gives, byte for byte     |
 * | bytea               | BYTE_ARRAY                                                    |
 * | everything else     | BYTE_ARRAY STRING: PostgreSQL's text (text, arrays as `{...}`, intervals, ranges, enums, domains) |
 *
 * Special values, as DuckDB reads them: ±infinity timestamps and dates are
 * DuckDB's own infinities (INT64 / INT32 max and minus max); a NaN in a
 * numeric(p,s) column (DECIMAL has no NaN) is written as NULL and its row
 * listed in the file's key-value metadata (`DECIMAL_NAN_KEY`), from which
 * restore puts the NaN back; other readers see NULL there.
 */
import type { ParquetWriter } from 'hyparquet-writer';
import { ColumnInfo } from '../jsonl.format';
import { INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, parquetKind, ValueKind } from './parquet-columns';

export type LogicalKind = ValueKind;
/** A schema element as hyparquet-writer takes it. */
type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

export interface LogicalColumn {
  name: string;
  kind: LogicalKind;
  withZone: boolean;
  precision: number;
  scale: number;
  /** Min/max statistics: fixed-width columns and the key only (a wide json value would be copied into the footer whole). */
  statistics: boolean;
  /** How restore lines carry it: as `kind`, except json (not jsonb), which is its exact text as a JSON string (jsonl.format.ts). */
  restoreAs: ValueKind;
}

/** Key-value metadata: JSON `{ column: [row numbers in the file] }` of the NaN values of DECIMAL columns. */
export const DECIMAL_NAN_KEY = 'nest-archival.decimal-nan';
/** created_by of the files this schema describes; older archives (parquet.js) are read by parquet-library.ts. */
export const CREATED_BY = 'nest-archival (hyparquet-writer)';

/** A text or json value read from the file longer than this stays bytes (a view of its page), as in the older path. */
const LONG_TEXT_AS_BYTES = 1024 * 1024;
const MAX_DECIMAL_PRECISION = 38;
const INT64_DECIMAL_PRECISION = 18;
/** DuckDB's -infinity: minus the maximum (the minimum is PostgreSQL's encoding, kept in older archives). */
const TIMESTAMP_MINUS_INFINITY = -INT64_MAX;
const DATE_MINUS_INFINITY = -INT32_MAX;

/** numeric(p,s) with 0 ≤ s ≤ p ≤ 38 → [p, s]; otherwise undefined (written as text). */
function decimalTypmod(column: ColumnInfo): [number, number] | undefined {
  if (column.typname !== 'numeric') return undefined;
  const match = /^numeric\((\d+),(-?\d+)\)$/.exec(column.type.replace(/\s+/g, ''));
  if (!match) return undefined;
  const [precision, scale] = [Number(match[1]), Number(match[2])];
  return precision <= MAX_DECIMAL_PRECISION && scale >= 0 && scale <= precision ? [precision, scale] : undefined;
}

/** Key column first, as in every typed line. */
export function logicalColumns(columns: ColumnInfo[], key: string): LogicalColumn[] {
  const ordered = [...columns.filter((c) => c.name === key), ...columns.filter((c) => c.name !== key)];
  return ordered.map((c) => {
    const typmod = decimalTypmod(c);
    const base = parquetKind(c);
    const json = c.typname === 'json' && base === 'text';
    const kind: LogicalKind = typmod ? 'decimal' : c.typname === 'uuid' && c.encoding === 'native' ? 'uuid' : json ? 'json' : base;
    const variable = kind === 'json' || kind === 'text' || kind === 'bytes';
    return {
      name: c.name, kind, withZone: c.typname === 'timestamptz', precision: typmod?.[0] ?? 0, scale: typmod?.[1] ?? 0,
      statistics: c.name === key || !variable, restoreAs: json ? 'text' : kind,
    };
  });
}

/** The schema column chunks are written with: a root and one OPTIONAL leaf per column (NULL → absent). */
export function schemaElements(columns: LogicalColumn[]): SchemaElement[] {
  return [{ name: 'root', num_children: columns.length }, ...columns.map(schemaElement)];
}

/**
 * The schema the footer declares: as schemaElements, but json columns as
 * JSON (converted and logical type). hyparquet-writer re-serialises the values
 * of a column declared JSON (JSON.stringify of their parse), so their column
 * chunks are written as STRING (PostgreSQL's text, byte for byte, the same
 * PLAIN BYTE_ARRAY pages) and only the footer says JSON.
 */
export function footerSchema(columns: LogicalColumn[]): SchemaElement[] {
  const [root, ...leaves] = schemaElements(columns);
  return [root, ...leaves.map((element, i) => (columns[i].kind === 'json' ? { ...element, converted_type: 'JSON' as const, logical_type: { type: 'JSON' as const } } : element))];
}

function schemaElement(c: LogicalColumn): SchemaElement {
  const leaf = { name: c.name, repetition_type: 'OPTIONAL' } as const;
  switch (c.kind) {
    case 'boolean':
      return { ...leaf, type: 'BOOLEAN' };
    // Integers carry the converted types INT_16 / INT_32 / INT_64, which every reader maps to INTEGER(n, signed):
    // hyparquet-writer 0.17 writes the logical IntType's bitWidth as an i32 where Thrift says i8, which DuckDB rejects.
    case 'int16':
      return { ...leaf, type: 'INT32', converted_type: 'INT_16' };
    case 'int32':
      return { ...leaf, type: 'INT32', converted_type: 'INT_32' };
    case 'int64':
      return { ...leaf, type: 'INT64', converted_type: 'INT_64' };
    case 'float':
      return { ...leaf, type: 'FLOAT' };
    case 'double':
      return { ...leaf, type: 'DOUBLE' };
    case 'date':
      return { ...leaf, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } };
    case 'timestamp':
      // The legacy TIMESTAMP_MICROS converted type means adjusted to UTC, so a plain timestamp carries the logical type only.
      return {
        ...leaf, type: 'INT64', ...(c.withZone ? { converted_type: 'TIMESTAMP_MICROS' as const } : {}),
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: c.withZone, unit: 'MICROS' },
      };
    case 'uuid':
      return { ...leaf, type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, logical_type: { type: 'UUID' } };
    case 'decimal': {
      const physical = c.precision <= INT64_DECIMAL_PRECISION ? { type: 'INT64' as const } : { type: 'FIXED_LEN_BYTE_ARRAY' as const, type_length: 16 };
      return { ...leaf, ...physical, converted_type: 'DECIMAL', precision: c.precision, scale: c.scale, logical_type: { type: 'DECIMAL', precision: c.precision, scale: c.scale } };
    }
    case 'bytes':
      return { ...leaf, type: 'BYTE_ARRAY' };
    case 'json': // JSON in the footer (footerSchema)
    case 'text':
      return { ...leaf, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
  }
}

/**
 * A typed line's value → the value this path works with (undefined: NULL), the
 * same as fromFileValue gives back and the older path used for the same kind:
 * timestamps as PostgreSQL-encoded BigInt microseconds, dates as day numbers,
 * text and json as strings (a long one, read from a typed line or over
 * LONG_TEXT_AS_BYTES from the file, as its UTF-8 bytes), bytea as a Buffer, uuid and decimal as PostgreSQL's text.
 */
export function lineValue(c: LogicalColumn, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  switch (c.kind) {
    case 'int64':
    case 'timestamp':
      return BigInt(value as string);
    case 'float':
    case 'double':
      return Number(value as string);
    case 'bytes':
      return Buffer.from(Buffer.isBuffer(value) ? value.toString('latin1', 2) : (value as string).slice(2), 'hex');
    default:
      return value;
  }
}

/** A NaN of a DECIMAL column: written as NULL, its row listed under DECIMAL_NAN_KEY (parquet-stream-writer.ts). */
export const DECIMAL_NAN = Symbol('decimal NaN');

/** A lineValue → its value in the file (undefined: NULL; DECIMAL_NAN). */
export function toFileValue(c: LogicalColumn, value: unknown): unknown {
  if (value === undefined) return undefined;
  switch (c.kind) {
    case 'timestamp':
      return value === INT64_MIN ? TIMESTAMP_MINUS_INFINITY : value;
    case 'date':
      return value === INT32_MIN ? DATE_MINUS_INFINITY : value;
    case 'uuid':
      // As bytes here: hyparquet-writer's own conversion of the text is a regular expression and 16 parseInts.
      return Buffer.from((value as string).replace(/-/g, ''), 'hex');
    case 'decimal':
      return value === 'NaN' ? DECIMAL_NAN : BigInt((value as string).replace('.', ''));
    default:
      return value;
  }
}

/** A raw value read from the file (physical type: bigint, number, boolean, Uint8Array) → its lineValue. */
export function fromFileValue(c: LogicalColumn, raw: unknown, isNan: boolean): unknown {
  if (isNan) return 'NaN';
  if (raw === null || raw === undefined) return undefined;
  switch (c.kind) {
    case 'timestamp':
      return raw === TIMESTAMP_MINUS_INFINITY ? INT64_MIN : raw;
    case 'date':
      return raw === DATE_MINUS_INFINITY ? INT32_MIN : raw;
    case 'json':
    case 'text': {
      const bytes = bufferOf(raw as Uint8Array);
      return bytes.length > LONG_TEXT_AS_BYTES ? bytes : bytes.toString('utf8');
    }
    case 'bytes':
      return bufferOf(raw as Uint8Array);
    case 'uuid':
      return uuidText(raw as Uint8Array);
    case 'decimal':
      return decimalText(typeof raw === 'bigint' ? raw : signedBigEndian(raw as Uint8Array), c.scale);
    default:
      return raw;
  }
}

function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function uuidText(bytes: Uint8Array): string {
  const hex = bufferOf(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function signedBigEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return bytes.length > 0 && bytes[0] & 0x80 ? value - (1n << BigInt(bytes.length * 8)) : value;
}

/** PostgreSQL's text of numeric(p,s): exactly s digits after the point, a leading zero before it. */
export function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const whole = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${whole}` : whole;
}
