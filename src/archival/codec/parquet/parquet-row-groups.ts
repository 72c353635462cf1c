/**
 * Cuts a Parquet file's row groups by bytes as well as by rows.
 *
 * parquetjs-lite buffers a whole row group in memory (its values, then its
 * encoded pages) and cuts row groups by row count only, so 10,000 rows of
 * 98 KB held about a gigabyte. Here the row that brings the buffered rows to
 * ROW_GROUP_BYTES (or to ROW_GROUP_ROWS) closes the row group; a single row
 * larger than that is a row group of its own.
 */
import { ParquetWriterInstance } from './parquet-library';

export const ROW_GROUP_ROWS = 10_000;
/** Typed-line bytes (about the values' size; bytea counts twice, as hex) after which a row group is cut. */
export const ROW_GROUP_BYTES = 16 * 1024 * 1024;

export class ParquetRowGroups {
  private rows = 0;
  private bytes = 0;

  constructor(private readonly writer: ParquetWriterInstance) {}

  /** Appends one row of about `size` bytes. */
  async append(row: Record<string, unknown>, size: number): Promise<void> {
    const closes = this.rows + 1 >= ROW_GROUP_ROWS || this.bytes + size >= ROW_GROUP_BYTES;
    // The writer flushes once its buffer holds rowGroupSize rows, checked right after appending.
    this.writer.setRowGroupSize(closes ? this.rows + 1 : ROW_GROUP_ROWS);
    await this.writer.appendRow(row);
    this.rows = closes ? 0 : this.rows + 1;
    this.bytes = closes ? 0 : this.bytes + size;
  }

  /** Writes the last row group and the footer. */
  close(): Promise<void> {
    return this.writer.close();
  }
}
