/**
 * zstd: native libzstd where its binary is present (zstd-native.ts), else
 * zstd-codec's WebAssembly (zstd-wasm.ts). Native decompression hands frames
 * without a content size (streams written by zstd-codec) to zstd-codec.
 */
import { Transform } from 'node:stream';
import { Compression } from './compression.interface';
import { frameAt } from './zstd-frames';
import { loadNative, NativeFrameCompressor, NativeFrameDecompressor, NativeZstd } from './zstd-native';
import { loadBinding, runSync, wasmTransform, ZstdBinding } from './zstd-wasm';

/** The most a page is decompressed to natively in one piece (the native decoder allocates what the frame decodes to). */
const MAX_NATIVE_PAGE = 64 * 1024 * 1024;

export class ZstdCompression implements Compression {
  readonly name = 'zstd' as const;
  readonly extension = '.zst';

  private constructor(
    private readonly level: number,
    private readonly native: NativeZstd | undefined,
    /** zstd-codec when there is no native zstd; with it, loadBinding() loads it the first time a frame needs it (its heap is about 10 MB of RSS). */
    private readonly binding: ZstdBinding | undefined,
  ) {}

  /** `native: false` forces zstd-codec (tests, and where the native binary is unwanted). */
  static async create(level = 3, native = true): Promise<ZstdCompression> {
    const lib = native ? loadNative() : undefined;
    return new ZstdCompression(level, lib, lib ? undefined : (await loadBinding()).binding);
  }

  /** Which implementation compresses: "native" (libzstd) or "wasm" (zstd-codec). */
  get implementation(): 'native' | 'wasm' {
    return this.native ? 'native' : 'wasm';
  }

  compressor(): Transform {
    if (this.native) return new NativeFrameCompressor(this.native, this.level);
    return wasmTransform(this.wasmLoaded(), 'compression', this.level);
  }

  /** One whole buffer at once (a Parquet page where native zstd is missing), through the streaming binding so size is not limited. */
  compressSync(input: Buffer): Buffer {
    const binding = new (this.wasmLoaded().ZstdCompressStreamBinding)();
    binding.begin(this.level);
    // zstd's compress bound: the input, 1/256 of it, and a little.
    return runSync(binding, input, 'compression', Buffer.allocUnsafe(input.length + (input.length >> 8) + 64 * 1024));
  }

  /** One Parquet page: native libzstd on the thread pool where it is present, else zstd-codec. */
  async compressPage(input: Buffer): Promise<Buffer> {
    return this.native ? this.native.compress(input, this.level) : this.compressSync(input);
  }

  /**
   * One Parquet page: natively when it is one whole frame that cannot decode
   * to more than MAX_NATIVE_PAGE (its content size, or its blocks x 128 KiB),
   * else through zstd-codec, which stops past `size` (the page header's); the
   * caller checks the size it decoded to.
   */
  async decompressPage(input: Buffer, size: number): Promise<Buffer> {
    const frame = this.native && input.length >= 8 ? frameAt(input) : undefined;
    if (this.native && frame && !frame.skippable && frame.length === input.length && frame.maxContentSize <= MAX_NATIVE_PAGE) return this.native.decompress(input);
    const binding = new (await loadBinding()).binding.ZstdDecompressStreamBinding();
    binding.begin();
    return runSync(binding, input, 'decompression', Buffer.allocUnsafe(Math.min(size, input.length * 8 + 64 * 1024)), size);
  }

  decompressor(): Transform {
    if (!this.native) return wasmTransform(this.wasmLoaded(), 'decompression');
    return new NativeFrameDecompressor(this.native, async () => wasmTransform((await loadBinding()).binding, 'decompression'));
  }

  /** zstd-codec where it must be there already: no native zstd, so create() loaded it. */
  private wasmLoaded(): ZstdBinding {
    if (!this.binding) throw new Error('zstd-codec is not loaded (create() loads it when native zstd is missing)');
    return this.binding;
  }
}
