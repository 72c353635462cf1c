import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ArchiveCodecs } from '../archive-codec';
import { ContentDigest, Stage } from '../archive-format';
import { ColumnInfo } from '../jsonl.format';
import { ParquetBytes } from './parquet-bytes';
import { CONTENT_HASH_KEY, hashedAsPlain, PLAIN_BLOCKS, PLAIN_TEXT_BLOCKS } from './parquet-content-hash';
import { parquetKind } from './parquet-columns';
import { ParquetFileReader } from './parquet-file-reader';
import { pageInflate } from './parquet-page-codec';

const FIXTURE = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'parquet-column-blocks-1024-plain-text');

/** An archive of every kind (written by the code before PLAIN_BLOCKS), its columns, digest and restore output. */
const recorded = JSON.parse(readFileSync(join(FIXTURE, 'content.json'), 'utf8')) as {
  rows: number;
  columns: ColumnInfo[];
  content: ContentDigest;
  restoreSha256: string;
  line2: Record<string, unknown>;
};
const COLUMNS = recorded.columns;

async function run(input: Buffer[], stages: Stage[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, callback) => (out.push(chunk), callback()) });
  await pipeline([Readable.from(input), ...stages, sink] as unknown as NodeJS.ReadWriteStream[]);
  return Buffer.concat(out);
}

async function schemeOf(file: Buffer): Promise<string | undefined> {
  const bytes = new ParquetBytes();
  bytes.append(file);
  return (await ParquetFileReader.open(bytes, pageInflate('a'), 'a')).metadata()[CONTENT_HASH_KEY];
}

