/**
 * Splits a byte stream into lines without copying whole chunks into strings:
 * each line is handed over as (buffer, start, end). A line that spans chunks
 * is joined once.
 */
export type LineHandler = (buffer: Buffer, start: number, end: number) => void;

const NEWLINE = 0x0a;

export class LineScanner {
  private carry: Buffer | undefined;

  push(chunk: Buffer, onLine: LineHandler): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    if (this.carry && newline !== -1) {
      const joined = Buffer.concat([this.carry, chunk.subarray(0, newline)]);
      this.carry = undefined;
      onLine(joined, 0, joined.length);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    while (newline !== -1) {
      onLine(chunk, start, newline);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.carry = this.carry ? Buffer.concat([this.carry, rest]) : Buffer.from(rest);
    }
  }

  /** Returns the bytes after the last newline; a well-formed stream has none. */
  end(): Buffer | undefined {
    const rest = this.carry;
    this.carry = undefined;
    return rest;
  }
}
