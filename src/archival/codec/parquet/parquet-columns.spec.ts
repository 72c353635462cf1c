import {
  canonicalValue, civilFromDays, decimalBytes, decimalFromBytes, decimalText, decimalTypmod, formatDays, formatMicros, INT32_MAX, INT64_MAX, INT64_MIN,
  parquetKind, restoreLinePieces, toParquetValue, unscaledDecimal,
} from './parquet-columns';

describe('Parquet column mapping', () => {
  it('maps PostgreSQL types to Parquet kinds; domains, enums and arrays stay text', () => {
    expect(parquetKind({ typname: 'int8', encoding: 'text' })).toBe('int64');
    expect(parquetKind({ typname: 'float8', encoding: 'text' })).toBe('double');
    expect(parquetKind({ typname: 'timestamptz', encoding: 'native' })).toBe('timestamp');
    expect(parquetKind({ typname: 'jsonb', encoding: 'json' })).toBe('json');
    expect(parquetKind({ typname: 'bytea', encoding: 'text' })).toBe('bytes');
    expect(parquetKind({ typname: '_int4', encoding: 'text' })).toBe('text');
    expect(parquetKind({ typname: 'numeric', encoding: 'text' })).toBe('text');
    expect(parquetKind({ typname: 'numeric', encoding: 'text', type: 'numeric' })).toBe('text');
    expect(parquetKind({ typname: 'numeric', encoding: 'text', type: 'numeric(12,4)' })).toBe('decimal');
    expect(parquetKind({ typname: 'numeric', encoding: 'text', type: 'numeric(39,2)' })).toBe('text');
    expect(parquetKind({ typname: 'uuid', encoding: 'native' })).toBe('uuid');
    expect(parquetKind({ typname: 'my_uuid_domain', encoding: 'text' })).toBe('text');
  });

  it('turns numeric(p,s) text into DECIMAL and back, exactly', () => {
    expect(decimalTypmod('numeric(30,6)')).toEqual({ precision: 30, scale: 6 });
    expect(decimalTypmod('numeric(5,0)')).toEqual({ precision: 5, scale: 0 });
    expect(decimalTypmod('numeric')).toBeUndefined();
    for (const [text, scale] of [['1234.5678', 4], ['-0.0500', 4], ['0.0000', 4], ['12', 0], ['-7', 0], ['0.000001', 6]] as const) {
      expect(decimalText(unscaledDecimal(text), scale)).toBe(text);
    }
    const big = unscaledDecimal('-999999999999999999999999.999999');
    expect(decimalFromBytes(decimalBytes(big))).toBe(big);
    expect(decimalBytes(-1n)).toEqual(Buffer.alloc(16, 0xff));
    expect(decimalText(decimalFromBytes(decimalBytes(unscaledDecimal('123456789012345678901234.123456'))), 6)).toBe('123456789012345678901234.123456');
  });

  it('writes a uuid as its 16 bytes and reads it back as PostgreSQL writes it (and a uuid archived as text as it is)', () => {
    const text = '0e4f6c1a-9b2d-4c3e-8f70-1a2b3c4d5e6f';
    const bytes = toParquetValue('uuid', text) as Buffer;
    expect(bytes.toString('hex')).toBe(text.replace(/-/g, ''));
    expect(canonicalValue('uuid', bytes)).toBe(text);
    expect(canonicalValue('uuid', text)).toBe(text);
    expect(() => toParquetValue('uuid', 'not-a-uuid')).toThrow(/not a uuid/);
  });

  it('formats microseconds and days as PostgreSQL input, BC years and infinity included', () => {
    expect(formatMicros(0n, true)).toBe('1970-01-01 00:00:00.000000+00');
    expect(formatMicros(-1n, false)).toBe('1969-12-31 23:59:59.999999');
    expect(formatMicros(1709251199999999n, true)).toBe('2024-02-29 23:59:59.999999+00');
    expect(formatMicros(INT64_MAX, true)).toBe('infinity');
    expect(formatMicros(-INT64_MAX, false)).toBe('-infinity');
    expect(formatMicros(INT64_MIN, false)).toBe('-infinity'); // archives written before
    expect(formatDays(-INT32_MAX)).toBe('-infinity');
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
