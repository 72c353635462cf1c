import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CorruptArchiveError } from '../../archival.errors';
import { Stage } from '../archive-format';
import { ColumnInfo } from '../jsonl.format';
import { ZstdCompression } from '../zstd.compression';
import { encodeParquet } from './parquet-encoder';
import { setUpParquet } from './parquet-page-codec';
import { onParquetThread } from './parquet-thread';

const COLUMNS: ColumnInfo[] = [
  { name: 'id', typname: 'int8', type: 'bigint', encoding: 'text', generated: false, identity: false },
  { name: 'ref', typname: 'uuid', type: 'uuid', encoding: 'native', generated: false, identity: false },
  { name: 'data', typname: 'jsonb', type: 'jsonb', encoding: 'json', generated: false, identity: false },
];

function lines(count: number): Buffer[] {
  const rows = Array.from({ length: count }, (_, i) => `["${i + 1}", "00000000-0000-4000-8000-${String(i).padStart(12, '0')}", ${JSON.stringify(JSON.stringify({ i }))}]\n`);
  // Chunks that cut lines anywhere, as COPY's do.
  const all = Buffer.from(rows.join(''));
  return Array.from({ length: Math.ceil(all.length / 70_001) }, (_, i) => all.subarray(i * 70_001, (i + 1) * 70_001));
}

async function run(input: Iterable<Buffer> | AsyncIterable<Buffer>, stages: Stage[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, callback) => (out.push(chunk), callback()) });
  await pipeline([Readable.from(input), ...stages, sink] as unknown as NodeJS.ReadWriteStream[]);
  return Buffer.concat(out);
}

async function inThisThread(input: Buffer[]) {
  const { encode, content } = encodeParquet(COLUMNS, 'id', 'zstd');
  const out: Buffer[] = [];
  for await (const piece of encode(Readable.from(input.map((chunk) => Buffer.from(chunk))))) out.push(piece);
  return { file: Buffer.concat(out), digest: content() };
}

describe('the Parquet thread', () => {
  beforeAll(async () => setUpParquet(await ZstdCompression.create()));

  it('writes the same file, with the same content digest, as the writer run in this thread', async () => {
    const input = lines(25_000);
    const here = await inThisThread(input);
    const there = onParquetThread({ kind: 'encode', columns: COLUMNS, key: 'id', compression: 'zstd' });
    const file = await run(input, there.stages);
    expect(file.equals(here.file)).toBe(true);
    expect(there.content()).toEqual(here.digest);

    const verify = onParquetThread({ kind: 'decode', columns: COLUMNS, key: 'id', what: 'the test archive' });
    const keys = (await run([file], verify.stages)).toString().trimEnd().split('\n');
    expect(keys).toHaveLength(25_000);
    expect(keys[24_999]).toBe('{"id":"25000"}');
    expect(verify.content()).toEqual(here.digest);
  });

  it('reports a corrupt file read back there as a CorruptArchiveError naming the archive', async () => {
    const verify = onParquetThread({ kind: 'decode', columns: COLUMNS, key: 'id', what: 'archive 7' });
    const error = await run([Buffer.from('PAR1 not a parquet file at all PAR1')], verify.stages).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptArchiveError);
    expect((error as Error).message).toContain('archive 7');
  });

  it("fails the part with the writer's own message when a line is not what the file's columns are", async () => {
    const encode = onParquetThread({ kind: 'encode', columns: COLUMNS, key: 'id', compression: 'zstd' });
    await expect(run([Buffer.from('["1", "00000000-0000-4000-8000-000000000000"]\n')], encode.stages)).rejects.toThrow('a typed line holds 2 values, not 3');
    expect(() => encode.content()).toThrow('before it was all read');
  });

  it('passes an error of its input on as it is, and goes on with the next part', async () => {
    const failure = new Error('the database went away');
    async function* failing() {
      yield lines(10)[0];
      throw failure;
    }
    const encode = onParquetThread({ kind: 'encode', columns: COLUMNS, key: 'id', compression: 'zstd' });
    await expect(run(failing(), encode.stages)).rejects.toBe(failure);

    const next = onParquetThread({ kind: 'encode', columns: COLUMNS, key: 'id', compression: 'zstd' });
    const input = lines(100);
    expect((await run(input, next.stages)).equals((await inThisThread(input)).file)).toBe(true);
  });

  it('drops a part whose reader stopped, and writes the parts beside it', async () => {
    const stopped = onParquetThread({ kind: 'encode', columns: COLUMNS, key: 'id', compression: 'zstd' });
    const [encode] = stopped.stages as ((source: AsyncIterable<Buffer>) => AsyncIterable<Buffer>)[];
    const beside = onParquetThread({ kind: 'encode', columns: COLUMNS, key: 'id', compression: 'zstd' });
    const input = lines(30_000);
    const besideFile = run(input, beside.stages);
    for await (const piece of encode(Readable.from(input))) {
      expect(piece.subarray(0, 4).toString()).toBe('PAR1');
      break;
    }
    expect((await besideFile).equals((await inThisThread(input)).file)).toBe(true);
  });
});
