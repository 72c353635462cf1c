/**
 * Splits a byte stream into lines without copying whole chunks into strings:
 * each line is handed over as (buffer, start, end). A line that spans chunks
 * is joined once, when its end arrives (its pieces are kept until then, so a
 * 50 MB line in 64 KB chunks is copied twice, not 800 times).
 */
export type LineHandler = (buffer: Buffer, start: number, end: number) => void;

const NEWLINE = 0x0a;

export class LineScanner {
  private carry: Buffer[] = [];

  push(chunk: Buffer, onLine: LineHandler): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    if (this.carry.length > 0 && newline !== -1) {
      const joined = Buffer.concat([...this.carry, chunk.subarray(0, newline)]);
      this.carry = [];
      onLine(joined, 0, joined.length);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    while (newline !== -1) {
      onLine(chunk, start, newline);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) this.carry.push(Buffer.from(chunk.subarray(start)));
  }

  /** Returns the bytes after the last newline; a well-formed stream has none. */
  end(): Buffer | undefined {
    const rest = this.carry;
    this.carry = [];
    return rest.length > 0 ? Buffer.concat(rest) : undefined;
  }
}