/** The fixture's rows as typed lines again: its restore lines, turned back into PostgreSQL's typed values. */
function typedLines(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => {
    const uuid = i % 11 === 0 ? null : `${String(i).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const values = [
      String(i + 1), uuid, i % 7 === 0 ? null : i, i % 5 === 0 ? null : (i % 300) - 150,
      i % 13 === 0 ? 'NaN' : i % 17 === 0 ? '-Infinity' : String(i / 7), i % 9 === 0 ? null : String(Math.fround(i / 3)),
      i % 6 === 0 ? null : i % 2 === 0, i % 8 === 0 ? null : 19000 + i,
      i % 4 === 0 ? null : `\\x${Buffer.from(`b${i}`).toString('hex')}`, i % 10 === 0 ? 'NaN' : `${i}.${String(i % 100).padStart(2, '0')}`,
      i % 3 === 0 ? null : `${i}123456789012345678.${String(i % 10000).padStart(4, '0')}`,
      i % 5 === 0 ? null : JSON.stringify({ i, s: 'q"\\é😀' }), i % 4 === 0 ? null : `note ${i}\t"x"`,
      String(1700000000000001 + i * 1000003), i % 12 === 0 ? null : String(-62135596800000000n + BigInt(i * 1000001)),
    ];
    return Buffer.from(`[${values.map((v) => JSON.stringify(v)).join(', ')}]\n`);
  });
}

describe('Parquet content-hash schemes', () => {
  let none: ArchiveCodecs;
  let zstd: ArchiveCodecs;
  beforeAll(async () => {
    none = await ArchiveCodecs.create({ format: 'parquet', compression: 'none' });
    zstd = await ArchiveCodecs.create({ format: 'parquet', compression: 'zstd' });
  });

  it('hashes every column but boolean and DECIMAL as its PLAIN bytes', () => {
    const kinds = COLUMNS.map((c) => [c.name, parquetKind(c)] as const);
    expect(kinds.filter(([, kind]) => !hashedAsPlain(kind, PLAIN_BLOCKS)).map(([name]) => name)).toEqual(['ok', 'total', 'big']);
    expect(kinds.filter(([, kind]) => hashedAsPlain(kind, PLAIN_TEXT_BLOCKS)).map(([name]) => name)).toEqual(['data', 'note']);
  });

  it('writes column-blocks-1024-plain and reads it back to the same digest and rows as the archive written before it', async () => {
    const lines = typedLines(recorded.rows);
    const encoder = zstd.forWriting().encoder(COLUMNS, 'id');
    const file = await run(lines, encoder.stages);
    expect(await schemeOf(file)).toBe(PLAIN_BLOCKS);
    const keys = zstd.forWriting().decoder(COLUMNS, 'id', 'the test archive', 'keys');
    const keyLines = (await run([file], keys.stages)).toString().split('\n').slice(0, -1);
    expect(keyLines).toEqual(lines.map((_, i) => `{"id":"${i + 1}"}`));
    expect(keys.content()).toEqual(encoder.content());
    const restore = zstd.forWriting().decoder(COLUMNS, 'id', 'the test archive', 'restore');
    const restored = await run([file], restore.stages);
    expect(restore.content()).toEqual(encoder.content());
    // The same rows, value for value, as the archive the code before wrote of them.
    expect(createHash('sha256').update(restored).digest('hex')).toBe(recorded.restoreSha256);
    expect(encoder.content().sha256).not.toBe(recorded.content.sha256);
  });

  it('reads archives hashed under column-blocks-1024-plain-text to the digest they were written with', async () => {
    const file = readFileSync(join(FIXTURE, 'archive.parquet'));
    expect(await schemeOf(file)).toBe(PLAIN_TEXT_BLOCKS);
    for (const mode of ['keys', 'restore'] as const) {
      const decoder = zstd.forWriting().decoder(COLUMNS, 'id', 'the old archive', mode);
      const out = await run([file], decoder.stages);
      expect(decoder.content()).toEqual(recorded.content);
      if (mode === 'restore') {
        expect(createHash('sha256').update(out).digest('hex')).toBe(recorded.restoreSha256);
        expect(JSON.parse(out.toString().split('\n')[1])).toEqual(recorded.line2);
      }
    }
  });

  it.each([
    ['a uuid', (i: number) => Buffer.from(`${String(i).padStart(8, '0')}000040008000${String(i).padStart(12, '0')}`, 'hex')],
    ['a timestamptz', (i: number) => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(1700000000000001 + i * 1000003)); return b; }],
    ['an int4', (i: number) => { const b = Buffer.alloc(4); b.writeInt32LE(i); return b; }],
  ])('sees %s changed in place although verification steps over its values', async (_what, bytesOf) => {
    const lines = typedLines(3_000);
    const encoder = none.forWriting().encoder(COLUMNS, 'id');
    const file = await run(lines, encoder.stages);
    const verify = async (archive: Buffer) => {
      const decoder = none.forWriting().decoder(COLUMNS, 'id', 'the test archive', 'keys');
      const keys = (await run([archive], decoder.stages)).toString();
      return { keys, digest: decoder.content() };
    };
    const verified = await verify(file);
    expect(verified.digest).toEqual(encoder.content());
    // Not the last row: its timestamp is the row group's max, kept again in the statistics.
    const value = bytesOf(2_990);
    // The last match: the key column (first in the file) holds small integers too.
    const at = file.lastIndexOf(value);
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(file);
    tampered[at + value.length - 1] ^= 1;
    const changed = await verify(tampered);
    expect(changed.keys).toBe(verified.keys);
    expect(changed.digest.sha256).not.toBe(verified.digest.sha256);
  });

  it('hashes alike a wide bytea value held aside as its own page, and the values after it', async () => {
    const columns = COLUMNS.filter((c) => ['id', 'blob', 'at'].includes(c.name));
    const wide = Buffer.alloc(2 * 1024 * 1024, 0xab);
    const lines = Array.from({ length: 2_100 }, (_, i) => {
      const blob = i === 1_000 ? wide : i % 3 === 0 ? null : Buffer.from(`b${i}`);
      const values = [String(i + 1), blob && `\\x${blob.toString('hex')}`, String(1700000000000001 + i)];
      return Buffer.from(`[${values.map((v) => JSON.stringify(v)).join(', ')}]\n`);
    });
    const encoder = zstd.forWriting().encoder(columns, 'id');
    const file = await run(lines, encoder.stages);
    for (const mode of ['keys', 'restore'] as const) {
      const decoder = zstd.forWriting().decoder(columns, 'id', 'the test archive', mode);
      const out = (await run([file], decoder.stages)).toString().split('\n');
      expect(decoder.content()).toEqual(encoder.content());
      if (mode === 'restore') expect(JSON.parse(out[1_000]).blob).toBe(`\\x${wide.toString('hex')}`);
    }
  });
});
