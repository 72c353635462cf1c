import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CompressionName } from '../archival-options';
import { compressionOfKey, createCompression } from './compression.factory';
import { HashingStream } from './hashing.stream';
import { ZstdCompression } from './zstd.compression';
import { frameAt } from './zstd-frames';

async function collect(source: Readable, ...transforms: NodeJS.ReadWriteStream[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  await pipeline(source, ...(transforms as [NodeJS.ReadWriteStream]), sink);
  return Buffer.concat(chunks);
}

function text(bytes: number): Buffer {
  // Lines of JSON-like text: compressible, like real archives.
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `{"id":"${i}","message":"${randomBytes(8).toString('hex')} ünïcødé","level":"info"}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join(''));
}

describe.each<CompressionName>(['gzip', 'zstd', 'none'])('%s compression', (name) => {
  it('round-trips a stream larger than one zstd call can take (~4 MiB), in small chunks', async () => {
    const compression = await createCompression(name);
    const original = text(6 * 1024 * 1024);
    const chunks = (buffer: Buffer) => Readable.from((function* () {
      for (let i = 0; i < buffer.length; i += 64 * 1024) yield buffer.subarray(i, i + 64 * 1024);
    })());
    const compressed = await collect(chunks(original), compression.compressor());
    if (name !== 'none') expect(compressed.length).toBeLessThan(original.length / 2);
    const restored = await collect(chunks(compressed), compression.decompressor());
    expect(restored.equals(original)).toBe(true);
  });

  it('names its extension so readers can pick the codec from the key', async () => {
    const compression = await createCompression(name);
    expect(compressionOfKey(`t/x.jsonl${compression.extension}`)).toBe(name);
  });
});

describe('HashingStream', () => {
  it('hashes and counts what goes by without changing it', async () => {
    const hasher = new HashingStream();
    const out = await collect(Readable.from([Buffer.from('abc'), Buffer.from('def')]), hasher);
    expect(out.toString()).toBe('abcdef');
    expect(hasher.bytes).toBe(6);
    expect(hasher.digest()).toBe('bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721');
  });
});

describe('zstd: native frames and the WebAssembly codec read each other', () => {
  const chunked = (buffer: Buffer) => Readable.from((function* () {
    for (let i = 0; i < buffer.length; i += 100_000) yield buffer.subarray(i, i + 100_000);
  })());

  it('compresses natively into 4 MiB frames that zstd-codec decodes, and decodes zstd-codec\'s single-frame streams', async () => {
    const native = await ZstdCompression.create(3, true);
    const wasm = await ZstdCompression.create(3, false);
    expect(native.implementation).toBe('native');
    expect(wasm.implementation).toBe('wasm');
    const original = text(10 * 1024 * 1024);
    const framed = await collect(chunked(original), native.compressor());
    let frames = 0;
    for (let rest = framed; rest.length > 0; frames++) rest = rest.subarray(frameAt(rest)!.length!);
    expect(frames).toBe(3);
    expect((await collect(chunked(framed), wasm.decompressor())).equals(original)).toBe(true);
    const single = await collect(chunked(original), wasm.compressor());
    expect((await collect(chunked(single), native.decompressor())).equals(original)).toBe(true);
    expect((await collect(chunked(framed), native.decompressor())).equals(original)).toBe(true);
  });

  it('fails on a truncated stream', async () => {
    const native = await ZstdCompression.create(3, true);
    const framed = await collect(Readable.from([text(1024 * 1024)]), native.compressor());
    await expect(collect(Readable.from([framed.subarray(0, framed.length - 10)]), native.decompressor())).rejects.toThrow(/truncated/);
  });
});

describe('zstd: the zstd-codec fallback of the native decompressor', () => {
  const MiB = 1024 * 1024;
  const inMiBChunks = (buffer: Buffer) => Readable.from((function* () {
    for (let i = 0; i < buffer.length; i += MiB) yield buffer.subarray(i, i + MiB);
  })());
  /** A single-frame stream without a content size, as zstd-codec writes: the native side cannot split it and hands it over. */
  async function singleFrame(content: Buffer): Promise<Buffer> {
    const wasm = await ZstdCompression.create(3, false);
    const stream = await collect(inMiBChunks(content), wasm.compressor());
    expect(frameAt(stream)).toMatchObject({ contentSize: undefined, length: stream.length });
    return stream;
  }
  // Incompressible content: the frame's compressed bytes pass the 8 MiB the native side buffers before it hands over.
  let content: Buffer;
  let stream: Buffer;
  beforeAll(async () => {
    content = randomBytes(12 * MiB);
    stream = await singleFrame(content);
    expect(stream.length).toBeGreaterThan(10 * MiB);
  });

  it('decodes a single-frame stream fed in 1 MiB chunks, handing it over to zstd-codec past 8 MiB', async () => {
    const native = await ZstdCompression.create(3, true);
    expect((await collect(inMiBChunks(stream), native.decompressor())).equals(content)).toBe(true);
  });

  it('fails with an error, and the process and the codec live on, when the stream breaks after the hand-over', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    // Jest installs its own handler; ours records what would otherwise take a real process down.
    process.on('uncaughtException', onUncaught);
    try {
      const broken = Buffer.from(stream.subarray(0, 11 * MiB));
      broken.fill(0xff, 10 * MiB); // garbage where the fallback is decoding: its error comes after the write that fed it
      const native = await ZstdCompression.create(3, true);
      await expect(collect(inMiBChunks(broken), native.decompressor())).rejects.toThrow(/zstd decompression failed/);
      await new Promise((resolve) => setImmediate(resolve));
      expect(uncaught).toEqual([]);
      expect((await collect(inMiBChunks(stream), native.decompressor())).equals(content)).toBe(true);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
  it('frees the zstd-codec decoder of a stream destroyed after the hand-over: twenty in a row leave its fixed heap usable', async () => {
    const native = await ZstdCompression.create(3, true);
    for (let i = 0; i < 20; i++) {
      const decoder = native.decompressor();
      decoder.on('error', () => undefined);
      decoder.resume(); // its output is dropped: a Transform holds a write's callback while its output is unread
      // 9 MiB at once: past the 8 MiB the native side buffers, so zstd-codec has taken over (and holds a context) when the write returns.
      await new Promise<void>((resolve) => decoder.write(stream.subarray(0, 9 * MiB), () => resolve()));
      decoder.destroy();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await collect(inMiBChunks(stream), native.decompressor())).equals(content)).toBe(true);
  });
});

describe('zstd contexts', () => {
  it('are freed: a hundred archives in a row do not exhaust the fixed WebAssembly heap', async () => {
    const zstd = await ZstdCompression.create(3, false);
    const original = text(256 * 1024);
    for (let i = 0; i < 100; i++) {
      const compressed = await collect(Readable.from([original]), zstd.compressor());
      expect((await collect(Readable.from([compressed]), zstd.decompressor())).length).toBe(original.length);
    }
  });

  it('reports corrupt input as an error instead of aborting the process', async () => {
    const zstd = await ZstdCompression.create(3, false);
    const compressed = await collect(Readable.from([text(64 * 1024)]), zstd.compressor());
    // A broken frame header must fail; corruption inside literals may decode silently,
    // which is why archives are verified by SHA-256 of stored bytes and content.
    compressed[0] ^= 0xff;
    await expect(collect(Readable.from([compressed]), zstd.decompressor())).rejects.toThrow(/zstd decompression failed/);
    // and the codec still works afterwards
    expect((await collect(Readable.from([Buffer.from('ok')]), zstd.compressor())).length).toBeGreaterThan(0);
  });
});

describe('zstd: Parquet pages', () => {
  it('decodes a page natively or through zstd-codec, and zstd-codec stops past the size the page header states', async () => {
    const page = Buffer.from('a page of values '.repeat(100_000));
    for (const native of [true, false]) {
      const zstd = await ZstdCompression.create(3, native);
      const compressed = await zstd.compressPage(page);
      expect((await zstd.decompressPage(compressed, page.length)).equals(page)).toBe(true);
    }
    const wasm = await ZstdCompression.create(3, false);
    const bomb = wasm.compressSync(Buffer.alloc(32 * 1024 * 1024));
    await expect(wasm.decompressPage(bomb, 1000)).rejects.toThrow(/more than the 1000 bytes expected/);
  });
});

describe('zstd: zstd-codec is loaded only where it is needed', () => {
  it('is not loaded while native zstd compresses and decompresses, and is loaded for a page or a frame native zstd hands over', async () => {
    await jest.isolateModulesAsync(async () => {
      const wasm = await import('./zstd-wasm');
      const load = jest.spyOn(wasm, 'loadBinding');
      try {
        const { ZstdCompression: Isolated } = await import('./zstd.compression');
        const native = await Isolated.create(3, true);
        expect(native.implementation).toBe('native');
        const content = text(6 * 1024 * 1024);
        const stream = await collect(Readable.from([content]), native.compressor());
        expect((await collect(Readable.from([stream]), native.decompressor())).equals(content)).toBe(true);
        const [a, b] = [content.subarray(0, 65536), content.subarray(65536, 98304)];
        const pageA = await native.compressPage(a);
        expect((await native.decompressPage(pageA, a.length)).equals(a)).toBe(true);
        // ~10 MB of RSS that a host with native zstd does not pay for.
        expect(load).not.toHaveBeenCalled();

        // A page of two frames is not one bounded frame: zstd-codec decodes it, loaded there.
        const twoFrames = Buffer.concat([pageA, await native.compressPage(b)]);
        expect((await native.decompressPage(twoFrames, a.length + b.length)).equals(content.subarray(0, 98304))).toBe(true);
        expect(load).toHaveBeenCalledTimes(1);

        // A zstd-codec stream of one frame past 8 MiB: native zstd cannot bound it and hands it to zstd-codec, loaded then.
        const big = randomBytes(9 * 1024 * 1024);
        const single = await collect(Readable.from([big]), (await Isolated.create(3, false)).compressor());
        const other = await Isolated.create(3, true);
        load.mockClear();
        const chunks = Readable.from((function* () {
          for (let i = 0; i < single.length; i += 1024 * 1024) yield single.subarray(i, i + 1024 * 1024);
        })());
        expect((await collect(chunks, other.decompressor())).equals(big)).toBe(true);
        expect(load).toHaveBeenCalledTimes(1);
      } finally {
        load.mockRestore();
      }
    });
  });
});
