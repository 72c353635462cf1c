import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ArchiveCodecs } from '../archive-codec';
import { Stage } from '../archive-format';
import { ColumnInfo } from '../jsonl.format';
import { INT32_MIN, INT64_MIN } from './parquet-columns';
import { ParquetBytes } from './parquet-bytes';
import { decimalText, DECIMAL_NAN_KEY, logicalColumns } from './parquet-logical-types';
import { parquetFooter } from './parquet-typed-reader';

const column = (name: string, typname: string, type: string, encoding: ColumnInfo['encoding']): ColumnInfo => ({
  name, typname, type, encoding, generated: false, identity: false,
});
const COLUMNS = [
  column('id', 'int8', 'bigint', 'text'),
  column('price', 'numeric', 'numeric(12,4)', 'text'),
  column('huge', 'numeric', 'numeric(30,2)', 'text'),
  column('free', 'numeric', 'numeric', 'text'),
  column('ref', 'uuid', 'uuid', 'native'),
  column('at', 'timestamptz', 'timestamp with time zone', 'native'),
  column('day', 'date', 'date', 'native'),
  column('raw', 'json', 'json', 'text'),
];

async function run(input: Buffer[], stages: Stage[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, callback) => (out.push(chunk), callback()) });
  await pipeline([Readable.from(input), ...stages, sink] as unknown as NodeJS.ReadWriteStream[]);
  return Buffer.concat(out);
}

describe('Parquet logical types', () => {
  it('maps numeric(p,s) up to p = 38 to DECIMAL, other numerics to text, uuid to UUID, json to JSON', () => {
    const kinds = Object.fromEntries(logicalColumns(COLUMNS, 'id').map((c) => [c.name, [c.kind, c.precision, c.scale, c.restoreAs]]));
    expect(kinds).toMatchObject({
      price: ['decimal', 12, 4, 'decimal'], huge: ['decimal', 30, 2, 'decimal'], free: ['text', 0, 0, 'text'],
      ref: ['uuid', 0, 0, 'uuid'], raw: ['json', 0, 0, 'text'],
    });
    expect(logicalColumns([column('x', 'numeric', 'numeric(40,12)', 'text'), column('y', 'numeric', 'numeric(3,-2)', 'text')], 'x').map((c) => c.kind))
      .toEqual(['text', 'text']);
  });

  it("writes numeric(p,s) as PostgreSQL's text", () => {
    expect(decimalText(12345678n, 4)).toBe('1234.5678');
    expect(decimalText(-500n, 4)).toBe('-0.0500');
    expect(decimalText(7n, 0)).toBe('7');
  });

  it('round-trips DECIMAL (NaN included, at its own row), UUID, infinite times and json text exactly', async () => {
    const codecs = await ArchiveCodecs.create({ format: 'parquet', compression: 'zstd' });
    const rows = [
      { id: '1', price: '1234.5678', huge: '-1234567890123456789012345678.90', free: '1e5', ref: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', at: String(INT64_MIN), day: INT32_MIN, raw: '{"b":1,  "b":2}' },
      { id: '2', price: 'NaN', huge: 'NaN', free: 'NaN', ref: null, at: '9223372036854775807', day: 0, raw: 'null' },
      { id: '3', price: '-0.0500', huge: null, free: null, ref: null, at: '-1', day: null, raw: null },
      { id: '4', price: 'NaN', huge: '0.00', free: '0', ref: null, at: null, day: 1, raw: '[]' },
    ];
    const codec = codecs.forWriting();
    const encoder = codec.encoder(COLUMNS, 'id');
    const file = await run(rows.map((r) => Buffer.from(`${JSON.stringify(r)}\n`)), encoder.stages);
    const bytes = new ParquetBytes();
    bytes.append(file);
    const { metadata, typed } = await parquetFooter(bytes);
    expect(typed).toBe(true);
    expect(JSON.parse(metadata.key_value_metadata!.find((kv) => kv.key === DECIMAL_NAN_KEY)!.value!)).toEqual({ price: [1, 3], huge: [1] });

    const decoder = codec.decoder(COLUMNS, 'id', 'the test archive');
    const restored = (await run([file], decoder.stages)).toString().split('\n').slice(0, -1).map((line) => JSON.parse(line));
    expect(restored).toEqual([
      { id: '1', price: '1234.5678', huge: '-1234567890123456789012345678.90', free: '1e5', ref: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', at: '-infinity', day: '-infinity', raw: '{"b":1,  "b":2}' },
      { id: '2', price: 'NaN', huge: 'NaN', free: 'NaN', ref: null, at: 'infinity', day: '1970-01-01', raw: 'null' },
      { id: '3', price: '-0.0500', huge: null, free: null, ref: null, at: '1969-12-31 23:59:59.999999+00', day: null, raw: null },
      { id: '4', price: 'NaN', huge: '0.00', free: '0', ref: null, at: null, day: '1970-01-02', raw: '[]' },
    ]);
    expect(decoder.content()).toEqual(encoder.content());
  });
});
