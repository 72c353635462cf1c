/**
 * Parquet logical types in files parquetjs-lite writes. parquetjs-lite writes
 * only the legacy converted types (UTF8, TIMESTAMP_MICROS, ...), from which
 * readers such as DuckDB see uuid and jsonb as VARCHAR and timestamptz as a
 * naive TIMESTAMP. Each archive's writer names its columns' logical types in
 * one key-value metadata entry (LOGICAL_TYPES_KEY); when parquetjs-lite
 * serialises the footer, FileMetaData's write (patched once per process here)
 * takes that entry out and sets each schema element's LogicalType from it:
 *
 * | kind                | physical              | LogicalType                         | converted type     |
 * | timestamp (tz)      | INT64                 | TIMESTAMP(MICROS, adjusted to UTC)  | TIMESTAMP_MICROS   |
 * | timestamp (no zone) | INT64                 | TIMESTAMP(MICROS, not adjusted)     | none (it means UTC)|
 * | json, jsonb         | BYTE_ARRAY            | JSON                                | JSON               |
 * | text                | BYTE_ARRAY            | STRING                              | UTF8               |
 * | date                | INT32                 | DATE                                | DATE               |
 * | int16 / int32 / int64 | INT32 / INT32 / INT64 | INTEGER(16/32/64, signed)         | INT_16 / INT_32 / none |
 * | uuid                | FIXED_LEN_BYTE_ARRAY(16) | UUID                             | none               |
 * | numeric(p,s), p≤38  | INT64 (p≤18), FIXED_LEN_BYTE_ARRAY(16) | DECIMAL(p,s)       | DECIMAL            |
 *
 * parquetjs-lite's Thrift definitions stop before UUID (LogicalType field
 * 14), so the LogicalType write is extended for it; its reader skips the
 * field, and archival readers know each column's kind from the catalog.
 * parquetjs-lite reads a converted type as one fixed physical type, and a
 * DECIMAL here is INT64 or FIXED_LEN_BYTE_ARRAY(16), so FileMetaData's read
 * drops a DECIMAL converted type: the value is read as its physical type.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { ParquetKind } from './parquet-columns';

export const LOGICAL_TYPES_KEY = 'nest-archival.logical-types';

export interface LogicalColumn {
  name: string;
  kind: ParquetKind;
  withZone: boolean;
  decimal?: { precision: number; scale: number };
}

type LogicalSpec =
  | { type: 'TIMESTAMP'; utc: boolean }
  | { type: 'JSON' | 'STRING' | 'DATE' | 'UUID' }
  | { type: 'INTEGER'; bits: number }
  | { type: 'DECIMAL'; precision: number; scale: number };

interface ThriftOutput {
  writeStructBegin(name: string): void;
  writeStructEnd(): void;
  writeFieldBegin(name: string, type: number, id: number): void;
  writeFieldEnd(): void;
  writeFieldStop(): void;
}

interface SchemaElement {
  name: string;
  converted_type?: number | null;
  logicalType?: unknown;
  scale?: number | null;
  precision?: number | null;
}

interface FileMetaData {
  schema: SchemaElement[];
  key_value_metadata?: { key: string; value: string }[] | null;
}

const thrift = require('parquetjs-lite/gen-nodejs/parquet_types') as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What each kind is declared as, by column; kinds with no entry keep only their physical type. */
export function logicalTypesOf(columns: LogicalColumn[]): Record<string, LogicalSpec> {
  const specs: Record<string, LogicalSpec> = {};
  for (const c of columns) {
    const spec = specOf(c);
    if (spec) specs[c.name] = spec;
  }
  return specs;
}

/** A column's LogicalType and converted type, as its schema element carries them (undefined: its physical type alone). */
export function logicalTypeOf(column: LogicalColumn): { logicalType: unknown; converted_type: number | null; scale?: number; precision?: number } | undefined {
  const spec = specOf(column);
  if (!spec) return undefined;
  const { logical, converted } = thriftOf(spec);
  return { logicalType: logical, converted_type: converted, ...(spec.type === 'DECIMAL' ? { scale: spec.scale, precision: spec.precision } : {}) };
}

function specOf({ kind, withZone, decimal }: LogicalColumn): LogicalSpec | undefined {
  switch (kind) {
    case 'decimal':
      return decimal && { type: 'DECIMAL', ...decimal };
    case 'timestamp':
      return { type: 'TIMESTAMP', utc: withZone };
    case 'json':
      return { type: 'JSON' };
    case 'text':
      return { type: 'STRING' };
    case 'date':
      return { type: 'DATE' };
    case 'uuid':
      return { type: 'UUID' };
    case 'int16':
      return { type: 'INTEGER', bits: 16 };
    case 'int32':
      return { type: 'INTEGER', bits: 32 };
    case 'int64':
      return { type: 'INTEGER', bits: 64 };
    default:
      return undefined;
  }
}

