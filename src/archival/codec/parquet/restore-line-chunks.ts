/**
 * Restore lines of a Parquet archive, gathered into chunks to hand on.
 */
/** Restore lines are handed on in chunks of at most this many lines or bytes. */
const LINES_PER_CHUNK = 1_000;
const BYTES_PER_CHUNK = 1024 * 1024;

/**
 * Restore lines gathered into Buffers of about BYTES_PER_CHUNK, written piece
 * by piece; a long value read as bytes goes out as a chunk of its own, as it
 * is (a view of its decompressed page), never copied into one.
 */
export class LineChunks {
  private pieces: (string | Buffer)[] = [];
  private lines = 0;
  private bytes = 0;

  add(line: (string | Buffer)[]): void {
    // Counted in UTF-16 units for strings (a chunk of non-ASCII text may be a few times BYTES_PER_CHUNK): only a threshold.
    for (const piece of line) this.bytes += piece.length;
    this.pieces.push(...line, '\n');
    this.lines++;
    this.bytes++;
  }

  get full(): boolean {
    return this.lines >= LINES_PER_CHUNK || this.bytes >= BYTES_PER_CHUNK;
  }

  take(): Buffer[] {
    const out: Buffer[] = [];
    let run: (string | Buffer)[] = [];
    for (const piece of this.pieces) {
      if (Buffer.isBuffer(piece) && piece.length >= BYTES_PER_CHUNK) {
        if (run.length > 0) out.push(joined(run));
        out.push(piece);
        run = [];
      } else run.push(piece);
    }
    if (run.length > 0) out.push(joined(run));
    this.pieces = [];
    this.lines = 0;
    this.bytes = 0;
    return out;
  }
}

function joined(pieces: (string | Buffer)[]): Buffer {
  // Strings only (the usual chunk): joined and encoded in one call.
  if (pieces.every((piece) => typeof piece === 'string')) return Buffer.from(pieces.join(''));
  const chunk = Buffer.allocUnsafe(pieces.reduce((total, piece) => total + Buffer.byteLength(piece), 0));
  let offset = 0;
  for (const piece of pieces) offset += typeof piece === 'string' ? chunk.write(piece, offset) : piece.copy(chunk, offset);
  return chunk;
}

