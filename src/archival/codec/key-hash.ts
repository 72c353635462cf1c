/**
 * SHA-256 over a sequence of keys, each followed by "\n": the key sequence
 * the catalog records (keys_sha256), taken by the row source as rows are read
 * and by every read-back as they come out of the archive. Keys are gathered in
 * a 64 KiB buffer and hashed a buffer at a time (two hash updates per row
 * were a tenth of a Parquet run's CPU); the digest is the same.
 */
import { createHash } from 'node:crypto';
import { copyBytes } from './byte-copy';

const BATCH = 64 * 1024;

export class KeyHash {
  private readonly hash = createHash('sha256');
  private readonly batch = Buffer.allocUnsafe(BATCH);
  private used = 0;

  /** One key given as its UTF-8 bytes `bytes[start, end)`. */
  addBytes(bytes: Buffer, start: number, end: number): void {
    if (this.used + end - start + 1 > BATCH) this.flush();
    if (end - start + 1 > BATCH) {
      this.hash.update(bytes.subarray(start, end)).update('\n');
      return;
    }
    this.used += copyBytes(bytes, this.batch, this.used, start, end);
    this.batch[this.used++] = 0x0a;
  }

  /** One key given as its text. */
  add(key: string): void {
    // At most 3 UTF-8 bytes per UTF-16 unit.
    if (this.used + key.length * 3 + 1 > BATCH) this.flush();
    if (key.length * 3 + 1 > BATCH) {
      this.hash.update(key).update('\n');
      return;
    }
    this.used += this.batch.write(key, this.used);
    this.batch[this.used++] = 0x0a;
  }

  digest(): string {
    this.flush();
    return this.hash.digest('hex');
  }

  private flush(): void {
    if (this.used === 0) return;
    this.hash.update(this.batch.subarray(0, this.used));
    this.used = 0;
  }
}
