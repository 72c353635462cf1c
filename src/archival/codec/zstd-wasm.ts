/**
 * zstd-codec (WebAssembly), driven through its streaming binding: its
 * one-shot API aborts above ~4 MiB, and its own stream classes never free
 * their contexts (the WASM heap is a fixed 16 MiB and an abort disables the
 * codec for the whole process). These transforms feed it at most 1 MiB per
 * call and free their context as soon as the stream ends or fails. It loads
 * asynchronously, once per process. Parquet pages use it through `runSync`
 * where native libzstd is missing, and to decode pages it cannot bound.
 */
import { Transform, TransformCallback } from 'node:stream';
import { ArchivalError, CorruptArchiveError } from '../archival.errors';

export interface StreamBinding {
  begin(level?: number): boolean;
  transform(chunk: Uint8Array, push: (out: Uint8Array) => void): boolean;
  flush(push: (out: Uint8Array) => void): boolean;
  end(push: (out: Uint8Array) => void): boolean;
  delete(): void;
}

export interface ZstdBinding {
  ZstdCompressStreamBinding: new () => StreamBinding;
  ZstdDecompressStreamBinding: new () => StreamBinding;
}

export type ZstdStep = 'compression' | 'decompression';

/** Input per call into the WebAssembly heap. */
const SLICE = 1024 * 1024;

let loading: Promise<{ binding: ZstdBinding }> | undefined;

export function loadBinding(): Promise<{ binding: ZstdBinding }> {
  // The Emscripten module is a thenable: it stays wrapped, never resolved or returned from async code.
  loading ??= new Promise<{ binding: ZstdBinding }>((resolve) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require('zstd-codec/lib/module.js') as { run(f: (binding: ZstdBinding) => void): void };
    module.run((binding) => resolve({ binding }));
  }).catch((error: Error) => {
    // Not a corrupt archive: the codec itself is missing or broken (and the next call tries again).
    loading = undefined;
    throw new ArchivalError(`zstd-codec could not be loaded: ${error.message}`);
  });
  return loading;
}

/** Bytes that do not decompress are a corrupt archive; a compression that fails is the codec's own failure. */
function zstdError(what: ZstdStep, message: string): ArchivalError {
  return what === 'decompression' ? new CorruptArchiveError(message) : new ArchivalError(message);
}

/** A new, begun binding of zstd-codec as a stream. */
export function wasmTransform(binding: ZstdBinding, what: ZstdStep, level?: number): Transform {
  // Embind counts arguments: the decompressor's begin takes none.
  let stream: StreamBinding;
  if (what === 'compression') (stream = new binding.ZstdCompressStreamBinding()).begin(level);
  else (stream = new binding.ZstdDecompressStreamBinding()).begin();
  return new ZstdTransform(stream, what);
}

class ZstdTransform extends Transform {
  private binding: StreamBinding | undefined;
  private readonly push_ = (out: Uint8Array) => this.push(Buffer.from(out));

  constructor(binding: StreamBinding, private readonly what: ZstdStep) {
    super({ highWaterMark: 1024 * 1024 });
    this.binding = binding;
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.call((b) => {
      for (let offset = 0; offset < chunk.length; offset += SLICE) {
        if (!b.transform(chunk.subarray(offset, offset + SLICE), this.push_)) return false;
      }
      return true;
    }, 'transform', callback);
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
      callback(zstdError(this.what, `zstd ${this.what} failed in ${name}: ${String(error)}`));
      return;
    }
    callback(ok ? null : zstdError(this.what, `zstd ${this.what} failed in ${name} (corrupt or truncated data?)`));
  }

  private free() {
    this.binding?.delete();
    this.binding = undefined;
  }
}

/**
 * One-shot (de)compression through a streaming binding, for Parquet pages.
 * The output is written into one buffer (`initial`), grown by
 * doubling if it must be: untouched pages of a large buffer cost no memory,
 * so a generous capacity costs only what is written, and the output is not
 * first held as pieces and then copied whole once more. `limit`: the most
 * it may produce (a page's stated size); more is an error, not an allocation.
 */
export function runSync(binding: StreamBinding, input: Buffer, what: ZstdStep, initial: Buffer, limit = Infinity): Buffer {
  let out = initial;
  let used = 0;
  // Past the limit, output is dropped and the error thrown once the binding has returned (a throw inside its callback would skip its clean-up).
  let over = false;
  const push = (chunk: Uint8Array) => {
    if (over || used + chunk.length > limit) {
      over = true;
      return;
    }
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
      if (!binding.transform(input.subarray(offset, offset + SLICE), push)) throw zstdError(what, `zstd ${what} failed (corrupt data?)`);
      if (over) break;
    }
    if (!over && !binding.end(push)) throw zstdError(what, `zstd ${what} failed at the end (truncated data?)`);
    if (over) throw new CorruptArchiveError(`zstd ${what} produced more than the ${limit} bytes expected`);
  } finally {
    binding.delete();
  }
  return out.subarray(0, used);
}
