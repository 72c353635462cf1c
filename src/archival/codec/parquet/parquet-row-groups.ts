/**
 * Cuts a Parquet file's row groups by bytes as well as by rows.
 *
 * parquetjs-lite buffers a whole row group in memory (its values, then its
 * encoded pages) and cuts row groups by row count only, so 10,000 rows of
 * 98 KB held about a gigabyte. Here the row that brings the buffered rows to
 * ROW_GROUP_BYTES (or to ROW_GROUP_ROWS) closes the row group, and a wide row
 * (WIDE_ROW_BYTES or more) is a row group of its own: the rows before it are
 * closed first (each row waits until the size of the next is known), so its
 * value is a page of its own, paged without a copy (parquet-library.ts), and a
 * reader holds it alone.
 */
import { ParquetWriterInstance } from './parquet-library';
import { withRoomyConcat } from './roomy-concat';

export const ROW_GROUP_ROWS = 10_000;
/** Typed-line bytes (about the values' size; bytea counts twice, as hex) after which a row group is cut. */
export const ROW_GROUP_BYTES = 16 * 1024 * 1024;
/** A row at least this wide is a row group of its own. */
export const WIDE_ROW_BYTES = 1024 * 1024;

interface PendingRow {
  row: Record<string, unknown>;
  size: number;
}

export class ParquetRowGroups {
  private rows = 0;
  private bytes = 0;
  private pending?: PendingRow;

  constructor(private readonly writer: ParquetWriterInstance) {}

  /** Appends one row of about `size` bytes. */
  async append(row: Record<string, unknown>, size: number): Promise<void> {
    const wide = size >= WIDE_ROW_BYTES;
    const previous = this.pending;
    this.pending = wide ? undefined : { row, size };
    if (previous) await this.write(previous, wide);
    // A wide row is written at once: it closes its row group whatever comes next, and is not held while the next is read.
    if (wide) await this.write({ row, size }, true);
  }

  /** Writes the last row group and the footer. */
  async close(): Promise<void> {
    const last = this.pending;
    this.pending = undefined;
    if (last) await this.write(last, true);
    await this.writer.close();
  }

  /** Writes one row; `cut`: its row group ends with it (the next row is wide, or there is none). */
  private async write({ row, size }: PendingRow, cut: boolean): Promise<void> {
    const closes = cut || size >= WIDE_ROW_BYTES || this.rows + 1 >= ROW_GROUP_ROWS || this.bytes + size >= ROW_GROUP_BYTES;
    // The writer flushes once its buffer holds rowGroupSize rows, checked right after appending.
    this.writer.setRowGroupSize(closes ? this.rows + 1 : ROW_GROUP_ROWS);
    // A wide row's row group is encoded inside appendRow's synchronous part: its concatenations need not copy.
    await (size >= WIDE_ROW_BYTES ? withRoomyConcat(() => this.writer.appendRow(row)) : this.writer.appendRow(row));
    this.rows = closes ? 0 : this.rows + 1;
    this.bytes = closes ? 0 : this.bytes + size;
  }
}
