import { canonicalValue, civilFromDays, formatDays, formatMicros, INT32_MAX, INT64_MAX, INT64_MIN, parquetKind, restoreLinePieces } from './parquet-columns';

describe('Parquet column mapping', () => {
  it('maps PostgreSQL types to Parquet kinds; domains, enums and arrays stay text', () => {
    expect(parquetKind({ typname: 'int8', encoding: 'text' })).toBe('int64');
    expect(parquetKind({ typname: 'float8', encoding: 'text' })).toBe('double');
    expect(parquetKind({ typname: 'timestamptz', encoding: 'native' })).toBe('timestamp');
    expect(parquetKind({ typname: 'jsonb', encoding: 'json' })).toBe('json');
    expect(parquetKind({ typname: 'bytea', encoding: 'text' })).toBe('bytes');
    expect(parquetKind({ typname: '_int4', encoding: 'text' })).toBe('text');
    expect(parquetKind({ typname: 'numeric', encoding: 'text' })).toBe('text');
  });

  it('formats microseconds and days as PostgreSQL input, BC years and infinity included', () => {
    expect(formatMicros(0n, true)).toBe('1970-01-01 00:00:00.000000+00');
    expect(formatMicros(-1n, false)).toBe('1969-12-31 23:59:59.999999');
    expect(formatMicros(1709251199999999n, true)).toBe('2024-02-29 23:59:59.999999+00');
    expect(formatMicros(INT64_MAX, true)).toBe('infinity');
    expect(formatMicros(INT64_MIN, false)).toBe('-infinity');
    expect(formatDays(-719528)).toBe('0001-01-01 BC'); // day 0 of year 0 = 1 BC
    expect(formatDays(INT32_MAX)).toBe('infinity');
    expect(civilFromDays(11016)).toEqual({ year: 2000, month: 2, day: 29 });
  });

  it('keeps the sign of zero and float32 values exactly', () => {
    expect(canonicalValue('double', -0)).toBe('-0');
    expect(canonicalValue('float', 1.1)).toBe(canonicalValue('float', Math.fround(1.1)));
    expect(canonicalValue('double', NaN)).toBe('NaN');
  });

  it('writes restore lines key first, with raw JSON and the json-null marker', () => {
    const columns = [
      { name: 'id', kind: 'int64' as const, withZone: false },
      { name: 'doc', kind: 'json' as const, withZone: false },
      { name: 'raw', kind: 'json' as const, withZone: false },
      { name: 'blob', kind: 'bytes' as const, withZone: false },
    ];
    expect(restoreLinePieces(columns, { id: 7n, doc: '{"a": 1}', raw: 'null', blob: Buffer.from([0, 255]) }).join('')).toBe(
      '{"id":"7","doc":{"a": 1},"raw":null,"blob":"\\\\x00ff","$jsonNull":["raw"]}',
    );
  });
});
