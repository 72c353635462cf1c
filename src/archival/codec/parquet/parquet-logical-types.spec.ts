import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ArchiveCodecs } from '../archive-codec';
import { ColumnInfo } from '../jsonl.format';

const column = (name: string, typname: string, type: string, encoding: ColumnInfo['encoding']): ColumnInfo =>
  ({ name, typname, type, encoding, generated: false, identity: false });

const COLUMNS: ColumnInfo[] = [
  column('id', 'int8', 'bigint', 'text'),
  column('session', 'uuid', 'uuid', 'native'),
  column('at', 'timestamptz', 'timestamp with time zone', 'native'),
  column('local', 'timestamp', 'timestamp without time zone', 'native'),
  column('day', 'date', 'date', 'native'),
  column('doc', 'jsonb', 'jsonb', 'json'),
  column('raw', 'json', 'json', 'text'),
  column('note', 'text', 'text', 'native'),
  column('qty', 'int2', 'smallint', 'native'),
  column('price', 'numeric', 'numeric(12,4)', 'text'),
  column('total', 'numeric', 'numeric(30,6)', 'text'),
  column('loose', 'numeric', 'numeric', 'text'),
];

async function write(lines: string[]): Promise<Buffer> {
  const codecs = await ArchiveCodecs.create({ format: 'parquet', compression: 'zstd' });
  const out: Buffer[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, callback) => (out.push(chunk), callback()) });
  const encoder = codecs.forWriting().encoder(COLUMNS, 'id');
  await pipeline([Readable.from(lines.map((l) => Buffer.from(`${l}\n`))), ...encoder.stages, sink] as unknown as NodeJS.ReadWriteStream[]);
  return Buffer.concat(out);
}

interface FooterElement { name: string; type?: string; type_length?: number; converted_type?: string; precision?: number; scale?: number; logical_type?: Record<string, unknown> }

/** The file's footer as hyparquet (an independent reader, an ES module: in a process of its own) parses it. */
async function footer(file: Buffer): Promise<{ schema: FooterElement[]; key_value_metadata?: { key: string; value: string }[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'archival-footer-'));
  try {
    const path = join(dir, 'a.parquet');
    await writeFile(path, file);
    const script = `import { parquetMetadata } from 'hyparquet'; import { readFileSync } from 'node:fs';
      const b = readFileSync(process.argv[1]); const m = parquetMetadata(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
      process.stdout.write(JSON.stringify({ schema: m.schema, key_value_metadata: m.key_value_metadata }, (k, v) => (typeof v === 'bigint' ? Number(v) : v)));`;
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script, path], { cwd: process.cwd() }, (error, out) => (error ? reject(error) : resolve(out))),
    );
    return JSON.parse(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('Parquet logical types in the footer', () => {
  it('declares each column as its PostgreSQL type reads best, and keeps numeric NaNs in the metadata', async () => {
    const row = {
      id: '1', session: '0e4f6c1a-9b2d-4c3e-8f70-1a2b3c4d5e6f', at: '0', local: '0', day: 0, doc: '{"a": 1}', raw: ' {"b": 2} ', note: 'n', qty: 3,
      price: '1.5000', total: 'NaN', loose: '1e3',
    };
    const file = await write([JSON.stringify(COLUMNS.map((c) => (row as Record<string, unknown>)[c.name] ?? null))]);
    const metadata = await footer(file);
    const schema = Object.fromEntries(metadata.schema.slice(1).map((e) => [e.name, e]));
    expect(schema.session).toMatchObject({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, logical_type: { type: 'UUID' } });
    expect(schema.at).toMatchObject({ type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } });
    expect(schema.local).toMatchObject({ type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' } });
    expect(schema.local.converted_type).toBeUndefined();
    expect(schema.day).toMatchObject({ type: 'INT32', logical_type: { type: 'DATE' } });
    expect(schema.doc).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'JSON', logical_type: { type: 'JSON' } });
    expect(schema.raw).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'JSON', logical_type: { type: 'JSON' } });
    expect(schema.note).toMatchObject({ type: 'BYTE_ARRAY', logical_type: { type: 'STRING' } });
    expect(schema.qty).toMatchObject({ type: 'INT32', logical_type: { type: 'INTEGER', bitWidth: 16, isSigned: true } });
    expect(schema.price).toMatchObject({ type: 'INT64', converted_type: 'DECIMAL', precision: 12, scale: 4, logical_type: { type: 'DECIMAL', precision: 12, scale: 4 } });
    expect(schema.total).toMatchObject({ type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, logical_type: { type: 'DECIMAL', precision: 30, scale: 6 } });
    expect(schema.loose).toMatchObject({ type: 'BYTE_ARRAY', logical_type: { type: 'STRING' } });
    const kv = Object.fromEntries((metadata.key_value_metadata ?? []).map((e) => [e.key, e.value]));
    expect(kv).toEqual({ 'nest-archival.decimal-nan': '{"total":[0]}', 'nest-archival.content-hash': 'column-blocks-1024-plain' });
  });
});
