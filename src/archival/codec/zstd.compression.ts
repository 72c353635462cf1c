/**
 * zstd. Streams are compressed with the native libzstd of @mongodb-js/zstd
 * (prebuilt N-API binaries, no install script; ~10× faster than WebAssembly,
 * and it runs on libuv's thread pool) as independent frames of 4 MiB input:
 * a standard multi-frame zstd stream that any zstd tool reads. Decompression
 * splits the stream at frame boundaries and decodes frame by frame (memory:
 * one frame). Where the native binary is missing, and for frames without a
 * content size (streams written by zstd-codec), it falls back to zstd-codec.
 *
 * zstd-codec (WebAssembly) is driven through its streaming binding: its
 * one-shot API aborts above ~4 MiB, and its own stream classes never free
 * their contexts (the WASM heap is a fixed 16 MiB and an abort disables the
 * codec for the whole process). These transforms free their context as soon
 * as the stream ends or fails. It loads asynchronously, once per process.
 * Parquet pages use it too (parquetjs-lite wants a synchronous codec).
 */
import { Transform, TransformCallback } from 'node:stream';
import { Compression } from './compression.interface';
import { frameAt } from './zstd-frames';

interface NativeZstd {
  compress(data: Buffer, level?: number): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}

/** Input per native frame; also the most a frame may expand to before we prefer streaming. */
const FRAME_INPUT = 4 * 1024 * 1024;
const MAX_NATIVE_FRAME_CONTENT = 64 * 1024 * 1024;
/** Compressed bytes of one frame held before giving up on one-shot decoding (frames from zstd-codec span a whole archive). */
const MAX_BUFFERED_FRAME = 8 * 1024 * 1024;

function loadNative(): NativeZstd | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@mongodb-js/zstd') as NativeZstd;
  } catch {
    return undefined;
  }
}

interface StreamBinding {
  begin(level?: number): boolean;
  transform(chunk: Uint8Array, push: (out: Uint8Array) => void): boolean;
  flush(push: (out: Uint8Array) => void): boolean;
  end(push: (out: Uint8Array) => void): boolean;
  delete(): void;
}

interface ZstdBinding {
  ZstdCompressStreamBinding: new () => StreamBinding;
  ZstdDecompressStreamBinding: new () => StreamBinding;
}

let loading: Promise<{ binding: ZstdBinding }> | undefined;

function loadBinding(): Promise<{ binding: ZstdBinding }> {
  // The Emscripten module is a thenable: it stays wrapped, never resolved or returned from async code.
  loading ??= new Promise((resolve) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require('zstd-codec/lib/module.js') as { run(f: (binding: ZstdBinding) => void): void };
    module.run((binding) => resolve({ binding }));
  });
  return loading;
}

class ZstdTransform extends Transform {
  private binding: StreamBinding | undefined;
  private readonly push_ = (out: Uint8Array) => this.push(Buffer.from(out));

  constructor(binding: StreamBinding, private readonly what: string) {
    super({ highWaterMark: 1024 * 1024 });
    this.binding = binding;
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.call((b) => b.transform(chunk, this.push_), 'transform', callback);
  }

  _flush(callback: TransformCallback) {
    this.call((b) => b.end(this.push_), 'end', (error) => {
      this.free();
      callback(error);
    });
  }

  _destroy(error: Error | null, callback: (error: Error | null) => void) {
    this.free();
    callback(error);
  }

  private call(step: (b: StreamBinding) => boolean, name: string, callback: TransformCallback) {
    let ok = false;
    try {
      ok = this.binding !== undefined && step(this.binding);
    } catch (error) {
      callback(new Error(`zstd ${this.what} failed in ${name}: ${String(error)}`));
      return;
    }
    callback(ok ? null : new Error(`zstd ${this.what} failed in ${name} (corrupt or truncated data?)`));
  }

  private free() {
    this.binding?.delete();
    this.binding = undefined;
  }
}

export class ZstdCompression implements Compression {
  readonly name = 'zstd' as const;
  readonly extension = '.zst';

  private constructor(
    private readonly binding: ZstdBinding,
    private readonly level: number,
    private readonly native: NativeZstd | undefined,
  ) {}

  /** `native: false` forces zstd-codec (tests, and where the native binary is unwanted). */
  static async create(level = 3, native = true): Promise<ZstdCompression> {
    return new ZstdCompression((await loadBinding()).binding, level, native ? loadNative() : undefined);
  }

  /** Which implementation compresses: "native" (libzstd) or "wasm" (zstd-codec). */
  get implementation(): 'native' | 'wasm' {
    return this.native ? 'native' : 'wasm';
  }

