/** A pass-through that hashes (SHA-256) and counts the bytes going by, so no second pass is needed. */
import { createHash, Hash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';

export class HashingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  /** `mark`: calls `call` once when `bytes` have gone by (and waits for it). */
  constructor(private mark?: { bytes: number; call: () => unknown }) {
    super();
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    const mark = this.mark;
    if (mark && this.bytes >= mark.bytes) {
      this.mark = undefined;
      Promise.resolve(mark.call()).then(() => callback(null, chunk), callback);
      return;
    }
    callback(null, chunk);
  }

  /** Call once, after the stream has finished. */
  digest(): string {
    return this.hash.digest('hex');
  }
}
