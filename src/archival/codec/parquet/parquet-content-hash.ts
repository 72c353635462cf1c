/**
 * The content digest of a Parquet archive: SHA-256 over one line per row,
 * `JSON.stringify([canonical values...])` + "\n" (see canonicalValue), the
 * same on the write and the read side, and the same text archives written
 * before were hashed over.
 *
 * A row with a long value is hashed piece by piece instead of as one string:
 * the JSON text of a string is the JSON text of consecutive slices of it
 * (quotes stripped) as long as no slice splits a surrogate pair, so a 50 MB
 * jsonb value costs 1 MiB pieces, not a 50 MB copy and its UTF-8 bytes.
 * A long text or json value read as UTF-8 bytes (TextBytes, typed-line.ts)
 * is hashed the same way, sliced at character boundaries.
 */
import { createHash } from 'node:crypto';
import { ContentDigest } from '../archive-format';
import { canonicalValue, ParquetKind } from './parquet-columns';

/** Values up to this many UTF-16 units are hashed as part of their row's text; longer ones in slices of this size. */
const PIECE = 1024 * 1024;

export class ParquetContentHash {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  add<Column extends { kind: ParquetKind }>(columns: Column[], values: (column: Column) => unknown): void {
    const canonical = columns.map((c) => canonicalValue(c.kind, values(c)));
    if (canonical.every((value) => value === null || (typeof value === 'string' && value.length <= PIECE))) {
      this.update(`${JSON.stringify(canonical)}\n`);
      return;
    }
    this.update('[');
    canonical.forEach((value, index) => {
      if (index > 0) this.update(',');
      if (value === null) this.update('null');
      else if (typeof value === 'string') this.updateJsonString(value);
      else this.updateJsonBytes(value);
    });
    this.update(']\n');
  }

  digest(): ContentDigest {
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Hashes JSON.stringify(text) without building it. */
  private updateJsonString(text: string): void {
    this.update('"');
    for (let start = 0; start < text.length; ) {
      let end = Math.min(start + PIECE, text.length);
      // JSON.stringify escapes a lone surrogate, so a pair must stay in one slice.
      if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end++;
      this.update(JSON.stringify(text.slice(start, end)).slice(1, -1));
      start = end;
    }
    this.update('"');
  }

  /** Hashes JSON.stringify of the UTF-8 text `bytes` without decoding it whole. */
  private updateJsonBytes(bytes: Buffer): void {
    this.update('"');
    for (let start = 0; start < bytes.length; ) {
      let end = Math.min(start + PIECE, bytes.length);
      // Never inside a character: continuation bytes are 10xxxxxx (and a 4-byte character is one surrogate pair).
      while (end < bytes.length && (bytes[end] & 0xc0) === 0x80) end++;
      this.update(JSON.stringify(bytes.toString('utf8', start, end)).slice(1, -1));
      start = end;
    }
    this.update('"');
  }

  private update(text: string): void {
    this.hash.update(text);
    this.bytes += Buffer.byteLength(text);
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
