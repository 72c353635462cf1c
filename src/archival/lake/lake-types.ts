/**
 * PostgreSQL column types as the query engines see them. Only names from
 * these fixed tables (and DECIMAL(p,s) with p and s read as integers) ever
 * reach the printed SQL: a type name from a manifest is matched, never pasted.
 */
import { ColumnInfo } from '../codec/jsonl.format';

export type LakeColumn = Pick<ColumnInfo, 'name' | 'typname' | 'type' | 'encoding'>;

/** DuckDB's read_json type of a JSON Lines value, and how the view turns it into the column's own type. */
export interface DuckDbJsonColumn {
  /** The type read_json reads the JSON value as. */
  read: string;
  /** The view's expression over the quoted column `ref` (the value as read when absent). */
  convert?: (ref: string) => string;
}

const DUCKDB_SCALARS: Record<string, string> = {
  bool: 'BOOLEAN', int2: 'SMALLINT', int4: 'INTEGER', int8: 'BIGINT', float4: 'FLOAT', float8: 'DOUBLE',
  text: 'VARCHAR', varchar: 'VARCHAR', bpchar: 'VARCHAR', uuid: 'UUID', date: 'DATE',
  timestamp: 'TIMESTAMP', timestamptz: 'TIMESTAMPTZ', jsonb: 'JSON',
};

/** numeric(p,s) → [p, s] when DuckDB's and Athena's DECIMAL can hold it (p ≤ 38); else undefined (exact text). */
export function declaredDecimal(column: LakeColumn): [number, number] | undefined {
  if (column.typname !== 'numeric') return undefined;
  const match = /^numeric\((\d{1,2}),(\d{1,2})\)$/.exec(column.type);
  if (!match) return undefined;
  const [precision, scale] = [Number(match[1]), Number(match[2])];
  return precision >= 1 && precision <= 38 && scale <= precision ? [precision, scale] : undefined;
}

/**
 * JSON Lines values (jsonl.format.ts): jsonb embedded, booleans and small
 * integers native, timestamps ISO 8601; json is its text as a JSON string
 * (cast to JSON), bytea `\x`-hex text (to BLOB), bigint, floats and numeric
 * exact text (cast by DuckDB); arrays, intervals, ranges, enums and the rest
 * stay their exact PostgreSQL text.
 */
export function duckDbJsonColumn(column: LakeColumn): DuckDbJsonColumn {
  if (column.encoding === 'text' && column.typname === 'json') return { read: 'VARCHAR', convert: (ref) => `CAST(${ref} AS JSON)` };
  if (column.typname === 'bytea') return { read: 'VARCHAR', convert: (ref) => `from_hex(substr(${ref}, 3))` };
  const decimal = declaredDecimal(column);
  if (decimal) return { read: `DECIMAL(${decimal[0]}, ${decimal[1]})` };
  return { read: DUCKDB_SCALARS[column.typname] ?? 'VARCHAR' };
}

const ATHENA_PARQUET: Record<string, string> = {
  bool: 'boolean', int2: 'smallint', int4: 'int', int8: 'bigint', float4: 'float', float8: 'double',
  date: 'date', timestamp: 'timestamp', timestamptz: 'timestamp', bytea: 'binary',
  // Parquet UUID is 16 bytes (FIXED_LEN_BYTE_ARRAY); Hive DDL has no uuid type.
  uuid: 'binary',
};

/** JSON Lines through the OpenX JSON SerDe: native JSON scalars and integers typed; text forms (timestamps with offsets included) as string. */
const ATHENA_JSON: Record<string, string> = { bool: 'boolean', int2: 'smallint', int4: 'int', int8: 'bigint' };

/** The Athena (Hive DDL) type of a column in an archive of `format`. */
export function athenaType(column: LakeColumn, format: 'parquet' | 'json'): string {
  if (format === 'json') return ATHENA_JSON[column.typname] ?? 'string';
  const decimal = declaredDecimal(column);
  if (decimal) return `decimal(${decimal[0]},${decimal[1]})`;
  return ATHENA_PARQUET[column.typname] ?? 'string';
}
