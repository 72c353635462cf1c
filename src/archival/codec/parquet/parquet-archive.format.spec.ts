import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ArchiveCodecs } from '../archive-codec';
import { Stage } from '../archive-format';
import { ColumnInfo } from '../jsonl.format';
import { ParquetBytes } from './parquet-bytes';
import { COLUMN_BLOCKS, CONTENT_HASH_KEY, PLAIN_BLOCKS } from './parquet-content-hash';
import { ROW_GROUP_BYTES, WIDE_ROW_BYTES } from './parquet-archive.format';
import { ParquetFileReader } from './parquet-file-reader';
import { pageInflate } from './parquet-page-codec';

const COLUMNS: ColumnInfo[] = [
  { name: 'id', typname: 'int8', type: 'bigint', encoding: 'text', generated: false, identity: false },
  { name: 'data', typname: 'jsonb', type: 'jsonb', encoding: 'json', generated: false, identity: false },
  { name: 'note', typname: 'text', type: 'text', encoding: 'native', generated: false, identity: false },
];

/** A typed line as json_build_array writes it: the values in column order, separated by ", ". */
function typedLine(values: unknown[]): Buffer {
  return Buffer.from(`[${values.map((value) => JSON.stringify(value)).join(', ')}]\n`);
}

async function run(input: Buffer[], stages: Stage[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, callback) => (out.push(chunk), callback()) });
  await pipeline([Readable.from(input), ...stages, sink] as unknown as NodeJS.ReadWriteStream[]);
  return Buffer.concat(out);
}

async function rowGroups(file: Buffer) {
  const bytes = new ParquetBytes();
  bytes.append(file);
  return (await ParquetFileReader.open(bytes, pageInflate('the test archive'), 'the test archive')).describeRowGroups();
}

