/**
 * A Parquet file held in memory as the chunks it arrived in, for reading.
 *
 * A Parquet reader needs the footer (at the end) before the first row, and
 * the stored stream may be decrypted plaintext, which must never touch disk.
 * So the decoder keeps the file's bytes here and the reader asks for ranges:
 * a range inside one chunk is a view of it; a range that spans chunks (a
 * column chunk, the footer) is copied, and the copy is garbage once decoded.
 *
 * Cost: the whole file as stored (Parquet compresses inside the file), plus
 * a copy of the column chunk being decoded and its decoded values. The file
 * is one archive part, bounded by ARCHIVAL_MAX_ROWS_PER_FILE rows, not by
 * bytes: 500,000 rows of 1 KB that compress to 300 bytes hold ~150 MB, and
 * 5,000 rows of 97 KB held 240 MB. Row groups are cut at 16 MiB of values
 * (parquet-archive.format.ts), so a column chunk is at most about that.
 */
export class ParquetBytes {
  /** Offset of each chunk's first byte, ascending. */
  private readonly starts: number[] = [];
  private readonly chunks: Buffer[] = [];
  private length = 0;

  static async collect(source: AsyncIterable<Buffer>): Promise<ParquetBytes> {
    const bytes = new ParquetBytes();
    for await (const chunk of source) bytes.append(chunk);
    return bytes;
  }

  get size(): number {
    return this.length;
  }

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.starts.push(this.length);
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** `length` bytes from `offset` (fewer at the end of the file). */
  read(offset: number, length: number): Buffer {
    const end = Math.min(offset + length, this.length);
    if (offset < 0 || offset >= end) return Buffer.alloc(0);
    let index = this.chunkAt(offset);
    const first = this.chunks[index].subarray(offset - this.starts[index], end - this.starts[index]);
    if (first.length === end - offset) return first;
    const parts = [first];
    for (let at = offset + first.length; at < end; at += parts[parts.length - 1].length) {
      index++;
      parts.push(this.chunks[index].subarray(0, end - at));
    }
    return Buffer.concat(parts, end - offset);
  }

  /** Index of the chunk holding byte `offset` (binary search over the starts). */
  private chunkAt(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}
