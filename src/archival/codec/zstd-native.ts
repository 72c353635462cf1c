/**
 * zstd through the native libzstd of @mongodb-js/zstd (prebuilt N-API
 * binaries, no install script; ~10× faster than WebAssembly, and it runs on
 * libuv's thread pool). Streams are compressed as independent frames of
 * 4 MiB input: a standard multi-frame zstd stream that any zstd tool reads.
 * Decompression splits the stream at frame boundaries and decodes frame by
 * frame (memory: one frame); a frame it cannot bound goes to a streaming
 * decoder instead (zstd-wasm.ts).
 */
import { Transform, TransformCallback } from 'node:stream';
import { ArchivalError, CorruptArchiveError } from '../archival.errors';
import { frameAt } from './zstd-frames';

export interface NativeZstd {
  compress(data: Buffer, level?: number): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}

/** Input per native frame; also the most a frame may expand to before we prefer streaming. */
const FRAME_INPUT = 4 * 1024 * 1024;
const MAX_NATIVE_FRAME_CONTENT = 64 * 1024 * 1024;
/** Compressed bytes of one frame held before giving up on one-shot decoding (frames from zstd-codec span a whole archive). */
const MAX_BUFFERED_FRAME = 8 * 1024 * 1024;

export function loadNative(): NativeZstd | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@mongodb-js/zstd') as NativeZstd;
  } catch {
    return undefined;
  }
}

/**
 * Input gathered into one reused 4 MiB buffer; each full buffer is compressed
 * to one standard zstd frame (the next fill waits for the compression).
 */
export class NativeFrameCompressor extends Transform {
  private readonly input = Buffer.allocUnsafe(FRAME_INPUT);
  private used = 0;
  private frames = 0;

  constructor(private readonly zstd: NativeZstd, private readonly level: number) {
    super({ highWaterMark: 1024 * 1024 });
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.fill(chunk).then(() => callback(), callback);
  }

  _flush(callback: TransformCallback) {
    (this.used > 0 || this.frames === 0 ? this.emit_() : Promise.resolve()).then(() => callback(), callback);
  }

  private async fill(chunk: Buffer) {
    let offset = 0;
    while (offset < chunk.length) {
      const copied = chunk.copy(this.input, this.used, offset);
      this.used += copied;
      offset += copied;
      if (this.used === FRAME_INPUT) await this.emit_();
    }
  }

  private async emit_() {
    // The input buffer is not touched until the native call has finished with it.
    this.push(await this.zstd.compress(this.input.subarray(0, this.used), this.level));
    this.used = 0;
    this.frames++;
  }
}

/**
 * Splits a zstd stream into frames and decodes each natively. A frame without
 * a content size, or a very large one, switches the rest of the stream to the
 * streaming decoder `streaming` makes, so memory stays bounded.
 */
export class NativeFrameDecompressor extends Transform {
  private buffer: Buffer = Buffer.alloc(0);
  private fallback: Transform | undefined;

  constructor(private readonly zstd: NativeZstd, private readonly streaming: () => Promise<Transform>) {
    super({ highWaterMark: 1024 * 1024 });
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    if (this.fallback) return this.toFallback(chunk, callback);
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.drain().then(() => callback(), (error: Error) => callback(decodingError(error)));
  }

  /** A fallback already under way is freed with the stream (its zstd-codec context lives in a fixed heap). */
  _destroy(error: Error | null, callback: (error?: Error | null) => void) {
    this.fallback?.destroy();
    callback(error);
  }

  _flush(callback: TransformCallback) {
    if (this.fallback) {
      const fallback = this.fallback;
      fallback.once('end', () => callback());
      fallback.once('error', callback);
      fallback.end();
      return;
    }
    callback(this.buffer.length > 0 ? new CorruptArchiveError('zstd decompression failed: the stream ends inside a frame (truncated?)') : null);
  }

  private async drain() {
    for (;;) {
      const frame = frameAt(this.buffer);
      if (!frame) return;
      // A frame that could decode to a lot, or that is still arriving after many bytes, streams instead.
      const large = frame.maxContentSize > MAX_NATIVE_FRAME_CONTENT || (frame.length === undefined && this.buffer.length > MAX_BUFFERED_FRAME);
      if (!frame.skippable && large) {
        await this.startFallback();
        const rest = this.buffer;
        this.buffer = Buffer.alloc(0);
        await new Promise<void>((resolve, reject) => this.toFallback(rest, (error) => (error ? reject(error) : resolve())));
        return;
      }
      if (frame.length === undefined) return;
      const bytes = this.buffer.subarray(0, frame.length);
      this.buffer = this.buffer.subarray(frame.length);
      if (!frame.skippable) this.push(await this.zstd.decompress(bytes));
    }
  }

  /**
   * The fallback keeps an error listener for as long as it lives: a stream
   * emits 'error' after the failed write's callback has run, so a listener
   * taken off in that callback left the error unhandled, and that ended the
   * process.
   */
  private async startFallback() {
    const fallback = await this.streaming();
    // Destroyed while zstd-codec was loading: the new context is freed at once, and nothing more is fed.
    if (this.destroyed) {
      fallback.destroy();
      throw new ArchivalError('zstd decompression stopped: the stream was destroyed');
    }
    fallback.on('data', (data: Buffer) => this.push(data));
    fallback.on('error', (error: Error) => this.destroy(error));
    this.fallback = fallback;
  }

  private toFallback(chunk: Buffer, callback: TransformCallback) {
    this.fallback!.write(chunk, (error) => callback(error ?? null));
  }
}

/** Bytes native zstd cannot decode are a corrupt archive; a codec that cannot be loaded (an ArchivalError) is not. */
function decodingError(error: Error): Error {
  if (error instanceof ArchivalError && !(error instanceof CorruptArchiveError)) return error;
  return new CorruptArchiveError(`zstd decompression failed: ${error.message}`);
}
