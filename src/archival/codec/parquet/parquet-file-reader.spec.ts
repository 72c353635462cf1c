import { Writable } from 'node:stream';
import { CorruptArchiveError } from '../../archival.errors';
import { ParquetBytes } from './parquet-bytes';
import { ParquetFileReader } from './parquet-file-reader';
import { pageInflate } from './parquet-page-codec';

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
const parquetjs = require('parquetjs-lite') as any;

const ROWS = 20_000;
const rowOf = (i: number) => ({
  // Within 2^53: parquetjs-lite's own INT64 conversion goes through parseInt (the archives' writer extended it).
  id: BigInt(i) * 1_000_000_007n - 4_503_599_627_370_496n,
  ok: i % 3 === 0,
  note: i % 5 === 0 ? undefined : `row ${i} é`,
  n: i % 7 === 0 ? undefined : i - 10_000,
});

/** A file as parquetjs-lite writes one: row groups of several pages (8,192 rows a page), v1 or v2 pages, GZIP. */
async function parquetjsFile(useDataPageV2: boolean): Promise<Buffer> {
  const schema = new parquetjs.ParquetSchema({
    id: { type: 'INT64', optional: true, compression: 'GZIP' },
    ok: { type: 'BOOLEAN', optional: true, compression: 'GZIP' },
    note: { type: 'UTF8', optional: true, compression: 'GZIP' },
    n: { type: 'INT32', optional: true, compression: 'GZIP' },
  });
  const out: Buffer[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, callback) => (out.push(chunk), callback()) });
  const writer = await parquetjs.ParquetWriter.openStream(schema, sink, { useDataPageV2 });
  writer.setRowGroupSize(ROWS);
  for (let i = 0; i < ROWS; i++) {
    const row = rowOf(i);
    await writer.appendRow(Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined)));
  }
  await writer.close();
  return Buffer.concat(out);
}

async function open(file: Buffer): Promise<ParquetFileReader> {
  const bytes = new ParquetBytes();
  bytes.append(file);
  return ParquetFileReader.open(bytes, pageInflate('the file'), 'the file');
}

async function readAll(reader: ParquetFileReader): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const slice of reader.rowGroups(['id', 'ok', 'note', 'n'].map((name) => ({ name, asText: true })), 1000)) {
    for (let r = 0; r < slice.rows; r++) rows.push(Object.fromEntries([...slice.values].map(([name, values]) => [name, values[r]])));
  }
  return rows;
}

describe('ParquetFileReader', () => {
  it.each([true, false])('reads parquetjs-lite files of several pages per column chunk (data pages v2: %s)', async (v2) => {
    const rows = await readAll(await open(await parquetjsFile(v2)));
    expect(rows).toHaveLength(ROWS);
    rows.forEach((row, i) => {
      const expected = rowOf(i);
      expect(BigInt(row.id as number | bigint)).toBe(expected.id);
      expect(row).toMatchObject({ ok: expected.ok, note: expected.note, n: expected.n });
    });
  });

  it('reports a page whose value count exceeds its column chunk as corrupt, without allocating for it', async () => {
    const file = await parquetjsFile(true);
    const reader = await open(file);
    const meta = (reader as any).meta;
    meta.row_groups[0].num_rows = 5;
    meta.row_groups[0].columns.forEach((c: any) => (c.meta_data.num_values = 5));
    await expect(readAll(reader)).rejects.toThrow(CorruptArchiveError);
    await expect(readAll(reader)).rejects.toThrow(/a page of 8192 values where 5 remain/);
  });

  it('refuses a file without the Parquet magic', async () => {
    await expect(open(Buffer.from('PAR1 not really PAR2'))).rejects.toThrow(/not a readable Parquet file/);
  });
});
