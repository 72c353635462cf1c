/**
 * Parquet archives (`.parquet`): one typed column per table column (see
 * parquet-columns.ts), compressed inside the file per column chunk (gzip →
 * GZIP, zstd → ZSTD, none → UNCOMPRESSED), so any Parquet reader opens them.
 * Written from column buffers (parquet-file-writer.ts), read a column chunk
 * at a time (parquet-file-reader.ts).
 *
 * Memory is bounded by bytes, not only rows:
 * - row groups are cut at ROW_GROUP_ROWS rows or ROW_GROUP_BYTES of rows,
 *   whichever comes first, and a wide row (WIDE_ROW_BYTES or more) is a row
 *   group of its own, the rows before it closed first, so a reader holds it
 *   alone and its value is a page of its own;
 * - text, JSON and bytea columns other than the key carry no min/max
 *   statistics (one 52 MB jsonb value would be stored again as both);
 * - a long line is read from its bytes, its long strings straight into the
 *   buffer the page is written from (typed-line.ts), never as JS strings.
 *
 * Reading needs the footer first, so the decoder holds the stored file in
 * memory (ParquetBytes: one part, as stored) and reads it row group by row
 * group; decrypted bytes never touch disk.
 *
 * The content digest (parquet-content-hash.ts) is taken in column blocks,
 * from the typed line and from the file: each value's canonical text, but
 * text and json as their PLAIN bytes (PLAIN_TEXT_BLOCKS), so verification
 * proves every value came back, not only the file's bytes. Verification reads each
 * row's key and values but builds no restore line (mode 'keys').
 *
 * The loops themselves are parquet-encoder.ts and parquet-decoder.ts; writing
 * and verification run them on the Parquet thread (parquet-thread.ts).
 */
import { ArchiveFormat, DecodeMode, FormatStages } from '../archive-format';
import { Compression } from '../compression.interface';
import { ColumnInfo } from '../jsonl.format';
import { decodeParquet } from './parquet-decoder';
import { onParquetThread } from './parquet-thread';

export class ParquetFormat implements ArchiveFormat {
  readonly name = 'parquet' as const;
  readonly dialect = 'typed' as const;

  extension(): string {
    return '.parquet';
  }

  /** Encoded on the Parquet thread (parquet-thread.ts), beside the row stream. */
  encoder(columns: ColumnInfo[], key: string, compression: Compression): FormatStages {
    return onParquetThread({ kind: 'encode', columns, key, compression: compression.name });
  }

  /**
   * Verification (mode 'keys') reads on the Parquet thread, beside the next
   * part's rows; restore on this one: its lines are the rows' size, and
   * handing them over would copy a wide row once more.
   */
  decoder(columns: ColumnInfo[], key: string, _compression: Compression, what: string, mode: DecodeMode = 'restore'): FormatStages {
    if (mode === 'keys') return onParquetThread({ kind: 'decode', columns, key, what });
    const { decode, content } = decodeParquet(columns, key, what, mode);
    return { stages: [decode], content };
  }
}
