/**
 * A table's columns as a Parquet file's columns, the key first (as in every
 * typed line): each one's kind, time zone, decimal precision and whether it
 * carries min/max statistics. The writer and the reader derive them alike.
 */
import { ColumnInfo } from '../jsonl.format';
import { decimalTypmod, INT64_DECIMAL_PRECISION, ParquetKind, parquetKind } from './parquet-columns';
import { FileColumn } from './parquet-file-writer';

const VARIABLE_WIDTH: readonly ParquetKind[] = ['json', 'text', 'bytes'];

/** Key column first, as in every line. */
export function parquetColumns(columns: ColumnInfo[], key: string): FileColumn[] {
  const ordered = [...columns.filter((c) => c.name === key), ...columns.filter((c) => c.name !== key)];
  return ordered.map((c) => {
    const kind = parquetKind(c);
    const decimal = kind === 'decimal' ? decimalTypmod(c.type) : undefined;
    // 16-byte decimals are signed: their bytes do not sort as their values, so they carry no min/max.
    const wideDecimal = decimal !== undefined && decimal.precision > INT64_DECIMAL_PRECISION;
    const statistics = !wideDecimal && (c.name === key || (!VARIABLE_WIDTH.includes(kind) && kind !== 'uuid'));
    return { name: c.name, kind, withZone: c.typname === 'timestamptz', statistics, json: c.typname === 'json' && kind === 'text', decimal };
  });
}