describe('Parquet archives of wide rows', () => {
  let codecs: ArchiveCodecs;
  beforeAll(async () => {
    codecs = await ArchiveCodecs.create({ format: 'parquet', compression: 'none' });
  });

  async function roundTrip(values: string[]) {
    const lines = values.map((data, i) => typedLine([String(i + 1), data, `row ${i + 1}`]));
    const codec = codecs.forWriting();
    const encoder = codec.encoder(COLUMNS, 'id');
    const file = await run(lines, encoder.stages);
    const decoder = codec.decoder(COLUMNS, 'id', 'the test archive');
    const restored = (await run([file], decoder.stages)).toString().split('\n').slice(0, -1);
    return { file, restored, written: encoder.content(), read: decoder.content() };
  }

  it('cuts row groups by bytes as well as rows, and round-trips every value', async () => {
    const values = Array.from({ length: 40 }, (_, i) => JSON.stringify({ i, blob: 'x'.repeat(512 * 1024) }));
    const { file, restored, written, read } = await roundTrip(values);
    const groups = await rowGroups(file);
    // Lines of 512 KiB and a few bytes: the 32nd reaches ROW_GROUP_BYTES (16 MiB) and closes its row group.
    expect(ROW_GROUP_BYTES).toBe(16 * 1024 * 1024);
    expect(groups.map((g) => g.rows)).toEqual([32, 8]);
    expect(restored.map((line) => JSON.parse(line).data)).toEqual(values.map((v) => JSON.parse(v)));
    expect(read).toEqual(written);
  });

  it('makes each wide row a row group of its own, closing the rows before it first', async () => {
    const wide = (i: number) => JSON.stringify({ i, blob: 'w"\\'.repeat(WIDE_ROW_BYTES / 2) });
    const values = ['{"a": 1}', '{"a": 2}', '{"a": 3}', wide(4), '{"a": 5}', '{"a": 6}', wide(7), wide(8), '{"a": 9}'];
    const { file, restored, written, read } = await roundTrip(values);
    expect((await rowGroups(file)).map((g) => g.rows)).toEqual([3, 1, 2, 1, 1, 1]);
    expect(restored.map((line) => JSON.parse(line).data)).toEqual(values.map((v) => JSON.parse(v)));
    expect(read).toEqual(written);
  });

  it('stores a long value once: no min/max statistics for text and JSON columns, only for the key', async () => {
    const big = JSON.stringify({ blob: 'y'.repeat(5 * 1024 * 1024) });
    const { file, restored, written, read } = await roundTrip(['{"small": true}', big]);
    expect(file.length).toBeLessThan(big.length * 1.1);
    for (const group of await rowGroups(file)) {
      expect(group.withMinMax).toEqual(['id']);
    }
    expect(JSON.parse(restored[1])).toEqual({ id: '2', data: JSON.parse(big), note: 'row 2' });
    expect(read).toEqual(written);
  });

  it('hashes content in column blocks across row groups, and a changed value changes the digest', async () => {
    // 12,500 rows: row groups of 10,000 and 2,500, blocks of 1,024 within each (the last of each shorter), NULLs here and there.
    const values = Array.from({ length: 12_500 }, (_, i) => (i % 7 === 0 ? 'null' : JSON.stringify({ i })));
    const { file, restored, written, read } = await roundTrip(values);
    expect((await rowGroups(file)).map((g) => g.rows)).toEqual([10_000, 2_500]);
    expect(restored).toHaveLength(12_500);
    expect(read).toEqual(written);
    // One value changed in place in the file (uncompressed pages): the read-back's digest no longer matches the writer's.
    const at = file.indexOf('{"i":11000}');
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(file);
    tampered.write('{"i":11001}', at);
    const decoder = codecs.forWriting().decoder(COLUMNS, 'id', 'the tampered archive');
    await run([tampered], decoder.stages);
    expect(decoder.content().sha256).not.toBe(written.sha256);
  });

  it('hashes text and json columns as stored: verification steps over their values and still sees a changed one', async () => {
    const values = Array.from({ length: 3_000 }, (_, i) => (i % 5 === 0 ? 'null' : JSON.stringify({ i, s: 'q"\\é😀' })));
    const { file, written } = await roundTrip(values);
    const bytes = new ParquetBytes();
    bytes.append(file);
    expect((await ParquetFileReader.open(bytes, pageInflate('a'), 'a')).metadata()[CONTENT_HASH_KEY]).toBe(PLAIN_BLOCKS);
    const verify = async (archive: Buffer) => {
      const decoder = codecs.forWriting().decoder(COLUMNS, 'id', 'the test archive', 'keys');
      const keys = (await run([archive], decoder.stages)).toString().split('\n').slice(0, -1);
      return { keys, digest: decoder.content() };
    };
    const verified = await verify(file);
    expect(verified.digest).toEqual(written);
    expect(verified.keys).toEqual(values.map((_, i) => `{"id":"${i + 1}"}`));
    // A note changed in place (the text column, uncompressed pages): the keys read the same, the digest does not.
    const at = file.indexOf('row 2999');
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(file);
    tampered.write('row 2998', at);
    const changed = await verify(tampered);
    expect(changed.keys).toEqual(verified.keys);
    expect(changed.digest.sha256).not.toBe(written.sha256);
  });

  it('hashes alike on both sides across row groups when compressed pages let the column buffers be reused', async () => {
    const zstd = (await ArchiveCodecs.create({ format: 'parquet', compression: 'zstd' })).forWriting();
    // Row groups of 10,000, 1 (a wide row: a row group of its own) and 4,999; NULLs in every block.
    const lines = Array.from({ length: 15_000 }, (_, i) => {
      const data = i === 10_000 ? JSON.stringify({ blob: 'w'.repeat(WIDE_ROW_BYTES) }) : i % 3 === 0 ? null : JSON.stringify({ i });
      return typedLine([String(i + 1), data, i % 4 === 0 ? null : `row ${i}`]);
    });
    const encoder = zstd.encoder(COLUMNS, 'id');
    const file = await run(lines, encoder.stages);
    expect((await rowGroups(file)).map((g) => g.rows)).toEqual([10_000, 1, 4_999]);
    for (const mode of ['keys', 'restore'] as const) {
      const decoder = zstd.decoder(COLUMNS, 'id', 'the test archive', mode);
      const out = (await run([file], decoder.stages)).toString().split('\n').slice(0, -1);
      expect(out).toHaveLength(15_000);
      expect(decoder.content()).toEqual(encoder.content());
      if (mode === 'restore') expect(JSON.parse(out[14_999])).toEqual({ id: '15000', data: { i: 14_999 }, note: 'row 14999' });
    }
  });

  it('hashes alike a long first value held aside in its column, NULLs after it past a block boundary', async () => {
    // A 100 KB note (a long string, not a wide row) opens the row group; the column is NULL for the 1,499 rows after it.
    const lines = Array.from({ length: 1_500 }, (_, i) =>
      typedLine([String(i + 1), JSON.stringify({ i }), i === 0 ? 'a'.repeat(100_000) : null]));
    for (const compression of ['zstd', 'none'] as const) {
      const codec = (await ArchiveCodecs.create({ format: 'parquet', compression })).forWriting();
      const encoder = codec.encoder(COLUMNS, 'id');
      const file = await run(lines.map((line) => Buffer.from(line)), encoder.stages);
      for (const mode of ['keys', 'restore'] as const) {
        const decoder = codec.decoder(COLUMNS, 'id', 'the test archive', mode);
        await run([file], decoder.stages);
        expect(decoder.content()).toEqual(encoder.content());
      }
    }
  });

  it('reads archives whose every column was hashed as canonical JSON (column-blocks-1024), to the digest they were written with', async () => {
    const fixture = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'parquet-column-blocks-1024');
    const file = readFileSync(join(fixture, 'archive.parquet'));
    const recorded = JSON.parse(readFileSync(join(fixture, 'content.json'), 'utf8')) as { rows: number; content: { bytes: number; sha256: string } };
    const columns: ColumnInfo[] = [
      ...COLUMNS,
      { name: 'at', typname: 'timestamptz', type: 'timestamp with time zone', encoding: 'native', generated: false, identity: false },
    ];
    const bytes = new ParquetBytes();
    bytes.append(file);
    expect((await ParquetFileReader.open(bytes, pageInflate('a'), 'a')).metadata()[CONTENT_HASH_KEY]).toBe(COLUMN_BLOCKS);
    const zstd = (await ArchiveCodecs.create({ format: 'parquet', compression: 'zstd' })).forWriting();
    for (const mode of ['keys', 'restore'] as const) {
      const decoder = zstd.decoder(columns, 'id', 'the old archive', mode);
      const lines = (await run([file], decoder.stages)).toString().split('\n').slice(0, -1);
      expect(lines).toHaveLength(recorded.rows);
      expect(decoder.content()).toEqual(recorded.content);
      if (mode === 'restore') expect(JSON.parse(lines[1])).toEqual({ id: '2', data: { i: 1, s: 'q"\\é😀' }, note: 'note 1\t"x"', at: '2023-11-14 22:13:20.000001+00' });
    }
  });
});
