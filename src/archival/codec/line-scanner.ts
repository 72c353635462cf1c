/**
 * Splits a byte stream into lines without copying whole chunks into strings:
 * each line is handed over as (buffer, start, end). A line that spans chunks
 * is gathered into a buffer of its own with one spare byte after it (`spare`:
 * the handler may write there and keep the buffer, e.g. to end the line with
 * a newline without another copy):
 * - its first pieces are kept as views of their chunks (a short tail is
 *   copied, so it does not pin its chunk) and joined when the line ends;
 * - once it passes ASSEMBLE_AFTER bytes it is a wide row: its bytes so far go
 *   into one buffer of generous capacity, and every later chunk is copied in
 *   as it arrives and let go of at once. Untouched pages of that buffer cost
 *   no memory, so a 50 MB line costs about 50 MB, not its chunks and a join.
 */
export type LineHandler = (buffer: Buffer, start: number, end: number, spare: boolean) => void;

export interface LineScannerOptions {
  /**
   * Keep only the first this many bytes of a line that spans chunks: the
   * handler gets that head (with `spare` false), the rest is never held. For
   * readers that need a line's start only (verify reads just the key).
   */
  head?: number;
}

const NEWLINE = 0x0a;
/** A line longer than this is gathered into one buffer as it arrives. */
const ASSEMBLE_AFTER = 1024 * 1024;
/** Its capacity, as a multiple of what it holds when it starts (doubled when it fills up). */
const ASSEMBLY_ROOM = 64;

export class LineScanner {
  private carry: Buffer[] = [];
  private carried = 0;
  /** The line so far, once it is long: carry is then empty. */
  private assembly?: Buffer;
  /** Bytes of the line beyond the head that were not kept. */
  private dropped = false;

  constructor(private readonly options: LineScannerOptions = {}) {}

  push(chunk: Buffer, onLine: LineHandler): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    if (this.pending && newline !== -1) {
      this.keep(chunk.subarray(0, newline), chunk.length, true);
      const truncated = this.dropped;
      const line = this.take();
      onLine(line, 0, line.length - 1, !truncated);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    while (newline !== -1) {
      onLine(chunk, start, newline, false);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) this.keep(chunk.subarray(start), chunk.length, false);
  }

  /** Returns the bytes after the last newline; a well-formed stream has none. */
  end(): Buffer | undefined {
    if (!this.pending) return undefined;
    const rest = this.take();
    return rest.subarray(0, rest.length - 1);
  }

  private get pending(): boolean {
    return this.carried > 0 || this.dropped || this.assembly !== undefined;
  }

  /** Keeps a piece of a chunk of `whole` bytes; `last`: the line ends with it (a view is enough, it is copied next). */
  private keep(piece: Buffer, whole: number, last: boolean): void {
    const { head } = this.options;
    if (head !== undefined && this.carried + piece.length > head) {
      piece = piece.subarray(0, Math.max(0, head - this.carried));
      this.dropped = true;
    }
    if (piece.length === 0) return;
    if (this.assembly || (head === undefined && this.carried + piece.length > ASSEMBLE_AFTER)) {
      this.assemble(piece);
      return;
    }
    // Most of a chunk is kept as a view; a short tail is copied, so it does not pin the whole chunk.
    this.carry.push(last || piece.length * 2 >= whole ? piece : Buffer.from(piece));
    this.carried += piece.length;
  }

  private assemble(piece: Buffer): void {
    if (!this.assembly) {
      this.assembly = Buffer.allocUnsafe((this.carried + piece.length) * ASSEMBLY_ROOM);
      let used = 0;
      for (const kept of this.carry) used += kept.copy(this.assembly, used);
      this.carry = [];
    }
    const used = this.carried;
    if (used + piece.length + 1 > this.assembly.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.assembly.length * 2, used + piece.length + 1));
      this.assembly.copy(bigger, 0, 0, used);
      this.assembly = bigger;
    }
    piece.copy(this.assembly, used);
    this.carried += piece.length;
  }

  /** The line kept so far in one buffer of its own, plus one spare byte; the scanner starts afresh. */
  private take(): Buffer {
    let line: Buffer;
    if (this.assembly) {
      if (this.carried + 1 > this.assembly.length) this.assemble(Buffer.alloc(0));
      line = this.assembly.subarray(0, this.carried + 1);
    } else {
      line = Buffer.allocUnsafe(this.carried + 1);
      let offset = 0;
      for (const piece of this.carry) offset += piece.copy(line, offset);
    }
    this.carry = [];
    this.carried = 0;
    this.assembly = undefined;
    this.dropped = false;
    return line;
  }
}
