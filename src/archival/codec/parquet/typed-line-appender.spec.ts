import { ParquetKind, toParquetValue } from './parquet-columns';
import { BuiltChunk, ColumnBuilder } from './parquet-column-builder';
import { physicalOf } from './parquet-file-writer';
import { TypedLineAppender } from './typed-line-appender';

const KINDS: ParquetKind[] = ['int64', 'uuid', 'text', 'json', 'int32', 'int16', 'date', 'timestamp', 'double', 'boolean', 'bytes', 'text'];

function builders(): ColumnBuilder[] {
  return KINDS.map((kind) => {
    const { type, typeLength } = physicalOf({ kind });
    return new ColumnBuilder(type, typeLength, true, 16);
  });
}

/** What the encoder wrote before the appender: JSON.parse of the whole line, each value pushed as its physical value. */
function parsedWhole(lines: Buffer[]): BuiltChunk[] {
  const columns = builders();
  for (const line of lines) {
    const values = JSON.parse(line.toString('utf8')) as unknown[];
    values.forEach((value, i) => {
      const kind = KINDS[i];
      columns[i].push(['int64', 'timestamp', 'uuid'].includes(kind) && typeof value === 'string' ? value : toParquetValue(kind, value));
    });
  }
  return columns.map((c) => c.take());
}

/** The same lines through the appender, every column it may take from bytes (plain) taken so. */
function appended(lines: Buffer[], plain = KINDS.map(() => true)): { chunks: BuiltChunk[]; others: number } {
  const columns = builders();
  let others = 0;
  const appender = new TypedLineAppender(KINDS, plain, (i) => columns[i], (i, value) => {
    others++;
    columns[i].push(toParquetValue(KINDS[i], value) ?? undefined);
  });
  for (const line of lines) appender.append(line, 0, line.length);
  return { chunks: columns.map((c) => c.take()), others };
}

function line(values: unknown[], separator = ', '): Buffer {
  return Buffer.from(`[${values.map((v) => JSON.stringify(v)).join(separator)}]`);
}

const TRICKY_TEXT = ['', 'plain', 'q"\\/\b\f\n\r\t', '\u0001\u001f', 'é ü 中文', '😀 pair', '\ud800 lone', 'end\\', '{"a": [1, "x\\"y"]}'];
const INT64S = ['0', '-1', '42', '9007199254740991', '9007199254740992', '-9007199254740993', '1700000000123456', '9223372036854775807', '-9223372036854775807'];
const INT32S = [0, -1, 2147483647, -2147483647, 19_000];

function rows(count: number): unknown[][] {
  return Array.from({ length: count }, (_, i) => {
    const text = TRICKY_TEXT[i % TRICKY_TEXT.length];
    const uuid = i % 3 === 0 ? 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11' : `${String(i).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;
    return [
      String(i + 1), i % 7 === 0 ? null : uuid, i % 5 === 0 ? null : text, i % 6 === 0 ? null : JSON.stringify({ i, text }),
      i % 4 === 0 ? null : INT32S[i % INT32S.length], (i % 300) - 150, 18_000 + i, i % 8 === 0 ? null : INT64S[i % INT64S.length],
      i % 9 === 0 ? 'NaN' : String(i / 7), i % 2 === 0, i % 3 === 0 ? null : `\\x${Buffer.from(`b${i}`).toString('hex')}`, text.toUpperCase(),
    ];
  });
}

describe('TypedLineAppender', () => {
  it('writes every column, its levels, PLAIN bytes and min/max, as JSON.parse of the whole line did', () => {
    const lines = rows(2_000).map((values, i) => line(values, i % 2 === 0 ? ', ' : ','));
    const { chunks, others } = appended(lines);
    expect(chunks).toEqual(parsedWhole(lines));
    // The double, boolean and bytea columns' elements (NULL too) go through JSON.parse; no other does.
    expect(others).toBe(2_000 * 3);
  });

  it('hands every value to JSON.parse where its column is not hashed as PLAIN bytes, to the same file', () => {
    const lines = rows(500).map((values) => line(values));
    expect(appended(lines, KINDS.map(() => false)).chunks).toEqual(parsedWhole(lines));
  });

  it('falls back to JSON.parse for a string that is not valid UTF-8, as a UTF-8 decoding reads it', () => {
    const values = rows(2)[1];
    const text = line(values);
    const bad = Buffer.concat([text.subarray(0, text.indexOf('"plain"') + 3), Buffer.from([0xff, 0xc3]), text.subarray(text.indexOf('"plain"') + 3)]);
    const chunks = appended([bad]).chunks;
    expect(chunks).toEqual(parsedWhole([bad]));
    expect(chunks[2].plain.subarray(4).toString()).toBe('pl\ufffd\ufffdain');
  });

  it('reports a line of the wrong shape', () => {
    const values = rows(2)[1];
    const append = (text: string | Buffer) => appended([Buffer.from(text)]);
    expect(() => append(line(values.slice(0, 11)))).toThrow('a typed line holds 11 values, not 12');
    expect(() => append(line([...values, 1]))).toThrow('a typed line holds more than 12 values');
    expect(() => append(`${line(values).toString()} x`)).toThrow('a typed line has bytes after its array');
    expect(() => append(line(values).toString().slice(0, 30))).toThrow('a typed line ends inside a string');
    expect(() => append(line(values).toString().replace('"plain"', '"pl\u0001ain"'))).toThrow(SyntaxError);
    expect(() => append(line(values).toString().replace('"plain"', '"pl\\xain"'))).toThrow('a typed line has a bad escape \\x');
    expect(() => append(line([...values.slice(0, 1), 'not-a-uuid', ...values.slice(2)]))).toThrow('not a uuid: "not-a-uuid"');
    // int4 is column 4: a bare number, as JSON.parse reads one.
    const int4 = (text: string) => append(`[${[...values.slice(0, 4).map((v) => JSON.stringify(v)), text, ...values.slice(5).map((v) => JSON.stringify(v))].join(', ')}]`);
    for (const bad of ['007', '-012', '00', '1x', '-', '1.5e']) expect(() => int4(bad)).toThrow(SyntaxError);
    expect(int4('-0').chunks[4].plain.readInt32LE(0)).toBe(0);
  });
});