/** The LogicalType union and the converted type that goes with it (null: none). */
function thriftOf(spec: LogicalSpec): { logical: unknown; converted: number | null } {
  const converted = thrift.ConvertedType as Record<string, number>;
  switch (spec.type) {
    case 'DECIMAL':
      return { logical: new thrift.LogicalType({ DECIMAL: new thrift.DecimalType({ scale: spec.scale, precision: spec.precision }) }), converted: converted.DECIMAL };
    case 'TIMESTAMP':
      return {
        logical: new thrift.LogicalType({ TIMESTAMP: new thrift.TimestampType({ isAdjustedToUTC: spec.utc, unit: new thrift.TimeUnit({ MICROS: new thrift.MicroSeconds() }) }) }),
        // TIMESTAMP_MICROS means adjusted to UTC: a timestamp without a zone carries the logical type alone.
        converted: spec.utc ? converted.TIMESTAMP_MICROS : null,
      };
    case 'JSON':
      return { logical: new thrift.LogicalType({ JSON: new thrift.JsonType() }), converted: converted.JSON };
    case 'STRING':
      return { logical: new thrift.LogicalType({ STRING: new thrift.StringType() }), converted: converted.UTF8 };
    case 'DATE':
      return { logical: new thrift.LogicalType({ DATE: new thrift.DateType() }), converted: converted.DATE };
    case 'INTEGER':
      return {
        logical: new thrift.LogicalType({ INTEGER: new thrift.IntType({ bitWidth: spec.bits, isSigned: true }) }),
        converted: spec.bits === 64 ? null : converted[`INT_${spec.bits}`],
      };
    case 'UUID': {
      const logical = new thrift.LogicalType();
      (logical as { UUID?: unknown }).UUID = true;
      return { logical, converted: null };
    }
  }
}

let patched = false;

/** Once per process: FileMetaData's write applies the logical-types entry; LogicalType's write knows UUID. */
export function setUpLogicalTypes(): void {
  if (patched) return;
  patched = true;
  const fileWrite = thrift.FileMetaData.prototype.write as (this: FileMetaData, output: ThriftOutput) => void;
  thrift.FileMetaData.prototype.write = function (this: FileMetaData, output: ThriftOutput) {
    const entry = this.key_value_metadata?.find((kv) => kv.key === LOGICAL_TYPES_KEY);
    if (entry) {
      this.key_value_metadata = this.key_value_metadata!.filter((kv) => kv !== entry);
      const specs = JSON.parse(entry.value) as Record<string, LogicalSpec>;
      // The first element is the schema's root group (named 'root'), never a column, whatever the columns are called.
      for (const element of this.schema.slice(1)) {
        const spec = Object.prototype.hasOwnProperty.call(specs, element.name) ? specs[element.name] : undefined;
        if (!spec) continue;
        const { logical, converted } = thriftOf(spec);
        element.logicalType = logical;
        element.converted_type = converted;
        if (spec.type === 'DECIMAL') Object.assign(element, { scale: spec.scale, precision: spec.precision });
      }
    }
    fileWrite.call(this, output);
  };
  const fileRead = thrift.FileMetaData.prototype.read as (this: FileMetaData, input: unknown) => void;
  thrift.FileMetaData.prototype.read = function (this: FileMetaData, input: unknown) {
    fileRead.call(this, input);
    const decimal = (thrift.ConvertedType as Record<string, number>).DECIMAL;
    for (const element of this.schema ?? []) if (element.converted_type === decimal) element.converted_type = null;
  };
  const logicalWrite = thrift.LogicalType.prototype.write as (this: { UUID?: unknown }, output: ThriftOutput) => void;
  thrift.LogicalType.prototype.write = function (this: { UUID?: unknown }, output: ThriftOutput) {
    if (!this.UUID) return logicalWrite.call(this, output);
    // LogicalType is a union: UUID (field 14, an empty UUIDType struct) is its one field.
    output.writeStructBegin('LogicalType');
    output.writeFieldBegin('UUID', 12 /* Thrift.Type.STRUCT */, 14);
    output.writeStructBegin('UUIDType');
    output.writeFieldStop();
    output.writeStructEnd();
    output.writeFieldEnd();
    output.writeFieldStop();
    output.writeStructEnd();
  };
}
