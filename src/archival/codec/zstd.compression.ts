/**
 * zstd through zstd-codec's streaming binding (WebAssembly). Its one-shot API
 * aborts above ~4 MiB, and its own stream classes never free their contexts:
 * the WASM heap is a fixed 16 MiB and an abort disables the codec for the
 * whole process. These transforms free their context as soon as the stream
 * ends or fails. The binding loads asynchronously, once per process.
 */
import { Transform, TransformCallback } from 'node:stream';
import { Compression } from './compression.interface';

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

  private constructor(private readonly binding: ZstdBinding, private readonly level: number) {}

  static async create(level = 3): Promise<ZstdCompression> {
    return new ZstdCompression((await loadBinding()).binding, level);
  }

  compressor(): Transform {
    const binding = new this.binding.ZstdCompressStreamBinding();
    binding.begin(this.level);
    return new ZstdTransform(binding, 'compression');
  }

  /** One whole buffer at once (Parquet pages), through the streaming binding so size is not limited. */
  compressSync(input: Buffer): Buffer {
    const binding = new this.binding.ZstdCompressStreamBinding();
    binding.begin(this.level);
    return runSync(binding, input, 'compression');
  }

  decompressSync(input: Buffer): Buffer {
    const binding = new this.binding.ZstdDecompressStreamBinding();
    binding.begin();
    return runSync(binding, input, 'decompression');
  }

  decompressor(): Transform {
    const binding = new this.binding.ZstdDecompressStreamBinding();
    binding.begin();
    return new ZstdTransform(binding, 'decompression');
  }
}

const SLICE = 1024 * 1024;

function runSync(binding: StreamBinding, input: Buffer, what: string): Buffer {
  const out: Buffer[] = [];
  const push = (chunk: Uint8Array) => out.push(Buffer.from(chunk));
  try {
    for (let offset = 0; offset < input.length; offset += SLICE) {
      if (!binding.transform(input.subarray(offset, offset + SLICE), push)) throw new Error(`zstd ${what} failed (corrupt data?)`);
    }
    if (!binding.end(push)) throw new Error(`zstd ${what} failed at the end (truncated data?)`);
  } finally {
    binding.delete();
  }
  return Buffer.concat(out);
}
