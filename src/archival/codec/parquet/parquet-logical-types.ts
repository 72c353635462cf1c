/**
 * Parquet logical types of archive columns, as their schema elements carry
 * them (parquet-file-writer.ts), so that readers such as DuckDB see uuid as
 * UUID, jsonb as JSON and timestamptz as a timestamp adjusted to UTC:
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
 * 14), so the LogicalType write is extended for it (once per process).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { ParquetKind } from './parquet-columns';

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

const thrift = require('parquetjs-lite/gen-nodejs/parquet_types') as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

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

/** Once per process: LogicalType's write knows UUID. */
export function setUpLogicalTypes(): void {
  if (patched) return;
  patched = true;
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
