/**
 * Parquet archives (`.parquet`): one column per table column with its
 * logical type (parquet-logical-types.ts), written row group by row group by
 * hyparquet-writer (parquet-stream-writer.ts), compressed inside the file per
 * page (gzip → GZIP, zstd → ZSTD, none → UNCOMPRESSED), so any Parquet reader
 * (DuckDB, Athena, Trino, Spark) opens them.
 *
 * Memory is bounded by bytes, not only rows:
 * - row groups are cut at 10,000 rows or 16 MiB of rows, whichever comes
 *   first, and a row of 1 MiB or more is a row group of its own
 *   (parquet-row-groups.ts);
 * - text, JSON and bytea columns other than the key carry no min/max
 *   statistics (a wide value would be copied into the footer whole);
 * - a long line is read from its bytes, its long strings as UTF-8 bytes in
 *   the line's own buffer (typed-line.ts), never as JS strings, and long
 *   values are hashed piece by piece, never joined into one more copy.
 *
 * Reading needs the footer first, so the decoder holds the stored file in
 * memory (ParquetBytes: one part, as stored) and reads it row group by row
 * group; decrypted bytes never touch disk. The footer's created_by says who
 * wrote it: this project's hyparquet-writer path (parquet-typed-reader.ts) or,
 * for archives written before issue 15, parquetjs-lite (parquet-library.ts).
 *
 * The content digest (parquet-content-hash.ts) is taken over each row's
 * canonical values, from the typed line and from the file, so verification
 * proves every value came back, not only the bytes.
 */
import { CorruptArchiveError } from '../../archival.errors';
import { ArchiveFormat, FormatStages } from '../archive-format';
import { Compression } from '../compression.interface';
import { ColumnInfo } from '../jsonl.format';
import { LineScanner } from '../line-scanner';
import { ParquetBytes } from './parquet-bytes';
import { ZstdCompression } from '../zstd.compression';
import { parquetKind, restoreLinePieces } from './parquet-columns';
import { ParquetContentHash } from './parquet-content-hash';
import { openExactReader } from './parquet-library';
import { lineValue, LogicalColumn, logicalColumns, toFileValue } from './parquet-logical-types';
import { ParquetRowGroups } from './parquet-row-groups';
import { ParquetStreamWriter } from './parquet-stream-writer';
import { parquetFooter, typedRecords } from './parquet-typed-reader';
import { LineChunks } from './restore-line-chunks';
import { LONG_STRING, readTypedLine } from './typed-line';

/** The columns of an archive written by parquet.js (before issue 15), key first, as its reader hands them on. */
function legacyColumns(columns: ColumnInfo[], key: string) {
  const ordered = [...columns.filter((c) => c.name === key), ...columns.filter((c) => c.name !== key)];
  return ordered.map((c) => ({ name: c.name, kind: parquetKind(c), withZone: c.typname === 'timestamptz' }));
}

type LineRef = { line?: Buffer; start: number; end: number };

/** The lines of the next chunk (undefined at the end); the chunk itself is not held on to here. */
async function nextLines(chunks: AsyncIterator<Buffer>, scanner: LineScanner): Promise<LineRef[] | undefined> {
  const next = await chunks.next();
  if (next.done) return undefined;
  const lines: LineRef[] = [];
  scanner.push(next.value, (line, start, end) => lines.push({ line, start, end }));
  return lines;
}

/**
 * A typed line's values, the line let go of (so a wide line's bytes are not held while its row is written).
 * A long line is read member by member, its long strings as bytes (typed-line.ts).
 */
function takeLine(entry: LineRef): Record<string, unknown> {
  const { line, start, end } = entry;
  entry.line = undefined;
  if (end - start <= LONG_STRING) return JSON.parse(line!.toString('utf8', start, end)) as Record<string, unknown>;
  return readTypedLine(line!, start, end);
}

/** One typed line → the row the writer takes (file values by name); the content hash sees the line's values first. */
function fileRow(ordered: LogicalColumn[], typed: Record<string, unknown>, content: ParquetContentHash): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const c of ordered) values[c.name] = lineValue(c, typed[c.name]);
  content.add(ordered, (c) => values[c.name]);
  for (const c of ordered) values[c.name] = toFileValue(c, values[c.name]);
  return values;
}

export class ParquetFormat implements ArchiveFormat {
  readonly name = 'parquet' as const;
  readonly dialect = 'typed' as const;

  extension(): string {
    return '.parquet';
  }

  encoder(columns: ColumnInfo[], key: string, compression: Compression): FormatStages {
    const ordered = logicalColumns(columns, key);
    const content = new ParquetContentHash();
    let digest: ReturnType<ParquetContentHash['digest']> | undefined;
    async function* encode(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
      const writer = new ParquetStreamWriter(ordered, compression);
      const rowGroups = new ParquetRowGroups(writer);
      const scanner = new LineScanner();
      const chunks = source[Symbol.asyncIterator]();
      for (let lines = await nextLines(chunks, scanner); lines; lines = await nextLines(chunks, scanner)) {
        // Parsed one at a time, so a chunk of wide rows is not all held as JS values at once.
        for (const entry of lines) {
          const size = entry.end - entry.start;
          await rowGroups.append(fileRow(ordered, takeLine(entry), content), size);
          yield* writer.take();
        }
      }
      if (scanner.end()?.length) throw new Error('the row stream ended inside a line');
      await rowGroups.close();
      yield* writer.take();
      digest = content.digest();
    }
    return { stages: [encode], content: () => digest ?? content.digest() };
  }

  decoder(columns: ColumnInfo[], key: string, compression: Compression, what: string): FormatStages {
    const content = new ParquetContentHash();
    let digest: ReturnType<ParquetContentHash['digest']> | undefined;
    async function* decode(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
      // Stream errors (a failed GCM tag, a storage error) pass as they are; only parsing errors are rephrased.
      const bytes = await ParquetBytes.collect(source);
      const unreadable = (error: Error) => {
        throw new CorruptArchiveError(`${what} is not a readable Parquet file: ${String(error?.message ?? error)}`);
      };
      const footer = await parquetFooter(bytes).catch(unreadable);
      const chunks = new LineChunks();
      if (footer.typed) {
        const ordered = logicalColumns(columns, key);
        const restored = ordered.map((c) => ({ ...c, kind: c.restoreAs }));
        const zstd = compression instanceof ZstdCompression ? compression : undefined;
        for await (const records of typedRecords(bytes, footer.metadata, ordered, zstd)) {
          for (const record of records) {
            content.add(ordered, (c) => record[c.name]);
            chunks.add(restoreLinePieces(restored, record));
            if (chunks.full) yield* chunks.take();
          }
        }
      } else {
        const ordered = legacyColumns(columns, key);
        const reader = await openExactReader(bytes).catch(unreadable);
        try {
          const cursor = reader.getCursor();
          for (let record = await cursor.next(); record; record = await cursor.next()) {
            content.add(ordered, (c) => record![c.name]);
            chunks.add(restoreLinePieces(ordered, record));
            if (chunks.full) yield* chunks.take();
          }
        } finally {
          await reader.close();
        }
      }
      yield* chunks.take();
      digest = content.digest();
    }
    return { stages: [decode], content: () => digest ?? content.digest() };
  }
}