  compressor(): Transform {
    if (this.native) return new NativeFrameCompressor(this.native, this.level);
    const binding = new this.binding.ZstdCompressStreamBinding();
    binding.begin(this.level);
    return new ZstdTransform(binding, 'compression');
  }

  /** One whole buffer at once (Parquet pages), through the streaming binding so size is not limited. */
  /** `allocate`: where the output goes (a buffer of the given size; the default is a plain one). */
  compressSync(input: Buffer, allocate: (size: number) => Buffer = Buffer.allocUnsafe): Buffer {
    const binding = new this.binding.ZstdCompressStreamBinding();
    binding.begin(this.level);
    // zstd's compress bound: the input, 1/256 of it, and a little.
    return runSync(binding, input, 'compression', allocate(input.length + (input.length >> 8) + 64 * 1024));
  }

  decompressSync(input: Buffer): Buffer {
    const binding = new this.binding.ZstdDecompressStreamBinding();
    binding.begin();
    return runSync(binding, input, 'decompression', Buffer.allocUnsafe(input.length * 8 + 64 * 1024));
  }

  decompressor(): Transform {
    if (this.native) {
      return new NativeFrameDecompressor(this.native, () => {
        const binding = new this.binding.ZstdDecompressStreamBinding();
        binding.begin();
        return new ZstdTransform(binding, 'decompression');
      });
    }
    const binding = new this.binding.ZstdDecompressStreamBinding();
    binding.begin();
    return new ZstdTransform(binding, 'decompression');
  }
}

const SLICE = 1024 * 1024;

/**
 * One-shot (de)compression through a streaming binding, for Parquet pages.
 * The output is written into one buffer (`initial`), grown by
 * doubling if it must be: untouched pages of a large buffer cost no memory,
 * so a generous capacity costs only what is written, and the output is not
 * first held as pieces and then copied whole once more.
 */
function runSync(binding: StreamBinding, input: Buffer, what: string, initial: Buffer): Buffer {
  let out = initial;
  let used = 0;
  const push = (chunk: Uint8Array) => {
    if (used + chunk.length > out.length) {
      const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, used + chunk.length));
      out.copy(bigger, 0, 0, used);
      out = bigger;
    }
    out.set(chunk, used);
    used += chunk.length;
  };
  try {
    for (let offset = 0; offset < input.length; offset += SLICE) {
      if (!binding.transform(input.subarray(offset, offset + SLICE), push)) throw new Error(`zstd ${what} failed (corrupt data?)`);
    }
    if (!binding.end(push)) throw new Error(`zstd ${what} failed at the end (truncated data?)`);
  } finally {
    binding.delete();
  }
  return out.subarray(0, used);
}

/**
 * Input gathered into one reused 4 MiB buffer; each full buffer is compressed
 * to one standard zstd frame (the next fill waits for the compression).
 */
class NativeFrameCompressor extends Transform {
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
 * streaming WebAssembly decoder, so memory stays bounded.
 */
class NativeFrameDecompressor extends Transform {
  private buffer: Buffer = Buffer.alloc(0);
  private fallback: Transform | undefined;

  constructor(private readonly zstd: NativeZstd, private readonly streaming: () => Transform) {
    super({ highWaterMark: 1024 * 1024 });
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    if (this.fallback) return this.toFallback(chunk, callback);
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.drain().then(() => callback(), (error: Error) => callback(new Error(`zstd decompression failed: ${error.message}`)));
  }

  _flush(callback: TransformCallback) {
    if (this.fallback) {
      const fallback = this.fallback;
      fallback.once('end', () => callback());
      fallback.once('error', callback);
      fallback.end();
      return;
    }
    callback(this.buffer.length > 0 ? new Error('zstd decompression failed: the stream ends inside a frame (truncated?)') : null);
  }

  private async drain() {
    for (;;) {
      const frame = frameAt(this.buffer);
      if (!frame) return;
      // A frame that could decode to a lot, or that is still arriving after many bytes, streams instead.
      const large = frame.maxContentSize > MAX_NATIVE_FRAME_CONTENT || (frame.length === undefined && this.buffer.length > MAX_BUFFERED_FRAME);
      if (!frame.skippable && large) {
        this.startFallback();
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

  private startFallback() {
    const fallback = this.streaming();
    fallback.on('data', (data: Buffer) => this.push(data));
    this.fallback = fallback;
  }

  private toFallback(chunk: Buffer, callback: TransformCallback) {
    const fallback = this.fallback!;
    const onError = (error: Error) => callback(error);
    fallback.once('error', onError);
    fallback.write(chunk, (error) => {
      fallback.off('error', onError);
      callback(error ?? null);
    });
  }
}
