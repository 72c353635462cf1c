/**
 * Parquet archives (`.parquet`): one typed column per table column (see
 * parquet-columns.ts), compressed inside the file per column chunk (gzip →
 * GZIP, zstd → ZSTD, none → UNCOMPRESSED), so any Parquet reader opens them.
 *
 * Writing streams row groups of ROW_GROUP_ROWS rows. Reading needs the footer
 * first, so the decoder spools the (decrypted) file to a temp file and then
 * reads it row group by row group: memory stays flat, disk holds one archive.
 *
 * The content digest is SHA-256 over each row's canonical values (the same
 * strings from the typed line and from the file), so verification proves every
 * value came back, not only the bytes.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ArchiveFormat, FormatStages } from '../archive-format';
import { Compression } from '../compression.interface';
import { ColumnInfo } from '../jsonl.format';
import { LineScanner } from '../line-scanner';
import { canonicalValue, ParquetKind, parquetKind, restoreLine, toParquetValue } from './parquet-columns';
import { openExactReader, parquet } from './parquet-library';

const ROW_GROUP_ROWS = 10_000;
const LINES_PER_CHUNK = 1_000;

const PARQUET_CODEC = { gzip: 'GZIP', zstd: 'ZSTD', none: 'UNCOMPRESSED' } as const;

const PARQUET_TYPE: Record<ParquetKind, string> = {
  boolean: 'BOOLEAN',
  int16: 'INT_16',
  int32: 'INT_32',
  int64: 'INT64',
  float: 'FLOAT',
  double: 'DOUBLE',
  timestamp: 'TIMESTAMP_MICROS',
  date: 'DATE',
  json: 'UTF8',
  bytes: 'BYTE_ARRAY',
  text: 'UTF8',
};

interface ParquetColumn {
  name: string;
  kind: ParquetKind;
  withZone: boolean;
}

/** Key column first, as in every line. */
function parquetColumns(columns: ColumnInfo[], key: string): ParquetColumn[] {
  const ordered = [...columns.filter((c) => c.name === key), ...columns.filter((c) => c.name !== key)];
  return ordered.map((c) => ({ name: c.name, kind: parquetKind(c), withZone: c.typname === 'timestamptz' }));
}

class ContentHash {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  add(columns: ParquetColumn[], values: (column: ParquetColumn) => unknown): void {
    const text = `${JSON.stringify(columns.map((c) => canonicalValue(c.kind, values(c))))}\n`;
    this.hash.update(text);
    this.bytes += Buffer.byteLength(text);
  }

  digest() {
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }
}

export class ParquetFormat implements ArchiveFormat {
  readonly name = 'parquet' as const;
  readonly dialect = 'typed' as const;

  extension(): string {
    return '.parquet';
  }

  encoder(columns: ColumnInfo[], key: string, compression: Compression): FormatStages {
    const ordered = parquetColumns(columns, key);
    const content = new ContentHash();
    const codec = PARQUET_CODEC[compression.name];
    const schema = new parquet.ParquetSchema(
      Object.fromEntries(ordered.map((c) => [c.name, { type: PARQUET_TYPE[c.kind], optional: true, compression: codec }])),
    );
    let digest: ReturnType<ContentHash['digest']> | undefined;
    async function* encode(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
      const out: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          out.push(chunk);
          callback();
        },
      });
      const writer = await parquet.ParquetWriter.openStream(schema, sink);
      writer.setRowGroupSize(ROW_GROUP_ROWS);
      const scanner = new LineScanner();
      for await (const chunk of source) {
        const typedRows: Record<string, unknown>[] = [];
        scanner.push(chunk, (line, start, end) => typedRows.push(JSON.parse(line.toString('utf8', start, end))));
        for (const typed of typedRows) {
          const row: Record<string, unknown> = {};
          for (const c of ordered) {
            const value = toParquetValue(c.kind, typed[c.name]);
            if (value !== undefined) row[c.name] = value;
          }
          content.add(ordered, (c) => row[c.name]);
          await writer.appendRow(row);
        }
        yield* out.splice(0);
      }
      if (scanner.end()?.length) throw new Error('the row stream ended inside a line');
      await writer.close();
      yield* out.splice(0);
      digest = content.digest();
    }
    return { stages: [encode], content: () => digest ?? content.digest() };
  }

  decoder(columns: ColumnInfo[], key: string, _compression: Compression, what: string): FormatStages {
    const ordered = parquetColumns(columns, key);
    const content = new ContentHash();
    let digest: ReturnType<ContentHash['digest']> | undefined;
    async function* decode(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
      const directory = await mkdtemp(join(tmpdir(), 'archival-parquet-'));
      try {
        const file = join(directory, 'archive.parquet');
        await pipeline(source, createWriteStream(file));
        const reader = await openExactReader(file).catch((error: Error) => {
          throw new Error(`${what} is not a readable Parquet file: ${String(error?.message ?? error)}`);
        });
        try {
          const cursor = reader.getCursor();
          let lines: string[] = [];
          for (let record = await cursor.next(); record; record = await cursor.next()) {
            content.add(ordered, (c) => record![c.name]);
            lines.push(`${restoreLine(ordered, record)}\n`);
            if (lines.length >= LINES_PER_CHUNK) {
              yield Buffer.from(lines.join(''));
              lines = [];
            }
          }
          if (lines.length > 0) yield Buffer.from(lines.join(''));
          digest = content.digest();
        } finally {
          await reader.close();
        }
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    }
    return { stages: [decode], content: () => digest ?? content.digest() };
  }
}
